package ops

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// changelogNormalize is Flink's ChangelogNormalize (planner.ChangelogNormalizeOp),
// which runs ProcTimeDeduplicateKeepLastRowFunction on a changelog with
// update-before rows on and no state TTL: it keeps each key's last row and
//
//   - for an insert or +U of a new key emits +I;
//   - for one of a known key emits -U (the kept row) and +U, or nothing
//     when the row equals the kept one;
//   - for a -D or -U of a known key emits -D with the kept row (the
//     input's may hold only the key: a Kafka tombstone) and forgets the
//     key; of an unknown key, nothing.
//
// It reads no watermark (processing order is arrival order). State is
// one entry per key (core.KeyedState), split by key group, with
// incremental snapshots as groupAgg's.
type changelogNormalize struct {
	keys  []int
	rows  map[string]*normRow
	buf   []byte
	eq    rowEqual
	dirty map[string]*normRow // since the last snapshot (core.IncrementalState)
	track bool
}

// normRow is one key's state: its key values and last row.
type normRow struct {
	key []types.Value
	row core.Row
}

// NewChangelogNormalize builds the operator for spec.
func NewChangelogNormalize(spec *planner.ChangelogNormalizeOp, _ *core.Context) (core.Operator, error) {
	return &changelogNormalize{keys: spec.Keys, rows: map[string]*normRow{}}, nil
}

func (o *changelogNormalize) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	var ob core.Batch
	for ri, row := range b.Rows {
		o.buf = partKey(o.buf, o.keys, row)
		k := o.rows[string(o.buf)]
		if b.KindAt(ri).IsRetract() {
			if k == nil {
				continue // nothing to delete
			}
			appendKind(&ob, b, ri, core.Delete, k.row)
			o.forget(string(o.buf), k)
			continue
		}
		switch {
		case k == nil:
			k = &normRow{key: make([]types.Value, len(o.keys))}
			for i, c := range o.keys {
				k.key[i] = row[c]
			}
			o.rows[string(o.buf)] = k
			k.row = slices.Clone(row)
			appendKind(&ob, b, ri, core.Insert, k.row)
		case o.eq.same(k.row, row):
			continue
		default:
			appendKind(&ob, b, ri, core.UpdateBefore, k.row)
			k.row = slices.Clone(row)
			appendKind(&ob, b, ri, core.UpdateAfter, k.row)
		}
		if o.track {
			o.dirty[string(o.buf)] = k
		}
	}
	if len(ob.Rows) == 0 {
		return nil
	}
	return out.Emit(&ob)
}

// forget drops a deleted key (remembered for the next incremental
// snapshot with its last state, which names its key group).
func (o *changelogNormalize) forget(key string, k *normRow) {
	delete(o.rows, key)
	if o.track {
		o.dirty[key] = k
	}
}

func (o *changelogNormalize) ProcessWatermark(int64, core.Output) error { return nil }
func (o *changelogNormalize) Finish(core.Output) error                  { return nil }

// BorrowsBatches: the operator copies the rows it keeps.
func (o *changelogNormalize) BorrowsBatches() {}

// Snapshot writes one entry per key in table 1, keyed by its encoded
// key: the key values, then the last row.
func (o *changelogNormalize) Snapshot(w core.StateWriter) error {
	if err := putEntries(w, o.rows, appendNormRow); err != nil {
		return err
	}
	o.track, o.dirty = true, map[string]*normRow{}
	return nil
}

// SnapshotChanges implements core.IncrementalState: the keys changed
// since the last snapshot, a Delete for those deleted.
func (o *changelogNormalize) SnapshotChanges(w core.DeltaWriter) error {
	if err := putChanges(w, o.dirty, o.rows, appendNormRow); err != nil {
		return err
	}
	o.track, o.dirty = true, map[string]*normRow{}
	return nil
}

func appendNormRow(b []byte, r *normRow) []byte {
	for _, v := range r.key {
		b = core.AppendValue(b, v)
	}
	return core.AppendRow(b, r.row)
}

// Restore reads back what Snapshot wrote (several subtasks' entries
// after rescaling).
func (o *changelogNormalize) Restore(r core.StateReader) error {
	o.rows = map[string]*normRow{}
	return r.Scan(tableWindow, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		k := &normRow{key: readKeyValues(d, len(o.keys))}
		k.row = d.Row()
		if err := d.Err(); err != nil {
			return fmt.Errorf("changelog normalize state: %w", err)
		}
		o.rows[string(key)] = k
		return nil
	})
}

// EntryKey implements core.KeyedState: an entry starts with its key
// values.
func (o *changelogNormalize) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return groupEntryKey(table, value, o.keys)
}

var _ core.IncrementalState = (*changelogNormalize)(nil)

// rowEqual compares rows by their exact encodings (a NULL equals a
// NULL, 1.0 differs from 1.00), as Flink's generated RecordEqualiser
// compares binary rows; it keeps its buffers.
type rowEqual struct{ a, b []byte }

func (e *rowEqual) same(x, y core.Row) bool {
	if len(x) != len(y) {
		return false
	}
	e.a, e.b = e.a[:0], e.b[:0]
	for i := range x {
		e.a = core.AppendValue(e.a, x[i])
		e.b = core.AppendValue(e.b, y[i])
	}
	return bytes.Equal(e.a, e.b)
}
