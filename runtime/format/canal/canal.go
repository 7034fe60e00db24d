// Package canal is Flink's 'canal-json' format: Alibaba Canal's change
// events as JSON. An event is {"data": [rows], "old": [rows], "type":
// ..., "database": ..., "table": ...}; as Flink's
// CanalJsonDeserializationSchema reads it, "INSERT" gives +I for every row
// of "data", "DELETE" -D for every row, "UPDATE" -U/+U for every row of
// "data": the +U is the row, the -U the row with the fields "old" holds
// (a field that "old" lacks or holds as null did not change), and
// "CREATE" (a DDL event) gives nothing. 'canal-json.database.include' and
// 'canal-json.table.include' keep only the events of matching databases
// and tables. Written, +I and +U become {"data":[row],"type":"INSERT"},
// -U and -D {"data":[row],"type":"DELETE"}, as Flink's
// CanalJsonSerializationSchema writes them.
package canal

import (
	stdjson "encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/format/json"
)

// Spec is the canal-json format.
var Spec = &connector.FormatSpec{
	Name: "canal-json",
	Doc: "Canal change events in JSON (Flink's 'canal-json'): a changelog format. Read, type \"INSERT\" gives +I for every row of \"data\", " +
		"\"DELETE\" -D for every row, \"UPDATE\" -U (the row with the fields \"old\" holds) and +U (the row) for every row, \"CREATE\" nothing. " +
		"A source in this format is a changelog source (`[I,UB,UA,D]`). Written, +I and +U become `{\"data\":[{...}],\"type\":\"INSERT\"}`, " +
		"-U and -D `{\"data\":[{...}],\"type\":\"DELETE\"}`. Rows inside are read and written as by 'json'. Its metadata columns are not supported yet.",
	Changelog: true,
	Options: []connector.OptionSpec{
		{Key: "ignore-parse-errors", Default: "false", Type: connector.OptBool,
			Doc: "Skip events that are not valid JSON or have an unknown \"type\" (counted in records_skipped), and read fields that cannot be converted as NULL, instead of failing the job."},
		{Key: "timestamp-format.standard", Default: "SQL", Type: connector.OptEnum, Enum: []string{"SQL", "ISO-8601"},
			Doc: "How timestamps are written, as 'json.timestamp-format.standard'. Reading accepts both."},
		{Key: "database.include", Doc: "A regular expression (RE2) the event's \"database\" must match whole; other events are skipped."},
		{Key: "table.include", Doc: "A regular expression (RE2) the event's \"table\" must match whole; other events are skipped."},
		{Key: "map-null-key.mode", Default: "FAIL", Type: connector.OptEnum, Enum: []string{"FAIL", "DROP", "LITERAL"}, Ignored: true,
			Doc: "Accepted for compatibility; no effect."},
		{Key: "map-null-key.literal", Default: "null", Ignored: true, Doc: "Accepted for compatibility; no effect."},
		{Key: "encode.decimal-as-plain-number", Default: "false", Type: connector.OptBool, Ignored: true,
			Doc: "Accepted for compatibility; decimals are always written in plain notation."},
	},
	NewDecoder: func(cols planner.Schema, t *planner.TableDesc, prefix string) (connector.Decoder, error) {
		p := prefix + "canal-json."
		o, err := json.OptionsAt(t, p)
		if err != nil {
			return nil, err
		}
		inner, err := json.NewDecoder(cols, o)
		if err != nil {
			return nil, err
		}
		d := &Decoder{row: inner, width: len(cols), skip: o.IgnoreParseErrors}
		for _, f := range []struct {
			key string
			re  **regexp.Regexp
		}{{"database.include", &d.database}, {"table.include", &d.table}} {
			if v, ok := t.Option(p + f.key); ok {
				re, err := regexp.Compile("^(?:" + v + ")$")
				if err != nil {
					return nil, connector.OptionError(t, p+f.key, "option '%s': %v", p+f.key, err)
				}
				*f.re = re
			}
		}
		return d, nil
	},
	NewEncoder: func(cols planner.Schema, t *planner.TableDesc, prefix string) (connector.Encoder, error) {
		o, err := json.OptionsAt(t, prefix+"canal-json.")
		if err != nil {
			return nil, err
		}
		inner, err := json.NewEncoder(cols, o)
		if err != nil {
			return nil, err
		}
		return &Encoder{row: inner}, nil
	},
}

// Decoder reads Canal events (a connector.ChangelogDecoder).
type Decoder struct {
	row             *json.Decoder
	width           int
	skip            bool
	database, table *regexp.Regexp
}

type event struct {
	Data     []stdjson.RawMessage `json:"data"`
	Old      []stdjson.RawMessage `json:"old"`
	Type     *string              `json:"type"`
	Database *string              `json:"database"`
	Table    *string              `json:"table"`
}

// Decode is not used: the runtime calls DecodeChanges.
func (d *Decoder) Decode([]byte, core.Row) error {
	return errors.New("canal-json: events are decoded with DecodeChanges")
}

// SkipsParseErrors reports 'canal-json.ignore-parse-errors'.
func (d *Decoder) SkipsParseErrors() bool { return d.skip }

func (d *Decoder) fail(err error) error {
	if d.skip && !errors.Is(err, connector.ErrSkipRecord) {
		return fmt.Errorf("%w: %v", connector.ErrSkipRecord, err)
	}
	return err
}

func matches(re *regexp.Regexp, v *string) bool {
	return re == nil || v != nil && re.MatchString(*v)
}

// DecodeChanges gives an event's rows with their kinds.
func (d *Decoder) DecodeChanges(rec *connector.Record, out []connector.Change) ([]connector.Change, error) {
	if len(rec.Value) == 0 {
		return out, nil
	}
	var e event
	if err := stdjson.Unmarshal(rec.Value, &e); err != nil {
		return out, d.fail(fmt.Errorf("corrupt Canal JSON message: %v", err))
	}
	if !matches(d.database, e.Database) || !matches(d.table, e.Table) {
		return out, nil
	}
	if e.Type == nil {
		return out, d.fail(errors.New("corrupt Canal JSON message: no \"type\""))
	}
	kind := core.Insert
	switch *e.Type {
	case "INSERT":
	case "DELETE":
		kind = core.Delete
	case "UPDATE":
		if len(e.Old) != len(e.Data) {
			return out, d.fail(fmt.Errorf("corrupt Canal JSON message: an UPDATE with %d rows in \"data\" and %d in \"old\"", len(e.Data), len(e.Old)))
		}
	case "CREATE":
		return out, nil // a DDL event
	default:
		return out, d.fail(fmt.Errorf("unknown \"type\" value %q in a Canal JSON message", *e.Type))
	}
	for i, raw := range e.Data {
		row := make(core.Row, d.width)
		if err := d.row.Decode(raw, row); err != nil {
			return out, d.fail(fmt.Errorf("\"data\"[%d]: %w", i, err))
		}
		if *e.Type != "UPDATE" {
			out = append(out, connector.Change{Kind: kind, Row: row})
			continue
		}
		before := make(core.Row, d.width)
		if err := d.row.Decode(e.Old[i], before); err != nil {
			return out, d.fail(fmt.Errorf("\"old\"[%d]: %w", i, err))
		}
		for f := range before {
			if before[f].IsNull() {
				before[f] = row[f] // not in "old": unchanged
			}
		}
		out = append(out, connector.Change{Kind: core.UpdateBefore, Row: before}, connector.Change{Kind: core.UpdateAfter, Row: row})
	}
	return out, nil
}

// Encoder writes Canal events (a connector.ChangelogEncoder).
type Encoder struct{ row *json.Encoder }

// Encode writes an insert.
func (e *Encoder) Encode(buf []byte, row core.Row) ([]byte, error) {
	return e.EncodeChange(buf, core.Insert, row)
}

// EncodeChange writes +I/+U as type "INSERT", -U/-D as "DELETE".
func (e *Encoder) EncodeChange(buf []byte, kind core.RowKind, row core.Row) ([]byte, error) {
	buf = append(buf, `{"data":[`...)
	buf, err := e.row.Encode(buf, row)
	if err != nil {
		return buf, err
	}
	if kind.IsRetract() {
		return append(buf, `],"type":"DELETE"}`...), nil
	}
	return append(buf, `],"type":"INSERT"}`...), nil
}
