package json_test

// Unit tests of the changelog formats built on the json format's rows
// (json.EventRows): debezium-json and canal-json, with the events of
// Flink's documentation of each.

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/format/canal"
	"github.com/streamsql/streamsql/runtime/format/debezium"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// products is the table of Flink's 'Debezium Format' documentation.
var productCols = planner.Schema{
	{Name: "id", Type: types.TBigInt}, {Name: "name", Type: types.TString},
	{Name: "description", Type: types.TString}, {Name: "weight", Type: types.Type{Kind: types.Decimal, Precision: 10, Scale: 3}},
}

// productsIn is a decoder of the products table in format f (a
// connector.FormatSpec) with options opts (key, value, ...).
func productsIn(t *testing.T, f *connector.FormatSpec, opts ...string) connector.ChangelogDecoder {
	t.Helper()
	td := &planner.TableDesc{Name: "products", Connector: "kafka", Columns: productCols, Options: []sql.Option{{Key: "format", Value: f.Name}}}
	for i := 0; i+1 < len(opts); i += 2 {
		td.Options = append(td.Options, sql.Option{Key: opts[i], Value: opts[i+1]})
	}
	d, err := f.NewDecoder(productCols, td, "")
	if err != nil {
		t.Fatal(err)
	}
	return d.(connector.ChangelogDecoder)
}

func products(t *testing.T, opts ...string) connector.ChangelogDecoder {
	return productsIn(t, debezium.Spec, opts...)
}

// changes decodes one record value and prints its rows as the print
// sink does (+I[...]).
func changes(t *testing.T, d connector.ChangelogDecoder, value string) (string, error) {
	t.Helper()
	out, err := d.DecodeChanges(&connector.Record{Value: []byte(value)}, nil)
	var b strings.Builder
	for _, c := range out {
		b.WriteString(c.Kind.String() + "[")
		for i, v := range c.Row {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(types.FormatValue(v, productCols[i].Type, time.UTC))
		}
		b.WriteString("]\n")
	}
	return b.String(), err
}

const (
	scooter518 = `{"id": 111, "name": "scooter", "description": "Big 2-wheel scooter", "weight": 5.18}`
	scooter515 = `{"id": 111, "name": "scooter", "description": "Big 2-wheel scooter", "weight": 5.15}`
)

// The events of Flink's documentation (the scooter's update, with and
// without Debezium's schema envelope) and the other ops: c and r give
// +I(after), u gives -U(before) and +U(after), d gives -D(before); the
// empty record Debezium writes after a delete (a tombstone) gives nothing.
func TestDebeziumDocumentationEvents(t *testing.T) {
	d := products(t)
	for _, c := range []struct{ value, want string }{
		{`{"before": ` + scooter518 + `, "after": ` + scooter515 + `, "source": {"version": "1.1.1.Final", "connector": "mysql", "name": "dbserver1", "ts_ms": 0, "snapshot": "false", "db": "inventory", "table": "products"}, "op": "u", "ts_ms": 1589362330904, "transaction": null}`,
			"-U[111, scooter, Big 2-wheel scooter, 5.180]\n+U[111, scooter, Big 2-wheel scooter, 5.150]\n"},
		{`{"before": null, "after": ` + scooter518 + `, "op": "c"}`, "+I[111, scooter, Big 2-wheel scooter, 5.180]\n"},
		{`{"before": null, "after": ` + scooter518 + `, "op": "r"}`, "+I[111, scooter, Big 2-wheel scooter, 5.180]\n"},
		{`{"before": ` + scooter515 + `, "after": null, "op": "d"}`, "-D[111, scooter, Big 2-wheel scooter, 5.150]\n"},
		{``, ""},
	} {
		got, err := changes(t, d, c.value)
		if err != nil || got != c.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", c.value, got, err, c.want)
		}
	}
	// 'debezium-json.schema-include': the event inside {"schema", "payload"}
	ds := products(t, "debezium-json.schema-include", "true")
	got, err := changes(t, ds, `{"schema": {"type": "struct", "fields": [], "optional": false, "name": "dbserver1.inventory.products.Envelope"}, "payload": {"before": `+scooter518+`, "after": `+scooter515+`, "op": "u", "ts_ms": 1589362330904}}`)
	if want := "-U[111, scooter, Big 2-wheel scooter, 5.180]\n+U[111, scooter, Big 2-wheel scooter, 5.150]\n"; err != nil || got != want {
		t.Errorf("schema-include:\n got %q, %v\nwant %q", got, err, want)
	}
}

// Malformed events: an error that says what is wrong (the source adds the
// record's topic, partition and offset: runtime/connector/kafka's
// TestDebeziumJSONMalformed); with 'debezium-json.ignore-parse-errors'
// each is a record to skip (connector.ErrSkipRecord), counted by the
// source.
func TestDebeziumMalformedEvents(t *testing.T) {
	for _, c := range []struct{ value, want string }{
		{`{"before": null, "after": {"id": 1`, "corrupt Debezium JSON message"},
		{`{"before": null, "after": ` + scooter518 + `}`, `corrupt Debezium JSON message: no "op"`},
		{`{"schema": {}, "payload": {"before": null, "after": ` + scooter518 + `, "op": "c"}}`, `set 'debezium-json.schema-include' = 'true'`},
		{`{"before": null, "after": ` + scooter518 + `, "op": "x"}`, `unknown "op" value "x"`},
		{`{"before": null, "after": null, "op": "d"}`, `the "before" field of a Debezium JSON message with op "d" is null; with the Debezium Postgres connector, set the table's REPLICA IDENTITY to FULL`},
		{`{"before": null, "after": null, "op": "c"}`, `the "after" field of a Debezium JSON message with op "c" is null`},
		{`null`, `corrupt Debezium JSON message: no "op"`},
	} {
		_, err := changes(t, products(t), c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%s: got %v, want an error containing %q", c.value, err, c.want)
		}
		_, err = changes(t, products(t, "debezium-json.ignore-parse-errors", "true"), c.value)
		if !errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%s with ignore-parse-errors: got %v, want a record to skip", c.value, err)
		}
	}
	// a schema-include decoder refuses an event without the envelope
	_, err := changes(t, products(t, "debezium-json.schema-include", "true"), `{"before": null, "after": `+scooter518+`, "op": "c"}`)
	if err == nil || !strings.Contains(err.Error(), `no "payload"`) {
		t.Errorf("schema-include without an envelope: got %v", err)
	}
}

// The events of Flink's 'Canal Format' documentation (values as strings,
// as Canal writes them): "INSERT" gives +I for every row of "data",
// "UPDATE" -U/+U for every row, the -U being the row with the fields
// "old" holds (others unchanged), "DELETE" -D for every row, "CREATE" (a
// DDL event) nothing; 'canal-json.database.include' and
// 'canal-json.table.include' keep the events of matching names only.
func TestCanalDocumentationEvents(t *testing.T) {
	d := productsIn(t, canal.Spec)
	const scooter = `{"id": "111", "name": "scooter", "description": "Big 2-wheel scooter", "weight": "5.18"}`
	for _, c := range []struct{ value, want string }{
		{`{"data": [` + scooter + `], "database": "inventory", "es": 1589373560000, "id": 9, "isDdl": false, "mysqlType": {"id": "int(11)", "name": "varchar(255)", "description": "varchar(512)", "weight": "float"}, "old": [{"weight": "5.15"}], "pkNames": ["id"], "sql": "", "sqlType": {"id": 4, "name": 12, "description": 12, "weight": 7}, "table": "products", "ts": 1589373560798, "type": "UPDATE"}`,
			"-U[111, scooter, Big 2-wheel scooter, 5.150]\n+U[111, scooter, Big 2-wheel scooter, 5.180]\n"},
		{`{"data": [` + scooter + `, {"id": "112", "name": "hammer", "description": "16oz", "weight": "1.0"}], "database": "inventory", "table": "products", "old": null, "type": "INSERT"}`,
			"+I[111, scooter, Big 2-wheel scooter, 5.180]\n+I[112, hammer, 16oz, 1.000]\n"},
		{`{"data": [{"id": "112", "name": "hammer", "description": "16oz", "weight": "1.0"}], "database": "inventory", "table": "products", "type": "DELETE"}`,
			"-D[112, hammer, 16oz, 1.000]\n"},
		{`{"data": null, "database": "inventory", "table": "products", "type": "CREATE", "isDdl": true, "sql": "CREATE TABLE products (...)"}`, ""},
		{``, ""},
	} {
		got, err := changes(t, d, c.value)
		if err != nil || got != c.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", c.value, got, err, c.want)
		}
	}
	f := productsIn(t, canal.Spec, "canal-json.database.include", "inv.*", "canal-json.table.include", "products")
	for value, want := range map[string]string{
		`{"data": [` + scooter + `], "database": "inventory", "table": "products", "type": "INSERT"}`:  "+I[111, scooter, Big 2-wheel scooter, 5.180]\n",
		`{"data": [` + scooter + `], "database": "other", "table": "products", "type": "INSERT"}`:      "",
		`{"data": [` + scooter + `], "database": "inventory", "table": "products2", "type": "INSERT"}`: "",
		`{"data": [` + scooter + `], "table": "products", "type": "INSERT"}`:                           "",
	} {
		got, err := changes(t, f, value)
		if err != nil || got != want {
			t.Errorf("with include filters, %s:\n got %q, %v\nwant %q", value, got, err, want)
		}
	}
}

// Malformed Canal events: an error that says what is wrong, or with
// 'canal-json.ignore-parse-errors' a record to skip.
func TestCanalMalformedEvents(t *testing.T) {
	for _, c := range []struct{ value, want string }{
		{`{"data": [{"id": "1"`, "corrupt Canal JSON message"},
		{`{"data": [{"id": "1"}], "database": "inventory"}`, `corrupt Canal JSON message: no "type"`},
		{`{"data": [{"id": "1"}], "type": "TRUNCATE"}`, `unknown "type" value "TRUNCATE"`},
		{`{"data": [{"id": "1"}, {"id": "2"}], "old": [{"name": "a"}], "type": "UPDATE"}`, `an UPDATE with 2 rows in "data" and 1 in "old"`},
	} {
		_, err := changes(t, productsIn(t, canal.Spec), c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%s: got %v, want an error containing %q", c.value, err, c.want)
		}
		_, err = changes(t, productsIn(t, canal.Spec, "canal-json.ignore-parse-errors", "true"), c.value)
		if !errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%s with ignore-parse-errors: got %v, want a record to skip", c.value, err)
		}
	}
}
