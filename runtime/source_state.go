package runtime

import (
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/state"
)

// A source's checkpointed state: table 0 holds (watermark, records read,
// NULL-rowtime warning given, exhausted), table 1 one entry per split
// (split number -> watermark, active, ended). Read positions go in the
// manifest (state.OperatorState.Splits), where they are readable.

const (
	srcTableMeta   uint8 = 0
	srcTableSplits uint8 = 1
)

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (c *checkpointer) snapshotSource(s *sourceNode, op *state.OperatorState, w core.StateWriter) error {
	return writeSourceState(s, 0, c.done[s], c.positions[s], op, w)
}

// writeSourceState writes source subtask sub's state (its metadata entry,
// keyed by sub when the source runs as several subtasks, and its splits)
// and adds its positions and count to op.
func writeSourceState(s *sourceNode, sub int, done bool, pos map[int]connector.Position, op *state.OperatorState, w core.StateWriter) error {
	var b []byte
	b = binary.AppendVarint(b, s.wm)
	b = binary.AppendVarint(b, s.read)
	b = binary.AppendVarint(b, boolInt(s.warnedNull))
	b = binary.AppendVarint(b, boolInt(done))
	if err := w.Put(srcTableMeta, sourceMetaKey(sub, s.job.rp[s.node.plan] > 1), b); err != nil {
		return err
	}
	var k []byte
	for i := range s.splits {
		sp := &s.splits[i]
		if !sp.active && !sp.ended && !sp.idle {
			continue // another subtask's, or not started
		}
		k = core.AppendOrderedInt64(k[:0], int64(i))
		b = b[:0]
		b = binary.AppendVarint(b, sp.wm)
		b = binary.AppendVarint(b, boolInt(sp.active))
		b = binary.AppendVarint(b, boolInt(sp.ended))
		if err := w.Put(srcTableSplits, k, b); err != nil {
			return err
		}
	}
	splits := make([]int, 0, len(pos))
	for i := range pos {
		splits = append(splits, i)
	}
	sort.Ints(splits)
	for _, i := range splits {
		p := pos[i]
		op.Splits = append(op.Splits, state.SplitPosition{Split: p.Split, Name: p.Name, Offset: p.Offset, Line: p.Line, Done: p.Done})
	}
	op.Counters.Read += s.read
	return nil
}

// restoreSource restores source subtask sub (0: the job's own node).
// The metadata entries of the checkpoint's subtasks combine: the
// smallest watermark, records read added up (counted in subtask 0),
// exhausted only if all were. A subtask restores the splits it reads
// (connector.SplitOwner) and seeks its reader to their positions.
func (c *checkpointer) restoreSource(s *sourceNode, sub int, op *state.OperatorState, r core.StateReader) error {
	table := s.op.Table.Name
	found, done := false, true
	wm, read, warned := core.MaxWatermark, int64(0), false
	err := r.Scan(srcTableMeta, func(_, v []byte) error {
		found = true
		d := core.NewStateDecoder(v)
		wm = min(wm, d.Varint())
		read += d.Varint()
		w, e := d.Varint() != 0, d.Varint() != 0
		warned, done = warned || w, done && e
		return d.Err()
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: source metadata entry missing", core.ErrBadState)
	}
	if err != nil {
		return fmt.Errorf("table %s: %w", table, err)
	}
	s.wm, s.warnedNull = wm, warned
	s.node.metrics.CurrentWatermark.Store(wm)
	if sub == 0 {
		s.read = read
	}
	if done && sub == 0 {
		c.done[s] = true
	}
	s.ectx.Watermark = s.wm
	now := time.Now()
	err = r.Scan(srcTableSplits, func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("%w: split key of %d bytes", core.ErrBadState, len(k))
		}
		i := core.OrderedInt64(k)
		if i < 0 || i > 1<<20 {
			return fmt.Errorf("%w: split number %d", core.ErrBadState, i)
		}
		if !s.ownsSplit(int(i)) {
			return nil
		}
		d := core.NewStateDecoder(v)
		sp := s.split(int(i))
		sp.wm = d.Varint()
		sp.active = d.Varint() != 0
		sp.ended = d.Varint() != 0
		sp.lastActive = now
		return d.Err()
	})
	if err != nil {
		return fmt.Errorf("table %s: %w", table, err)
	}
	pos := make([]connector.Position, len(op.Splits))
	m := map[int]connector.Position{}
	for i, p := range op.Splits {
		pos[i] = connector.Position{Split: p.Split, Name: p.Name, Offset: p.Offset, Line: p.Line, Done: p.Done}
		if s.ownsSplit(p.Split) {
			m[p.Split] = pos[i]
		}
	}
	if sub == 0 {
		c.positions[s] = m
	}
	s.positions = m
	if sk, ok := s.reader.(connector.Seeker); ok {
		if err := sk.Seek(pos); err != nil {
			return fmt.Errorf("table %s: resuming: %w", table, err)
		}
	} else if read > 0 {
		fmt.Fprintf(c.j.opts.Stderr, "warning: table %s: connector '%s' cannot resume from a read position; it starts from its beginning again (rows before the checkpoint may be read twice)\n",
			table, s.spec.Name)
	}
	return nil
}

// progress asks a sink for its durable progress (after a flush).
func (s *sinkNode) progress() ([]byte, error) {
	ps, ok := s.writer.(connector.ProgressSink)
	if !ok {
		return nil, nil
	}
	tok, err := ps.Progress()
	if err != nil {
		return nil, fmt.Errorf("table %s: recording progress: %w", s.op.Table.Name, err)
	}
	return tok, nil
}

// waitStopped waits until the poll goroutine (start) has exited; the
// job's context must be cancelled first.
func (s *sourceNode) waitStopped() {
	if s.polls == nil {
		return
	}
	for range s.polls {
	}
}
