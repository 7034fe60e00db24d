package runtime

import (
	"context"
	"math"
	goruntime "runtime"
	"sync"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/expr"
)

// Decoding ahead: the poll goroutine (sourceNode.start) decodes a poll's
// records into output rows, with computed columns and the watermark
// expression evaluated, before it hands the poll to handle on the
// executor goroutine. Decoding the next poll then overlaps with the
// operators processing this one: on two cores the source's per-record
// work and the operator chain run side by side. handle still applies the
// rows in order, moving per-split watermarks after each row exactly as
// before, so results do not change.
//
// Only work without side effects runs ahead (sourceNode.fill): the first
// record that fails to decode, has a failing computed column or a NULL
// rowtime stops the decoding ahead, and handle takes that record and the
// rest of the poll the serial way (errors, dead letters, warnings, skip
// counts in order). The poll goroutine then waits for handle before it
// polls again, since handle reads those records' bytes and uses the
// decoder. A poll decoded whole needs nothing of the reader any more:
// the goroutine polls on at once.
//
// With more than one CPU a poll's records are split in two halves
// decoded at once, the second by a helper goroutine with a decoder and
// compiled expressions of its own (a lane; decoders and expressions keep
// scratch state). Each half writes its own rows, so nothing is merged.

// decodedPoll is a poll's records decoded ahead.
type decodedPoll struct {
	n      int        // records decoded: p.Records[:n], every one a row
	rows   []core.Row // output rows (ReadColumns layout); len = records in the poll
	wide   []core.Row // the source's layout rows behind rows (sourceNode.layoutRows)
	wms    []int64    // the watermark expression per row; noWatermark when NULL or none
	splits []int      // each decoded record's split
}

// lane is what one goroutine needs to decode records.
type lane struct {
	dec        connector.Decoder
	positioned bool // dec writes straight into layout rows (sourceNode.position)
	computed   []computedCol
	wmFunc     expr.Func
	scratch    core.Row // the decoder's, when not positioned
	ectx       *expr.Ctx
}

// Test knobs: decodeAheadOff turns decoding ahead off; aheadLanes > 0
// sets the number of lanes whatever GOMAXPROCS says.
var (
	decodeAheadOff bool
	aheadLanes     int
)

// minSplit is the fewest records a poll must have to be split between
// two lanes.
const minSplit = 256

// noWatermark marks a row whose watermark expression is NULL: a
// watermark of math.MinInt64 never advances a split's.
const noWatermark = math.MinInt64

// decodesAhead reports whether the poll goroutine may decode ahead: not
// when a computed column or the watermark reads CURRENT_WATERMARK, whose
// value handle moves between rows.
func decodesAhead(op *planner.SourceOp) bool {
	if decodeAheadOff {
		return false
	}
	for _, e := range op.Computed {
		if e != nil && readsWatermark(e) {
			return false
		}
	}
	return op.Watermark == nil || !readsWatermark(op.Watermark)
}

func readsWatermark(e planner.Expr) bool {
	c, ok := e.(*planner.Call)
	if !ok {
		return false
	}
	if c.Func == "CURRENT_WATERMARK" {
		return true
	}
	for _, a := range c.Args {
		if readsWatermark(a) {
			return true
		}
	}
	return false
}

// takeDecoded is an empty decodedPoll for n records: one of the two the
// source reuses when its consumers only borrow rows (waiting while both
// are in use), else a new one. nil when ctx is cancelled.
func (s *sourceNode) takeDecoded(ctx context.Context, n int) *decodedPoll {
	var d *decodedPoll
	if s.reuse {
		select {
		case d = <-s.spare:
		case <-ctx.Done():
			return nil
		}
	} else if s.pool != nil {
		select {
		case d = <-s.pool:
		default:
			d = &decodedPoll{}
		}
	} else {
		d = &decodedPoll{}
	}
	if cap(d.rows) < n {
		d.rows, d.wide = s.layoutRows(n)
		d.wms = make([]int64, n)
		d.splits = make([]int, n)
	}
	d.rows, d.wide, d.wms, d.splits = d.rows[:n], d.wide[:n], d.wms[:n], d.splits[:n]
	d.n = 0
	return d
}

// giveBack returns a decodedPoll handle is done with.
func (s *sourceNode) giveBack(d *decodedPoll) {
	if d != nil && s.reuse {
		s.spare <- d
	}
}

// buildLanes makes the lanes decoding ahead: the first uses the
// source's decoder and expressions, a second (with more than one CPU)
// its own.
func (s *sourceNode) buildLanes() error {
	n := 1
	if goruntime.GOMAXPROCS(0) > 1 {
		n = 2
	}
	if aheadLanes > 0 {
		n = aheadLanes
	}
	for i := 0; i < n; i++ {
		l := &lane{dec: s.env.Decoder, computed: s.computed, wmFunc: s.wmFunc,
			scratch: make(core.Row, len(s.decodeIdx)),
			ectx:    &expr.Ctx{Watermark: core.MinWatermark, TimeZone: s.job.tz}}
		if i > 0 {
			t := s.op.Table
			if l.dec != nil {
				cols := make(planner.Schema, len(s.decodeIdx))
				for k, ti := range s.decodeIdx {
					cols[k] = t.Columns[ti]
				}
				dec, err := newDecoder(t, cols)
				if err != nil {
					return err
				}
				l.dec = dec
			}
			env := &expr.Env{TimeZone: s.job.tz}
			l.computed = nil
			for _, c := range s.computed {
				f, err := expr.Compile(c.e, env)
				if err != nil {
					return err
				}
				c.f = f
				l.computed = append(l.computed, c)
			}
			if s.wmFunc != nil {
				f, err := expr.Compile(s.wmExpr, env)
				if err != nil {
					return err
				}
				l.wmFunc = f
			}
		}
		l.positioned = s.position(l.dec)
		s.lanes = append(s.lanes, l)
	}
	return nil
}

// predecode decodes p's records into d until the first that fill cannot
// turn into a row (see the comment at the top).
func (s *sourceNode) predecode(p *connector.Poll, d *decodedPoll) {
	recs := p.Records
	if len(s.lanes) < 2 || len(recs) < minSplit {
		d.n = s.predecodeRange(s.lanes[0], recs, d, 0, len(recs))
		return
	}
	half := len(recs) / 2
	var second int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		second = s.predecodeRange(s.lanes[1], recs, d, half, len(recs))
	}()
	first := s.predecodeRange(s.lanes[0], recs, d, 0, half)
	wg.Wait()
	d.n = first
	if first == half {
		d.n = second
	}
}

// predecodeRange decodes recs[lo:hi] into d with lane l and returns the
// index of the first record it could not decode (hi when none).
func (s *sourceNode) predecodeRange(l *lane, recs []connector.Record, d *decodedPoll, lo, hi int) int {
	for ri := lo; ri < hi; ri++ {
		rec := &recs[ri]
		row := d.wide[ri]
		if what, _, _ := s.fill(l, rec, row); what != fillOK {
			return ri
		}
		w := int64(noWatermark)
		if l.wmFunc != nil {
			v := l.wmFunc(l.ectx, row)
			if l.ectx.Err != nil {
				l.ectx.Err = nil
				return ri // handle evaluates it again and reports the error
			}
			if !v.IsNull() {
				w = v.I
			}
		}
		d.wms[ri] = w
		d.splits[ri] = rec.Split
	}
	return hi
}
