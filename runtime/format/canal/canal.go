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
	Options: append([]connector.OptionSpec{
		{Key: "database.include", Doc: "A regular expression (RE2) the event's \"database\" must match whole; other events are skipped."},
		{Key: "table.include", Doc: "A regular expression (RE2) the event's \"table\" must match whole; other events are skipped."},
	}, json.ChangelogOptions("type")...),
	NewDecoder: func(cols planner.Schema, t *planner.TableDesc, prefix string) (connector.Decoder, error) {
		p := prefix + "canal-json."
		rows, err := json.NewEventRows("canal-json", cols, t, p)
		if err != nil {
			return nil, err
		}
		d := &Decoder{EventRows: rows}
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
		return json.NewEnvelope(cols, t, prefix+"canal-json.",
			[2]string{`{"data":[`, `],"type":"INSERT"}`},
			[2]string{`{"data":[`, `],"type":"DELETE"}`})
	},
}

// Decoder reads Canal events (a connector.ChangelogDecoder).
type Decoder struct {
	*json.EventRows
	database, table *regexp.Regexp
}

type event struct {
	Data     []stdjson.RawMessage `json:"data"`
	Old      []stdjson.RawMessage `json:"old"`
	Type     *string              `json:"type"`
	Database *string              `json:"database"`
	Table    *string              `json:"table"`
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
		return out, d.Fail(fmt.Errorf("corrupt Canal JSON message: %v", err))
	}
	if !matches(d.database, e.Database) || !matches(d.table, e.Table) {
		return out, nil
	}
	if e.Type == nil {
		return out, d.Fail(errors.New("corrupt Canal JSON message: no \"type\""))
	}
	kind := core.Insert
	switch *e.Type {
	case "INSERT":
	case "DELETE":
		kind = core.Delete
	case "UPDATE":
		if len(e.Old) != len(e.Data) {
			return out, d.Fail(fmt.Errorf("corrupt Canal JSON message: an UPDATE with %d rows in \"data\" and %d in \"old\"", len(e.Data), len(e.Old)))
		}
	case "CREATE":
		return out, nil // a DDL event
	default:
		return out, d.Fail(fmt.Errorf("unknown \"type\" value %q in a Canal JSON message", *e.Type))
	}
	for i, raw := range e.Data {
		row, err := d.Row(raw, "data", i)
		if err != nil {
			return out, err
		}
		if *e.Type != "UPDATE" {
			out = append(out, connector.Change{Kind: kind, Row: row})
			continue
		}
		before, err := d.Row(e.Old[i], "old", i)
		if err != nil {
			return out, err
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
