// Package core holds the runtime's shared vocabulary: rows, batches, the
// Operator interface, watermarks and per-operator metrics. Operators,
// connectors and the executor all build on it; it imports no other
// runtime package.
package core

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/sql/types"
)

// Row is one row: a flat slice of values laid out as the node's schema.
type Row = []types.Value

// Batch is a group of rows that travels between operators in one call.
//
// Ownership rule: once a batch is emitted it is immutable. The producer
// never reuses or changes it, so a consumer may keep its rows (a window
// join buffering them, say) without copying. A producer that wants fewer
// allocations carves rows out of one []types.Value slab per batch.
type Batch struct {
	Rows []Row
	// Watermarks, when not nil, has one entry per row: Watermarks[i] is
	// the producer's output watermark in force just before row i, that is
	// the batch means "deliver watermark Watermarks[i] (if it advanced),
	// then row i", for i in order. Entries never decrease. When replaying
	// bounded sources the watermark moves after every row; carrying it
	// here lets a batch hold many rows with per-row watermark precision.
	// The watermark in force after the last row is delivered separately
	// (ProcessWatermark) after the batch.
	//
	// nil means the watermark did not move during the batch: every row is
	// under the consumer's current watermark. An operator that reads
	// Watermarks treats a row as if ProcessWatermark(Watermarks[i]) had
	// been called right before it (firing due windows, judging lateness
	// against it); a stateless operator keeps the slice aligned with the
	// rows it emits (dropping entries of filtered rows). An operator that
	// emits rows while its own watermark is ahead of what the executor
	// has delivered downstream (firing mid-batch) fills its output's
	// Watermarks with its watermark from before that firing. The executor
	// rewrites the slice for nodes with several inputs (their watermark
	// is the minimum over inputs).
	Watermarks []int64
	// Kinds, when not nil, has one entry per row: the row's change kind
	// in a changelog (a dynamic table's update stream). nil means every
	// row is an insert, so append-only streams pay nothing. Whoever
	// splits, filters or copies a batch keeps Kinds aligned with Rows, as
	// with Watermarks.
	Kinds []RowKind
}

// RowKind is the kind of change a row carries, Flink's RowKind.
type RowKind uint8

const (
	Insert       RowKind = iota // +I
	UpdateBefore                // -U: the previous value of an updated row
	UpdateAfter                 // +U: the new value of an updated row
	Delete                      // -D
)

// String is the kind's short form as Flink prints it: +I, -U, +U, -D.
func (k RowKind) String() string {
	switch k {
	case UpdateBefore:
		return "-U"
	case UpdateAfter:
		return "+U"
	case Delete:
		return "-D"
	}
	return "+I"
}

// IsRetract reports whether the row retracts an earlier one (-U, -D).
func (k RowKind) IsRetract() bool { return k == UpdateBefore || k == Delete }

// KindAt returns the kind of row i (Insert when b carries no kinds).
func (b *Batch) KindAt(i int) RowKind {
	if b.Kinds == nil {
		return Insert
	}
	return b.Kinds[i]
}

// WatermarkAt returns the watermark in force before row i of b, or cur
// (the consumer's current watermark) when b carries none.
func (b *Batch) WatermarkAt(i int, cur int64) int64 {
	if b.Watermarks == nil {
		return cur
	}
	return b.Watermarks[i]
}

// Len returns the number of rows.
func (b *Batch) Len() int { return len(b.Rows) }

// NewBatch makes a batch of n rows of the given width backed by one slab.
func NewBatch(n, width int) *Batch {
	slab := make([]types.Value, n*width)
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = slab[i*width : (i+1)*width : (i+1)*width]
	}
	return &Batch{Rows: rows}
}

// Watermark values. A watermark W means no more rows with rowtime <= W are
// expected; MaxWatermark is sent when every input is exhausted.
const (
	MinWatermark int64 = math.MinInt64
	MaxWatermark int64 = math.MaxInt64
)

// Output receives what an operator emits. The executor delivers an
// emitted batch to every downstream consumer synchronously, before Emit
// returns, in the order emitted.
type Output interface {
	Emit(b *Batch) error
}

// Operator is one node of the running graph. The executor calls it from a
// single goroutine, so an operator needs no locks. Rows, watermarks and
// end of input arrive in order: a row emitted before a watermark is
// processed before it.
type Operator interface {
	// ProcessBatch handles rows from input number `input` (0 for single
	// input operators; a join's left is 0 and right is 1).
	ProcessBatch(input int, b *Batch, out Output) error
	// ProcessWatermark is called when the operator's input watermark (the
	// minimum over its inputs, computed by the executor) advances to wm.
	// Results due at wm are emitted here; the executor forwards wm
	// downstream after this returns.
	ProcessWatermark(wm int64, out Output) error
	// Finish is called once after every input has ended (a final
	// ProcessWatermark(MaxWatermark) has already been delivered).
	Finish(out Output) error
}

// WatermarkHolder is implemented by an operator whose output watermark
// lags its input watermark (Flink's KeyedCoProcessOperatorWithWatermarkDelay,
// used by the interval join): the executor forwards HoldWatermark(wm)
// downstream instead of wm. It must be monotonic and keep MinWatermark
// and MaxWatermark as they are. Rows the operator emits carry (in
// Batch.Watermarks) held watermarks too.
type WatermarkHolder interface {
	HoldWatermark(wm int64) int64
}

// Borrower is implemented by an operator that reads a batch only during
// ProcessBatch and keeps no reference to the batch, its rows or its
// Watermarks afterwards (it copies the values it keeps; values are
// immutable). When every consumer of a node is a Borrower, the node may
// reuse the memory of a batch it emitted once Emit has returned (the
// executor tells it through ReusesOutput).
type Borrower interface {
	BorrowsBatches()
}

// OutputReuser is implemented by an operator that can reuse its output
// batches' memory; the executor calls ReuseOutput once, before the job
// runs, when every consumer of the node is a Borrower.
type OutputReuser interface {
	ReuseOutput()
}

// Context is what an operator may use from its environment.
type Context struct {
	// TimeZone is table.local-time-zone (UTC by default).
	TimeZone *time.Location
	// Metrics of the node the operator runs as.
	Metrics *Metrics
	// Settings are the job's SET options.
	Settings map[string]string
	// Clock is processing time in epoch milliseconds (nil: the wall
	// clock). Tests inject one to make processing-time behaviour (state
	// TTL, mini-batch latency, PROCTIME()) deterministic.
	Clock func() int64
}

// Now is the processing time in epoch milliseconds: ctx.Clock, or the
// wall clock when ctx or its Clock is nil.
func (ctx *Context) Now() int64 {
	if ctx != nil && ctx.Clock != nil {
		return ctx.Clock()
	}
	return time.Now().UnixMilli()
}

// Metrics are one node's counters. They are written by the executor's
// goroutine and may be read concurrently (progress display, Prometheus).
type Metrics struct {
	RecordsIn          atomic.Int64
	RecordsOut         atomic.Int64
	LateRecordsDropped atomic.Int64 // rows dropped because their window had fired
	RecordsSkipped     atomic.Int64 // malformed rows skipped, rows with NULL rowtime
	CurrentWatermark   atomic.Int64 // the input watermark, MinWatermark before the first
	OpenWindows        atomic.Int64
	StateExpiredKeys   atomic.Int64 // keys whose state was dropped by the state TTL
}

// NewMetrics returns zeroed metrics with no watermark yet.
func NewMetrics() *Metrics {
	m := &Metrics{}
	m.CurrentWatermark.Store(MinWatermark)
	return m
}
