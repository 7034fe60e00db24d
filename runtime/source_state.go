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
	var b []byte
	b = binary.AppendVarint(b, s.wm)
	b = binary.AppendVarint(b, s.read)
	b = binary.AppendVarint(b, boolInt(s.warnedNull))
	b = binary.AppendVarint(b, boolInt(c.done[s]))
	if err := w.Put(srcTableMeta, nil, b); err != nil {
		return err
	}
	var k []byte
	for i := range s.splits {
		sp := &s.splits[i]
		k = core.AppendOrderedInt64(k[:0], int64(i))
		b = b[:0]
		b = binary.AppendVarint(b, sp.wm)
		b = binary.AppendVarint(b, boolInt(sp.active))
		b = binary.AppendVarint(b, boolInt(sp.ended))
		if err := w.Put(srcTableSplits, k, b); err != nil {
			return err
		}
	}
	pos := c.positions[s]
	splits := make([]int, 0, len(pos))
	for i := range pos {
		splits = append(splits, i)
	}
	sort.Ints(splits)
	for _, i := range splits {
		p := pos[i]
		op.Splits = append(op.Splits, state.SplitPosition{Split: p.Split, Name: p.Name, Offset: p.Offset, Line: p.Line, Done: p.Done})
	}
	op.Counters.Read = s.read
	return nil
}

func (c *checkpointer) restoreSource(s *sourceNode, op *state.OperatorState, r core.StateReader) error {
	table := s.op.Table.Name
	found := false
	err := r.Scan(srcTableMeta, func(_, v []byte) error {
		found = true
		d := core.NewStateDecoder(v)
		s.wm = d.Varint()
		s.read = d.Varint()
		s.warnedNull = d.Varint() != 0
		if d.Varint() != 0 {
			c.done[s] = true
		}
		return d.Err()
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: source metadata entry missing", core.ErrBadState)
	}
	if err != nil {
		return fmt.Errorf("table %s: %w", table, err)
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
		m[p.Split] = pos[i]
	}
	c.positions[s] = m
	if sk, ok := s.reader.(connector.Seeker); ok {
		if err := sk.Seek(pos); err != nil {
			return fmt.Errorf("table %s: resuming: %w", table, err)
		}
	} else if s.read > 0 {
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
