// Package debezium is Flink's 'debezium-json' format: Debezium's change
// events as JSON, the way Flink users read CDC streams from Kafka.
//
// A record's payload is {"before": row, "after": row, "op": ...} (inside
// {"schema": ..., "payload": ...} with 'debezium-json.schema-include'):
// op "c" (create) and "r" (snapshot read) give +I(after), "u" gives
// -U(before) then +U(after), "d" gives -D(before), as Flink's
// DebeziumJsonDeserializationSchema; an empty record (a Kafka tombstone
// Debezium writes after a delete) gives nothing. The rows inside are read
// by the json format's decoder, so conversions are json's. Written,
// +I and +U become {"before":null,"after":row,"op":"c"} and -U and -D
// {"before":row,"after":null,"op":"d"}, as Flink's
// DebeziumJsonSerializationSchema writes them.
package debezium

import (
	stdjson "encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/format/json"
)

// Spec is the debezium-json format.
var Spec = &connector.FormatSpec{
	Name: "debezium-json",
	Doc: "Debezium change events in JSON (Flink's 'debezium-json'): a changelog format. Read, op \"c\" and \"r\" give +I (the \"after\" row), " +
		"\"u\" gives -U (\"before\") and +U (\"after\"), \"d\" gives -D (\"before\"); an empty record gives nothing. A source in this format " +
		"is a changelog source (`[I,UB,UA,D]`). Written (the 'kafka' sink takes updating queries in this format), +I and +U become " +
		"`{\"before\":null,\"after\":{...},\"op\":\"c\"}`, -U and -D `{\"before\":{...},\"after\":null,\"op\":\"d\"}`. Rows inside are read and written as by 'json'. " +
		"Its metadata columns ('value.ingestion-timestamp', 'value.source.*') are not supported yet.",
	Changelog: true,
	Options: append([]connector.OptionSpec{
		{Key: "schema-include", Default: "false", Type: connector.OptBool,
			Doc: "The events carry Debezium's schema: {\"schema\": ..., \"payload\": {...}} (Kafka Connect's 'value.converter.schemas.enable'); the schema is ignored. Reading only."},
	}, json.ChangelogOptions("op")...),
	NewDecoder: func(cols planner.Schema, t *planner.TableDesc, prefix string) (connector.Decoder, error) {
		rows, err := json.NewEventRows("debezium-json", cols, t, prefix+"debezium-json.")
		if err != nil {
			return nil, err
		}
		schema, err := connector.OptionBool(t, prefix+"debezium-json.schema-include", false)
		if err != nil {
			return nil, err
		}
		return &Decoder{EventRows: rows, schema: schema}, nil
	},
	NewEncoder: func(cols planner.Schema, t *planner.TableDesc, prefix string) (connector.Encoder, error) {
		if on, err := connector.OptionBool(t, prefix+"debezium-json.schema-include", false); err != nil || on {
			if err == nil {
				err = connector.OptionError(t, prefix+"debezium-json.schema-include", "option '%sdebezium-json.schema-include' = 'true' is not supported yet for writing (it would write Debezium's schema); leave it 'false'", prefix)
			}
			return nil, err
		}
		return json.NewEnvelope(cols, t, prefix+"debezium-json.",
			[2]string{`{"before":null,"after":`, `,"op":"c"}`},
			[2]string{`{"before":`, `,"after":null,"op":"d"}`})
	},
}

// Decoder reads Debezium events (a connector.ChangelogDecoder).
type Decoder struct {
	*json.EventRows
	schema bool
}

type payload struct {
	Before stdjson.RawMessage `json:"before"`
	After  stdjson.RawMessage `json:"after"`
	Op     *string            `json:"op"`
}

// DecodeChanges gives an event's rows with their kinds.
func (d *Decoder) DecodeChanges(rec *connector.Record, out []connector.Change) ([]connector.Change, error) {
	v := rec.Value
	if len(v) == 0 {
		return out, nil // a tombstone after a delete: nothing, as Flink
	}
	var p payload
	if d.schema {
		var env struct {
			Payload *payload `json:"payload"`
		}
		if err := stdjson.Unmarshal(v, &env); err != nil {
			return out, d.Fail(fmt.Errorf("corrupt Debezium JSON message: %v", err))
		}
		if env.Payload == nil {
			return out, d.Fail(errors.New("corrupt Debezium JSON message: no \"payload\" ('debezium-json.schema-include' is 'true')"))
		}
		p = *env.Payload
	} else if err := stdjson.Unmarshal(v, &p); err != nil {
		return out, d.Fail(fmt.Errorf("corrupt Debezium JSON message: %v", err))
	}
	if p.Op == nil {
		hint := ""
		if strings.Contains(string(v), `"payload"`) {
			hint = " (the event has a \"payload\": set 'debezium-json.schema-include' = 'true')"
		}
		return out, d.Fail(fmt.Errorf("corrupt Debezium JSON message: no \"op\"%s", hint))
	}
	switch op := *p.Op; op {
	case "c", "r":
		return d.add(out, core.Insert, p.After, "after", op)
	case "u":
		out, err := d.add(out, core.UpdateBefore, p.Before, "before", op)
		if err != nil {
			return out, err
		}
		return d.add(out, core.UpdateAfter, p.After, "after", op)
	case "d":
		return d.add(out, core.Delete, p.Before, "before", op)
	default:
		return out, d.Fail(fmt.Errorf("unknown \"op\" value %q in a Debezium JSON message", op))
	}
}

// add decodes one row of the event and appends it with its kind.
func (d *Decoder) add(out []connector.Change, kind core.RowKind, raw stdjson.RawMessage, field, op string) ([]connector.Change, error) {
	if len(raw) == 0 || string(raw) == "null" {
		hint := ""
		if field == "before" {
			hint = "; with the Debezium Postgres connector, set the table's REPLICA IDENTITY to FULL"
		}
		return out, d.Fail(fmt.Errorf("the %q field of a Debezium JSON message with op %q is null%s", field, op, hint))
	}
	row, err := d.Row(raw, field, -1)
	if err != nil {
		return out, err
	}
	return append(out, connector.Change{Kind: kind, Row: row}), nil
}
