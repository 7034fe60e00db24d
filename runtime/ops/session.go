package ops

import (
	"container/heap"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// session is one open session window of one key.
type session struct {
	span        // [first row time, last row time + gap)
	fire  int64 // watermark at which it fires
	seq   int64 // creation order (the smallest of merged sessions): tie-break in emission
	accs  []acc
	owner *sessionKey
	dead  bool // merged into another session or fired
}

// sessionKey holds one key's open sessions, sorted by start and pairwise
// non-overlapping (Flink's intersects rule: they do not even touch).
type sessionKey struct {
	enc      string
	key      []types.Value
	sessions []*session
}

// sessionRef is a heap entry; it is stale when the session died or its
// span changed since the entry was pushed (lazy deletion).
type sessionRef struct {
	span
	seq int64
	s   *session
}

type sessionHeap []sessionRef

func (h sessionHeap) Len() int { return len(h) }
func (h sessionHeap) Less(i, j int) bool {
	a, b := &h[i], &h[j]
	if a.End != b.End {
		return a.End < b.End
	}
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return a.seq < b.seq
}
func (h sessionHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *sessionHeap) Push(x any)   { *h = append(*h, x.(sessionRef)) }
func (h *sessionHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// sessionAgg is the SESSION window aggregation.
type sessionAgg struct {
	gap      int64
	zone     zone
	timeCol  int
	timeKind types.Kind
	keys     []int
	agg      aggregator
	metrics  *core.Metrics
	width    int

	wm      int64
	byKey   map[string]*sessionKey
	pending sessionHeap
	open    int64 // number of live sessions
	seq     int64
	keyBuf  []byte
	overlap []*session
	late    lateOut // late rows side output (late.go)
}

func newSessionAgg(spec *planner.WindowAggOp, _ sql.WindowKind, fns []aggFn, timeKind types.Kind, z zone, m *core.Metrics, width int) *sessionAgg {
	return &sessionAgg{
		gap: spec.Window.Gap, zone: z, timeCol: spec.Window.TimeCol, timeKind: timeKind,
		keys: spec.GroupKeys, agg: aggregator{fns: fns}, metrics: m, width: width,
		wm: core.MinWatermark, byKey: make(map[string]*sessionKey),
	}
}

func (o *sessionAgg) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	var late, skipped int64
	wms := b.Watermarks
	for ri, row := range b.Rows {
		if wms != nil && wms[ri] > o.wm {
			if err := o.advance(wms[ri], out); err != nil {
				return err
			}
		}
		tv := row[o.timeCol]
		if tv.K == types.Null || !timeInRange(tv.I) {
			skipped++
			continue
		}
		t := o.zone.toLocal(tv.I)
		end := t + o.gap
		o.keyBuf = o.keyBuf[:0]
		for _, k := range o.keys {
			o.keyBuf = types.AppendKey(o.keyBuf, row[k])
		}
		sk := o.byKey[string(o.keyBuf)]
		// Sessions the row's window [t, t+gap) intersects (Flink's
		// TimeWindow.intersects: start <= other.end && end >= other.start).
		o.overlap = o.overlap[:0]
		first := -1
		if sk != nil {
			for i, s := range sk.sessions {
				if s.Start <= end && s.End >= t {
					if first < 0 {
						first = i
					}
					o.overlap = append(o.overlap, s)
				}
			}
		}
		if len(o.overlap) == 0 {
			// Flink merges first, then drops the row when the resulting
			// window is late. Open sessions never are (they fire as soon
			// as the watermark reaches them), so only a lone row can be.
			fire := o.zone.fireTime(end)
			if fire <= o.wm {
				late++
				o.late.add(0, span{Start: t, End: end}, o.wm, row)
				continue
			}
			if sk == nil {
				sk = &sessionKey{enc: string(o.keyBuf), key: make([]types.Value, len(o.keys))}
				for i, k := range o.keys {
					sk.key[i] = row[k]
				}
				o.byKey[sk.enc] = sk
			}
			s := &session{span: span{Start: t, End: end}, fire: fire, seq: o.seq, accs: o.agg.newAccs(), owner: sk}
			o.seq++
			o.open++
			pos := len(sk.sessions)
			for pos > 0 && sk.sessions[pos-1].Start > t {
				pos--
			}
			sk.sessions = append(sk.sessions, nil)
			copy(sk.sessions[pos+1:], sk.sessions[pos:])
			sk.sessions[pos] = s
			heap.Push(&o.pending, sessionRef{span: s.span, seq: s.seq, s: s})
			o.agg.update(s.accs, row)
			continue
		}
		s := o.overlap[0]
		old := s.span
		s.Start = min(s.Start, t)
		s.End = max(s.End, end)
		for _, x := range o.overlap[1:] {
			s.Start = min(s.Start, x.Start)
			s.End = max(s.End, x.End)
			s.seq = min(s.seq, x.seq)
			o.agg.merge(s.accs, x.accs)
			x.dead = true
			x.accs = nil
			o.open--
		}
		if n := len(o.overlap); n > 1 {
			sk.sessions = append(sk.sessions[:first+1], sk.sessions[first+n:]...)
		}
		if s.span != old || len(o.overlap) > 1 {
			s.fire = o.zone.fireTime(s.End)
			heap.Push(&o.pending, sessionRef{span: s.span, seq: s.seq, s: s})
		}
		o.agg.update(s.accs, row)
	}
	if late > 0 {
		o.metrics.LateRecordsDropped.Add(late)
		if err := o.late.flush(); err != nil {
			return err
		}
	}
	if skipped > 0 {
		o.metrics.RecordsSkipped.Add(skipped)
	}
	o.metrics.OpenWindows.Store(o.open)
	return nil
}

func (o *sessionAgg) ProcessWatermark(wm int64, out core.Output) error {
	return o.advance(wm, out)
}

// advance moves the watermark to wm and emits the sessions it fires.
func (o *sessionAgg) advance(wm int64, out core.Output) error {
	if wm <= o.wm {
		return nil
	}
	prev := o.wm
	o.wm = wm
	o.metrics.CurrentWatermark.Store(wm)
	var fired []*session
	for o.pending.Len() > 0 {
		r := o.pending[0]
		s := r.s
		if s.dead || s.span != r.span || s.seq != r.seq {
			heap.Pop(&o.pending)
			continue
		}
		if s.fire > wm {
			break
		}
		heap.Pop(&o.pending)
		s.dead = true
		o.open--
		sk := s.owner
		for i, x := range sk.sessions {
			if x == s {
				sk.sessions = append(sk.sessions[:i], sk.sessions[i+1:]...)
				break
			}
		}
		if len(sk.sessions) == 0 {
			delete(o.byKey, sk.enc)
		}
		fired = append(fired, s)
	}
	o.metrics.OpenWindows.Store(o.open)
	if len(fired) == 0 {
		return nil
	}
	b := core.NewBatch(len(fired), o.width)
	b.Watermarks = constWatermarks(len(fired), prev)
	nk := len(o.keys)
	for i, s := range fired {
		row := b.Rows[i]
		copy(row, s.owner.key)
		o.agg.results(row[nk:], s.accs)
		row[o.width-3] = types.TimestampValue(s.Start)
		row[o.width-2] = types.TimestampValue(s.End)
		row[o.width-1] = o.zone.windowTime(s.End, o.timeKind)
		s.accs = nil
	}
	return out.Emit(b)
}

func (o *sessionAgg) Finish(core.Output) error { return nil }

// BorrowsBatches: rows are read during ProcessBatch only; kept values are copied.
func (o *sessionAgg) BorrowsBatches() {}
