package ops

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"unsafe"

	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/state"
)

// Spilling of window aggregation state (TUMBLE, HOP, CUMULATE) beyond
// SET 'state.backend.memory-limit'.
//
// The in-memory groups are a cache. Their size is estimated, not
// measured: a fixed size per group worked out once from the accumulator
// layout (Go struct sizes rounded to allocation classes, map slot and
// order slice share) plus twice the encoded key length (the map's key
// string and the key values). After a batch, when the estimate exceeds
// the limit, groups are written to a Badger spill table (state.Spill,
// one per operator, in a temporary directory under 'io.tmp.dirs') and
// dropped from memory until the estimate is 90 % of the limit: windows
// that fire last (largest end) first, and within a window groups not
// updated since the previous eviction first (a CLOCK bit set per row).
//
// Spill table keys (end and start as core.AppendOrderedInt64):
//
//	'd' | end | start | ordinal (4 bytes)  -> group key values, accumulators (the snapshot encoding)
//	'i' | end | start | encoded group key  -> ordinal
//
// The ordinal is the group's first-seen position in its window, so that
// the output order (first seen) is the same with and without spilling.
// A row whose group is not in memory checks the window's Bloom filter of
// spilled keys; on a hit it reads the index and the data entry (two point
// reads) and the group comes back into memory with its ordinal, its data
// entry left behind as a stale copy: memory wins over disk wherever both
// hold an ordinal. Firing a window that spilled sorts its in-memory
// groups by ordinal and merges them with one range scan of its data
// entries, emitting batches of spillChunk rows, then drops the window's
// key ranges. A snapshot writes the same merge, so checkpoints hold all
// state in the usual format and never refer to the spill table; a
// restore rebuilds memory and spills again as it goes.
//
// Not counted in the estimate: DISTINCT value sets (they grow with the
// distinct values), Badger's own memory (2 x 32 MiB memtables, 32 MiB
// block cache, 16 MiB index cache) and the Go collector's headroom
// (GOGC=100 lets the heap grow to twice the live data unless GOMEMLIMIT
// says otherwise). SESSION windows and window joins are not spilled.

const (
	optMemoryLimit = "state.backend.memory-limit"
	optTmpDirs     = "io.tmp.dirs"
	spillChunk     = 4096 // rows per emitted batch when a window fires from spill
)

// aggSpill is an operator's spilling state; nil without a memory limit.
type aggSpill struct {
	limit    int64 // bytes
	used     int64 // estimated bytes of groups (and Bloom filters) in memory
	perGroup int64 // estimated bytes of one group besides its key
	base     string
	tab      *state.Spill // opened at the first eviction
	seed     maphash.Seed
	kbuf     []byte
	vbuf     []byte
	stats    SpillStats
}

// winSpill is a window's spilled part; nil until one of its groups is spilled.
type winSpill struct {
	keys bloom // encoded keys of groups with an index entry
	n    int   // groups with an index entry
}

// dropPrefixFrom is the number of spilled groups from which a fired
// window's entries are dropped with Badger's DropPrefix (which flushes a
// memtable) rather than deleted one by one.
const dropPrefixFrom = 100_000

// SpillStats counts what an operator spilled (cumulative).
type SpillStats struct {
	Evictions    int64 // eviction rounds
	GroupsOut    int64 // groups written to the spill table
	GroupsIn     int64 // groups read back because a row updated them
	BytesWritten int64 // key and value bytes written to the spill table
	MemoryUsed   int64 // current estimate of in-memory state, bytes
	MemoryLimit  int64
}

// SpillStatsOf reports the spill counters of a window aggregation built
// with a memory limit.
func SpillStatsOf(op core.Operator) (SpillStats, bool) {
	o, ok := op.(*windowAgg)
	if !ok || o.spill == nil {
		return SpillStats{}, false
	}
	s := o.spill.stats
	s.MemoryUsed, s.MemoryLimit = o.spill.used, o.spill.limit
	if o.spill.tab != nil {
		s.BytesWritten = o.spill.tab.Written()
	}
	return s, true
}

// newAggSpill reads the memory limit from the job's settings; nil when none is set.
func newAggSpill(ctx *core.Context, nKeys, nAggs int) (*aggSpill, error) {
	if ctx == nil || ctx.Settings == nil {
		return nil, nil
	}
	v, ok := ctx.Settings[optMemoryLimit]
	if !ok || strings.TrimSpace(v) == "" {
		return nil, nil
	}
	limit, err := connector.ParseMemory(v)
	if err != nil {
		return nil, fmt.Errorf("SET '%s': %w", optMemoryLimit, err)
	}
	if limit <= 0 {
		return nil, fmt.Errorf("SET '%s' = '%s': must be more than 0 bytes", optMemoryLimit, v)
	}
	base := ctx.Settings[optTmpDirs]
	// Flink's io.tmp.dirs lists directories separated by ',' or the path separator; take the first.
	if i := strings.IndexAny(base, ",:"); i >= 0 {
		base = base[:i]
	}
	return &aggSpill{limit: limit, perGroup: groupFootprint(nKeys, nAggs), base: strings.TrimSpace(base), seed: maphash.MakeSeed()}, nil
}

// allocSize rounds n up roughly as Go's allocator size classes do.
func allocSize(n int64) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 128:
		return (n + 15) &^ 15
	case n <= 1024:
		return (n + 63) &^ 63
	}
	return (n + 255) &^ 255
}

// groupFootprint estimates one group's bytes besides its key bytes: the
// group struct, its key values and accumulators, its map slot (key string
// header and pointer at the map's average load) and its order entry.
func groupFootprint(nKeys, nAggs int) int64 {
	g := allocSize(int64(unsafe.Sizeof(group{})))
	keys := allocSize(int64(nKeys) * int64(unsafe.Sizeof(types.Value{})))
	accs := allocSize(int64(nAggs) * int64(unsafe.Sizeof(acc{})))
	const mapSlot = 48 // 24 bytes of slot at ~50-87 % load plus control bytes
	const orderSlot = 12
	return g + keys + accs + mapSlot + orderSlot
}

// groupBytes is the estimate for a group whose encoded key has keyLen bytes.
func (s *aggSpill) groupBytes(keyLen int) int64 {
	return s.perGroup + 2*allocSize(int64(keyLen))
}

// ---------------------------------------------------------------- keys

func (s *aggSpill) windowPrefix(tag byte, sp span) []byte {
	s.kbuf = append(s.kbuf[:0], tag)
	return appendSpanKey(s.kbuf, sp)
}

func (s *aggSpill) dataKey(sp span, ord uint32) []byte {
	s.kbuf = binary.BigEndian.AppendUint32(s.windowPrefix('d', sp), ord)
	return s.kbuf
}

func (s *aggSpill) indexKey(sp span, enc []byte) []byte {
	s.kbuf = append(s.windowPrefix('i', sp), enc...)
	return s.kbuf
}

// ---------------------------------------------------------------- hot path hooks

// noteGroup accounts for a group that came into memory.
func (o *windowAgg) noteGroup(w *aggWindow, keyLen int) {
	b := o.spill.groupBytes(keyLen)
	w.mem += b
	o.spill.used += b
}

// reload brings back the spilled group of key o.keyBuf in w, or returns
// nil when it was never spilled (a new group).
func (o *windowAgg) reload(w *aggWindow) (*group, error) {
	s := o.spill
	if !w.spill.keys.has(maphash.Bytes(s.seed, o.keyBuf)) {
		return nil, nil
	}
	v, found, err := s.tab.Get(s.indexKey(w.span, o.keyBuf), s.vbuf)
	if err != nil || !found {
		return nil, err
	}
	if len(v) != 4 {
		return nil, fmt.Errorf("window aggregate: spill table: %w: index entry of %d bytes", core.ErrBadState, len(v))
	}
	ord := binary.BigEndian.Uint32(v)
	v, found, err = s.tab.Get(s.dataKey(w.span, ord), v)
	s.vbuf = v
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("window aggregate: spill table: %w: group %d of window [%d, %d) is missing", core.ErrBadState, ord, w.Start, w.End)
	}
	d := core.NewStateDecoder(v)
	g := &group{key: readKeyValues(d, len(o.keys)), accs: readAccs(d, len(o.agg.fns)), ord: ord, spilled: true}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("window aggregate: spill table: %w", err)
	}
	w.groups[string(o.keyBuf)] = g
	w.order = append(w.order, g)
	o.noteGroup(w, len(o.keyBuf))
	s.stats.GroupsIn++
	return g, nil
}

// ---------------------------------------------------------------- eviction

// maybeEvict spills groups when the estimate exceeds the limit. When
// spilling fails (a full disk: state.Spill refuses before Badger could
// fault), the groups of this round are lost with the job, which fails:
// the spill table is closed and its directory removed at once, so the
// space it took is free again for whatever runs next.
func (o *windowAgg) maybeEvict() error {
	err := o.evict()
	if err != nil && o.spill != nil && o.spill.tab != nil {
		o.closeSpill() // the error that matters is err
	}
	return err
}

func (o *windowAgg) evict() error {
	s := o.spill
	if s == nil || s.used <= s.limit {
		return nil
	}
	if s.tab == nil {
		t, err := state.OpenSpillTemp(s.base)
		if err != nil {
			return fmt.Errorf("window aggregate: %w", err)
		}
		s.tab = t
	}
	s.stats.Evictions++
	target := s.limit - s.limit/10
	wins := slices.Clone([]*aggWindow(o.pending))
	slices.SortFunc(wins, func(a, b *aggWindow) int { // fires last first
		if a.End != b.End {
			return cmp.Compare(b.End, a.End)
		}
		return cmp.Compare(b.Start, a.Start)
	})
	for pass := 0; pass < 2 && s.used > target; pass++ {
		for _, w := range wins {
			if s.used <= target {
				break
			}
			if err := o.evictWindow(w, target, pass == 0); err != nil {
				return err
			}
		}
	}
	if err := s.tab.Flush(); err != nil {
		return fmt.Errorf("window aggregate: %w", err)
	}
	return nil
}

// evictWindow spills w's groups until the estimate reaches target; with
// spareHot, groups updated since the last sweep are kept (their bit cleared).
func (o *windowAgg) evictWindow(w *aggWindow, target int64, spareHot bool) error {
	s := o.spill
	if w.spill == nil {
		w.spill = &winSpill{}
	}
	keep := w.order[:0]
	for i, g := range w.order {
		if s.used <= target {
			keep = append(keep, w.order[i:]...)
			break
		}
		if spareHot && g.hot {
			g.hot = false
			keep = append(keep, g)
			continue
		}
		o.keyBuf = o.keyBuf[:0]
		for _, kv := range g.key {
			o.keyBuf = types.AppendKey(o.keyBuf, kv)
		}
		if !g.spilled {
			var ord [4]byte
			binary.BigEndian.PutUint32(ord[:], g.ord)
			if err := s.tab.Put(s.indexKey(w.span, o.keyBuf), ord[:]); err != nil {
				return err
			}
			b := w.spill.keys.add(maphash.Bytes(s.seed, o.keyBuf))
			w.spill.n++
			w.mem += b
			s.used += b
		}
		s.vbuf = appendGroup(s.vbuf[:0], g)
		if err := s.tab.Put(s.dataKey(w.span, g.ord), s.vbuf); err != nil {
			return err
		}
		delete(w.groups, string(o.keyBuf))
		b := s.groupBytes(len(o.keyBuf))
		w.mem -= b
		s.used -= b
		s.stats.GroupsOut++
	}
	clear(w.order[len(keep):])
	w.order = keep
	return nil
}

// ---------------------------------------------------------------- firing, snapshots

// spilledGroups calls fn for every group of w in first-seen order: the
// in-memory ones merged with the spilled ones (one range scan), memory
// winning where both hold an ordinal. It sorts w.order by ordinal.
func (o *windowAgg) spilledGroups(w *aggWindow, fn func(g *group) error) error {
	slices.SortFunc(w.order, func(a, b *group) int { return cmp.Compare(a.ord, b.ord) })
	s := o.spill
	mem := w.order
	prefix := slices.Clone(s.windowPrefix('d', w.span))
	var tmp group
	err := s.tab.Scan(prefix, func(k, v []byte) error {
		if len(k) != len(prefix)+4 {
			return fmt.Errorf("window aggregate: spill table: %w: key of %d bytes", core.ErrBadState, len(k))
		}
		ord := binary.BigEndian.Uint32(k[len(prefix):])
		for len(mem) > 0 && mem[0].ord < ord {
			if err := fn(mem[0]); err != nil {
				return err
			}
			mem = mem[1:]
		}
		if len(mem) > 0 && mem[0].ord == ord {
			return nil // in memory: the spilled copy is stale
		}
		d := core.NewStateDecoder(v)
		tmp = group{key: readKeyValues(d, len(o.keys)), accs: readAccs(d, len(o.agg.fns)), ord: ord}
		if err := d.Err(); err != nil {
			return fmt.Errorf("window aggregate: spill table: %w", err)
		}
		return fn(&tmp)
	})
	if err != nil {
		return err
	}
	for _, g := range mem {
		if err := fn(g); err != nil {
			return err
		}
	}
	return nil
}

// fireWithSpill emits the fired windows (in firing order) when the
// operator spills: windows that spilled are read back and merged, rows go
// out in batches of at most spillChunk, and the windows' spill ranges are
// dropped afterwards.
func (o *windowAgg) fireWithSpill(fired []*aggWindow, prev int64, out core.Output) error {
	s := o.spill
	var b *core.Batch
	r := 0
	nk := len(o.keys)
	emit := func() error {
		if b == nil || r == 0 {
			return nil
		}
		b.Rows = b.Rows[:r]
		b.Watermarks = constWatermarks(r, prev)
		err := out.Emit(b)
		b, r = nil, 0
		return err
	}
	var drop, del [][]byte
	for _, w := range fired {
		s.used -= w.mem
		ws := types.TimestampValue(w.Start)
		we := types.TimestampValue(w.End)
		wt := o.zone.windowTime(w.End, o.timeKind)
		add := func(g *group) error {
			if b == nil {
				b = core.NewBatch(spillChunk, o.width)
			}
			row := b.Rows[r]
			r++
			copy(row, g.key)
			o.agg.results(row[nk:], g.accs)
			row[o.width-3], row[o.width-2], row[o.width-1] = ws, we, wt
			if r == spillChunk {
				return emit()
			}
			return nil
		}
		if w.spill == nil {
			for _, g := range w.order {
				if err := add(g); err != nil {
					return err
				}
			}
			continue
		}
		if err := o.spilledGroups(w, add); err != nil {
			return err
		}
		pre := [][]byte{slices.Clone(s.windowPrefix('d', w.span)), slices.Clone(s.windowPrefix('i', w.span))}
		if w.spill.n >= dropPrefixFrom {
			drop = append(drop, pre...)
		} else {
			del = append(del, pre...)
		}
	}
	if err := emit(); err != nil {
		return err
	}
	if o.wm == core.MaxWatermark {
		return o.closeSpill() // nothing pending: the whole table goes
	}
	if len(del) > 0 {
		if err := s.tab.DeletePrefix(del...); err != nil {
			return fmt.Errorf("window aggregate: %w", err)
		}
	}
	if len(drop) > 0 {
		if err := s.tab.DropPrefix(drop...); err != nil {
			return fmt.Errorf("window aggregate: %w", err)
		}
	}
	return nil
}

// snapshotSpilled writes every group of a window that spilled.
func (o *windowAgg) snapshotSpilled(w core.StateWriter, win *aggWindow) error {
	var k, v []byte
	return o.spilledGroups(win, func(g *group) error {
		k = appendSpanKey(k[:0], win.span)
		k = binary.BigEndian.AppendUint32(k, g.ord)
		v = appendGroup(v[:0], g)
		return w.Put(tableWindow, k, v)
	})
}

// closeSpill closes and removes the spill table: at the end of input,
// when no window is pending any more.
func (o *windowAgg) closeSpill() error {
	if o.spill == nil || o.spill.tab == nil {
		return nil
	}
	err := o.spill.tab.Close()
	o.spill.tab = nil
	if err != nil {
		return fmt.Errorf("window aggregate: closing the spill table: %w", err)
	}
	return nil
}

// appendGroup encodes a group's key values and accumulators (the value
// of its snapshot entry and of its spill data entry).
func appendGroup(b []byte, g *group) []byte {
	for _, kv := range g.key {
		b = core.AppendValue(b, kv)
	}
	return appendAccs(b, g.accs)
}
