package json

import (
	"errors"
	"fmt"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
)

// What the changelog formats that carry JSON rows (debezium-json,
// canal-json) share: their common options, reading the rows of an event
// with a whole-record error that 'ignore-parse-errors' can skip, and
// writing a row inside an envelope chosen by its kind.

// ChangelogOptions are the options every JSON changelog format takes
// under its own prefix ("debezium-json.", "canal-json."); event names the
// field whose unknown value 'ignore-parse-errors' skips ("op", "type").
func ChangelogOptions(event string) []connector.OptionSpec {
	return []connector.OptionSpec{
		{Key: "ignore-parse-errors", Default: "false", Type: connector.OptBool,
			Doc: "Skip events that are not valid JSON or have an unknown \"" + event + "\" (counted in records_skipped), and read fields that cannot be converted as NULL, instead of failing the job."},
		{Key: "timestamp-format.standard", Default: "SQL", Type: connector.OptEnum, Enum: []string{"SQL", "ISO-8601"},
			Doc: "How timestamps are written, as 'json.timestamp-format.standard'. Reading accepts both."},
		{Key: "map-null-key.mode", Default: "FAIL", Type: connector.OptEnum, Enum: []string{"FAIL", "DROP", "LITERAL"}, Ignored: true,
			Doc: "Accepted for compatibility; no effect."},
		{Key: "map-null-key.literal", Default: "null", Ignored: true, Doc: "Accepted for compatibility; no effect."},
		{Key: "encode.decimal-as-plain-number", Default: "false", Type: connector.OptBool, Ignored: true,
			Doc: "Accepted for compatibility; decimals are always written in plain notation."},
	}
}

// EventRows reads the rows inside a changelog format's events.
type EventRows struct {
	format string // "debezium-json": named by Decode's error
	row    *Decoder
	width  int
	skip   bool
}

// NewEventRows builds the row reader of a changelog format whose options
// are under p (prefix + "debezium-json.").
func NewEventRows(format string, cols planner.Schema, t *planner.TableDesc, p string) (*EventRows, error) {
	o, err := OptionsAt(t, p)
	if err != nil {
		return nil, err
	}
	inner, err := NewDecoder(cols, o)
	if err != nil {
		return nil, err
	}
	return &EventRows{format: format, row: inner, width: len(cols), skip: o.IgnoreParseErrors}, nil
}

// Decode is not used: the runtime calls the format's DecodeChanges.
func (d *EventRows) Decode([]byte, core.Row) error {
	return fmt.Errorf("%s: events are decoded with DecodeChanges", d.format)
}

// SkipsParseErrors reports the format's 'ignore-parse-errors'.
func (d *EventRows) SkipsParseErrors() bool { return d.skip }

// Fail makes a whole-record error, skippable when configured.
func (d *EventRows) Fail(err error) error {
	if d.skip && !errors.Is(err, connector.ErrSkipRecord) {
		return fmt.Errorf("%w: %v", connector.ErrSkipRecord, err)
	}
	return err
}

// Row decodes one row of an event, the value of field (element i of it
// when i >= 0), which an error names ("after", "data"[0]).
func (d *EventRows) Row(raw []byte, field string, i int) (core.Row, error) {
	row := make(core.Row, d.width)
	if err := d.row.Decode(raw, row); err != nil {
		if i >= 0 {
			return nil, d.Fail(fmt.Errorf("%q[%d]: %w", field, i, err))
		}
		return nil, d.Fail(fmt.Errorf("%q: %w", field, err))
	}
	return row, nil
}

// Envelope writes a row inside a changelog event: Insert's two halves
// around +I and +U, Retract's around -U and -D.
type Envelope struct {
	row             *Encoder
	Insert, Retract [2]string
}

// NewEnvelope builds the writer of a changelog format whose options are
// under p.
func NewEnvelope(cols planner.Schema, t *planner.TableDesc, p string, insert, retract [2]string) (*Envelope, error) {
	o, err := OptionsAt(t, p)
	if err != nil {
		return nil, err
	}
	inner, err := NewEncoder(cols, o)
	if err != nil {
		return nil, err
	}
	return &Envelope{row: inner, Insert: insert, Retract: retract}, nil
}

// Encode writes an insert.
func (e *Envelope) Encode(buf []byte, row core.Row) ([]byte, error) {
	return e.EncodeChange(buf, core.Insert, row)
}

// EncodeChange writes a row of any kind (a connector.ChangelogEncoder).
func (e *Envelope) EncodeChange(buf []byte, kind core.RowKind, row core.Row) ([]byte, error) {
	env := e.Insert
	if kind.IsRetract() {
		env = e.Retract
	}
	buf = append(buf, env[0]...)
	buf, err := e.row.Encode(buf, row)
	if err != nil {
		return buf, err
	}
	return append(buf, env[1]...), nil
}
