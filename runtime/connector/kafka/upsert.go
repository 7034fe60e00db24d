package kafka

import (
	"errors"
	"fmt"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
)

// upsertDecoder decodes the records of an upsert source (the
// upsert-kafka connector), as Flink's DynamicKafkaDeserializationSchema
// in upsert mode: the key columns ('key.fields', the primary key) from
// the record key with 'key.format', the value columns from the value
// with 'format' ('value.fields-include' = 'ALL': every physical column,
// whose values then win over the key's, as in Flink; 'EXCEPT_KEY': the
// others). A record with a value is the key's new row (+U); a tombstone
// (null value) deletes the key (-D, only the key columns set).
type upsertDecoder struct {
	key, value     connector.Decoder
	keyRow, valRow core.Row
	keyAt, valAt   []int // where each key / value column goes in a row (-1: not read)
	width          int
}

// NewUpsertDecoder builds the decoder of an upsert source of t (the
// kafka table upsert-kafka translates its own to: 'key.fields' the
// primary key, 'format' the value format) for the table columns read,
// in that order.
func NewUpsertDecoder(t *planner.TableDesc, read []int) (connector.ChangelogDecoder, error) {
	cfg, err := parseConfig(t)
	if err != nil {
		return nil, err
	}
	if len(cfg.keyFields) == 0 {
		return nil, fmt.Errorf("table '%s': an upsert source needs key columns", t.Name)
	}
	at := func(col int) int {
		for i, r := range read {
			if r == col {
				return i
			}
		}
		return -1
	}
	d := &upsertDecoder{width: len(read)}
	kf, _ := t.Option("key.format")
	f, err := connector.LookupFormat(kf)
	if err != nil {
		return nil, connector.OptionError(t, "key.format", "%v", err)
	}
	if d.key, err = f.NewDecoder(keySchema(t, cfg), t, "key."); err != nil {
		return nil, err
	}
	d.keyRow = make(core.Row, len(cfg.keyFields))
	for _, k := range cfg.keyFields {
		d.keyAt = append(d.keyAt, at(k))
	}
	var cols planner.Schema
	for _, r := range read {
		if t.Kinds[r] == sql.PhysicalColumn && !(cfg.exceptKey && isKey(cfg, r)) {
			cols = append(cols, t.Columns[r])
			d.valAt = append(d.valAt, at(r))
		}
	}
	vf, _ := t.Option("format")
	if f, err = connector.LookupFormat(vf); err != nil {
		return nil, connector.OptionError(t, "format", "%v", err)
	}
	if d.value, err = f.NewDecoder(cols, t, ""); err != nil {
		return nil, err
	}
	d.valRow = make(core.Row, len(cols))
	return d, nil
}

// Decode is not used: the runtime calls DecodeChanges.
func (d *upsertDecoder) Decode([]byte, core.Row) error {
	return errors.New("an upsert source's records are decoded with their keys (DecodeChanges)")
}

// SkipsParseErrors reports the value format's 'ignore-parse-errors'.
func (d *upsertDecoder) SkipsParseErrors() bool { return connector.SkipsParseErrors(d.value) }

// DecodeChanges gives the record's one row: +U with the key's new row,
// or -D for a tombstone.
func (d *upsertDecoder) DecodeChanges(rec *connector.Record, out []connector.Change) ([]connector.Change, error) {
	if rec.Key == nil {
		err := errors.New("the record has no key (an upsert-kafka record's key is its PRIMARY KEY)")
		if d.SkipsParseErrors() {
			err = fmt.Errorf("%w: %v", connector.ErrSkipRecord, err)
		}
		return out, err
	}
	if err := d.key.Decode(rec.Key, d.keyRow); err != nil {
		return out, fmt.Errorf("record key: %w", err)
	}
	row := make(core.Row, d.width)
	for i, p := range d.keyAt {
		if p >= 0 {
			row[p] = d.keyRow[i]
		}
	}
	if rec.Value == nil {
		return append(out, connector.Change{Kind: core.Delete, Row: row}), nil
	}
	if err := d.value.Decode(rec.Value, d.valRow); err != nil {
		return out, err
	}
	for i, p := range d.valAt {
		if p >= 0 {
			row[p] = d.valRow[i]
		}
	}
	return append(out, connector.Change{Kind: core.UpdateAfter, Row: row}), nil
}
