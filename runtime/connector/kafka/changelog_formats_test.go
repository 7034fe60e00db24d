package kafka_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// product is a row of the MySQL 'products' table of Flink's 'Debezium
// Format' documentation (Debezium's inventory example).
type product struct {
	id     int
	name   string
	desc   string
	weight string // DECIMAL(10, 3)
}

func (p product) json() string {
	return fmt.Sprintf(`{"id":%d,"name":%q,"description":%q,"weight":%s}`, p.id, p.name, p.desc, p.weight)
}

// productEvents: the snapshot of the nine products (op "r"), then the
// changes of Flink's debezium test data: two updates, two inserts, two
// more updates (one of them the documentation's scooter example) and a
// delete.
func productEvents() []string {
	snap := []product{
		{101, "scooter", "Small 2-wheel scooter", "3.14"},
		{102, "car battery", "12V car battery", "8.1"},
		{103, "12-pack drill bits", "12-pack of drill bits with sizes ranging from #40 to #3", "0.8"},
		{104, "hammer", "12oz carpenter's hammer", "0.75"},
		{105, "hammer", "14oz carpenter's hammer", "0.875"},
		{106, "hammer", "16oz carpenter's hammer", "1.0"},
		{107, "rocks", "box of assorted rocks", "5.3"},
		{108, "jacket", "water resistent black wind breaker", "0.1"},
		{109, "spare tire", "24 inch spare tire", "22.2"},
	}
	var out []string
	for _, p := range snap {
		out = append(out, `{"before":null,"after":`+p.json()+`,"source":{"db":"inventory","table":"products"},"op":"r","ts_ms":1589355606100,"transaction":null}`)
	}
	upd := func(a, b product) string {
		return `{"before":` + a.json() + `,"after":` + b.json() + `,"source":{"db":"inventory"},"op":"u","ts_ms":1589362330904,"transaction":null}`
	}
	out = append(out,
		upd(snap[5], product{106, "hammer", "18oz carpenter hammer", "1.0"}),
		upd(snap[6], product{107, "rocks", "box of assorted rocks", "5.1"}),
		`{"before":null,"after":`+product{110, "jacket", "water resistent white wind breaker", "0.2"}.json()+`,"op":"c"}`,
		`{"before":null,"after":`+product{111, "scooter", "Big 2-wheel scooter ", "5.18"}.json()+`,"op":"c"}`,
		upd(product{110, "jacket", "water resistent white wind breaker", "0.2"}, product{110, "jacket", "new water resistent white wind breaker", "0.5"}),
		upd(product{111, "scooter", "Big 2-wheel scooter ", "5.18"}, product{111, "scooter", "Big 2-wheel scooter ", "5.17"}),
		`{"before":`+product{111, "scooter", "Big 2-wheel scooter ", "5.17"}.json()+`,"after":null,"op":"d"}`,
		``, // Debezium's tombstone after a delete: nothing
	)
	return out
}

const productsTable = `CREATE TABLE products (id BIGINT, name STRING, description STRING, weight DECIMAL(10, 3)) WITH (
  'connector' = 'kafka', 'topic' = '{TOPIC}', 'properties.bootstrap.servers' = '{ADDR}',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = '{FORMAT}'{OPTS});
`

// finalTable applies print's changelog lines to a multiset of rows.
func finalTable(t *testing.T, out string) []string {
	t.Helper()
	table := map[string]int{}
	for _, l := range lines(out) {
		row := l[3 : len(l)-1]
		switch l[:2] {
		case "+I", "+U":
			table[row]++
		case "-U", "-D":
			if table[row] == 0 {
				t.Fatalf("%s retracts a row not in the table:\n%s", l, out)
			}
			table[row]--
		}
	}
	var rows []string
	for r, n := range table {
		for ; n > 0; n-- {
			rows = append(rows, r)
		}
	}
	sort.Strings(rows)
	return rows
}

// Flink's documented Debezium example read from Kafka and aggregated by
// name: the final table is the one worked out by hand from the events
// (hammer: 0.750 + 0.875 + 1.000; rocks updated to 5.100; jacket 0.100 +
// 0.500 after 110's update; scooter 111 inserted, updated, deleted).
func TestDebeziumJSONProducts(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(1, "products_binlog"))
	var recs []rec
	for _, e := range productEvents() {
		recs = append(recs, rec{topic: "products_binlog", value: e})
	}
	produce(t, addr, recs...)
	src := strings.NewReplacer("{TOPIC}", "products_binlog", "{ADDR}", addr, "{FORMAT}", "debezium-json", "{OPTS}", "").Replace(productsTable) +
		"SELECT name, COUNT(*) AS n, SUM(weight) AS w FROM products GROUP BY name;"
	out, _ := mustRun(t, src)
	want := []string{
		"12-pack drill bits, 1, 0.800", "car battery, 1, 8.100", "hammer, 3, 2.625", "jacket, 2, 0.600",
		"rocks, 1, 5.100", "scooter, 1, 3.140", "spare tire, 1, 22.200",
	}
	if got := finalTable(t, out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("final table\n got %v\nwant %v\nchangelog:\n%s", got, want, out)
	}
	// the source itself is a changelog: the update of 107 is -U then +U
	src = strings.NewReplacer("{TOPIC}", "products_binlog", "{ADDR}", addr, "{FORMAT}", "debezium-json", "{OPTS}", "").Replace(productsTable) +
		"SELECT id, weight FROM products WHERE id = 107 OR id = 111;"
	out, _ = mustRun(t, src)
	wantLog := "+I[107, 5.300]\n-U[107, 5.300]\n+U[107, 5.100]\n+I[111, 5.180]\n-U[111, 5.180]\n+U[111, 5.170]\n-D[111, 5.170]\n"
	if out != wantLog {
		t.Errorf("changelog\n got %q\nwant %q", out, wantLog)
	}
	job, err := runtest.Plan("p.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	if plan := job.Explain(); !strings.Contains(plan, "TableSourceScan(table=[products]") || !strings.Contains(plan, "format=debezium-json], changelogMode=[I,UB,UA,D])") {
		t.Errorf("the source must be a changelog source:\n%s", plan)
	}
}

// A malformed event stops the job with an error naming its topic,
// partition and offset; with '<format>.ignore-parse-errors' it is
// skipped and counted, and so is an unknown op (debezium-json) or type
// (canal-json).
func TestChangelogFormatsMalformed(t *testing.T) {
	for _, c := range []struct {
		format, ok, corrupt, unknown, msg string
	}{
		{"debezium-json", `{"before":null,"after":{"id":1,"name":"a","description":"x","weight":1.5},"op":"c"}`,
			`{"before":null,"after":{"id":2`, `{"before":null,"after":{"id":3},"op":"x"}`, "corrupt Debezium JSON message"},
		{"canal-json", `{"data":[{"id":"1","name":"a","description":"x","weight":"1.5"}],"type":"INSERT"}`,
			`{"data":[{"id":"2"`, `{"data":[{"id":"3"}],"type":"ALTER"}`, "corrupt Canal JSON message"},
	} {
		topic := "bad-" + c.format
		addr := cluster(t, kfake.SeedTopics(1, topic))
		produce(t, addr, rec{topic: topic, value: c.ok}, rec{topic: topic, value: c.corrupt}, rec{topic: topic, value: c.unknown}, rec{topic: topic, value: c.ok})
		q := "SELECT id, name FROM products;"
		src := strings.NewReplacer("{TOPIC}", topic, "{ADDR}", addr, "{FORMAT}", c.format, "{OPTS}", "").Replace(productsTable) + q
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, _, _, err := runSQL(t, ctx, src)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "topic "+topic+" partition 0 offset 1") || !strings.Contains(err.Error(), c.msg) {
			t.Fatalf("%s: want an error naming topic, partition and offset, got %v", c.format, err)
		}
		src = strings.NewReplacer("{TOPIC}", topic, "{ADDR}", addr, "{FORMAT}", c.format, "{OPTS}", ", '"+c.format+".ignore-parse-errors' = 'true'").Replace(productsTable) + q
		out, sum := mustRun(t, src)
		if out != "+I[1, a]\n+I[1, a]\n" || sum.RecordsSkipped != 2 {
			t.Errorf("%s with ignore-parse-errors: got %q and %d skipped, want two rows and 2 skipped", c.format, out, sum.RecordsSkipped)
		}
	}
}

// An updating query written to Kafka in debezium-json, as Flink's
// DebeziumJsonSerializationSchema writes it (+I/+U as "c", -U/-D as "d"),
// then read back by a debezium-json source: the same final table.
func TestDebeziumJSONSinkRoundTrip(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(1, "products_binlog", "agg"))
	var recs []rec
	for _, e := range productEvents() {
		recs = append(recs, rec{topic: "products_binlog", value: e})
	}
	produce(t, addr, recs...)
	src := strings.NewReplacer("{TOPIC}", "products_binlog", "{ADDR}", addr, "{FORMAT}", "debezium-json", "{OPTS}", "").Replace(productsTable) +
		strings.ReplaceAll(`CREATE TABLE agg (name STRING, n BIGINT) WITH ('connector' = 'kafka', 'topic' = 'agg',
  'properties.bootstrap.servers' = '{ADDR}', 'format' = 'debezium-json');
INSERT INTO agg SELECT name, COUNT(*) FROM products GROUP BY name;`, "{ADDR}", addr)
	mustRun(t, src)
	var got []string
	for _, m := range consumeAll(t, addr, "agg") {
		got = append(got, m.value)
	}
	// hammer's first three events and jacket's, in Flink's encoding
	for _, w := range []string{
		`{"before":null,"after":{"name":"hammer","n":1},"op":"c"}`,
		`{"before":{"name":"hammer","n":1},"after":null,"op":"d"}`,
		`{"before":null,"after":{"name":"hammer","n":2},"op":"c"}`,
	} {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("topic lacks %s:\n%s", w, strings.Join(got, "\n"))
		}
	}
	back := strings.ReplaceAll(`CREATE TABLE agg (name STRING, n BIGINT) WITH ('connector' = 'kafka', 'topic' = 'agg',
  'properties.bootstrap.servers' = '{ADDR}', 'format' = 'debezium-json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
SELECT name, n FROM agg;`, "{ADDR}", addr)
	out, _ := mustRun(t, back)
	want := []string{"12-pack drill bits, 1", "car battery, 1", "hammer, 3", "jacket, 2", "rocks, 1", "scooter, 1", "spare tire, 1"}
	if got := finalTable(t, out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read back\n got %v\nwant %v", got, want)
	}
}

// Canal's documented events: an INSERT of two rows, an UPDATE whose "old"
// holds the changed field only, a DELETE and a DDL event (nothing).
func TestCanalJSON(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(1, "canal"))
	produce(t, addr,
		rec{topic: "canal", value: `{"data":[{"id":"111","name":"scooter","description":"Big 2-wheel scooter","weight":"5.18"},{"id":"112","name":"hammer","description":"16oz","weight":"1.0"}],"database":"inventory","table":"products","old":null,"type":"INSERT","isDdl":false}`},
		rec{topic: "canal", value: `{"data":[{"id":"111","name":"scooter","description":"Big 2-wheel scooter","weight":"5.15"}],"database":"inventory","table":"products","old":[{"weight":"5.18"}],"type":"UPDATE"}`},
		rec{topic: "canal", value: `{"data":null,"database":"inventory","table":"products","type":"CREATE","isDdl":true,"sql":"CREATE TABLE ..."}`},
		rec{topic: "canal", value: `{"data":[{"id":"112","name":"hammer","description":"16oz","weight":"1.0"}],"database":"inventory","table":"products","old":null,"type":"DELETE"}`},
		rec{topic: "canal", value: `{"data":[{"id":"9","name":"x","description":"y","weight":"1"}],"database":"other","table":"products","type":"INSERT"}`},
	)
	src := strings.NewReplacer("{TOPIC}", "canal", "{ADDR}", addr, "{FORMAT}", "canal-json", "{OPTS}", ", 'canal-json.database.include' = 'inventory'").Replace(productsTable) +
		"SELECT id, name, weight FROM products;"
	out, _ := mustRun(t, src)
	want := "+I[111, scooter, 5.180]\n+I[112, hammer, 1.000]\n-U[111, scooter, 5.180]\n+U[111, scooter, 5.150]\n-D[112, hammer, 1.000]\n"
	if out != want {
		t.Errorf("changelog\n got %q\nwant %q", out, want)
	}
}
