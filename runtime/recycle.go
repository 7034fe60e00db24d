package runtime

import (
	"sync/atomic"

	"github.com/streamsql/streamsql/runtime/core"
)

// Recycling a source's row memory across exchanges (docs/performance.md,
// "Parallelism 2 beside parallelism 1").
//
// At parallelism 1 a source whose consumers only borrow its batches
// (core.Borrower) decodes every poll into the same memory. At
// parallelism > 1 its rows cross an exchange and are read later by
// another task, so each poll used to allocate its rows afresh, and the
// garbage collector's work on them was most of what parallelism 2 cost
// beyond parallelism 1. Now a poll's decoded rows (a decodedPoll) carry a
// reference count: one for the source's own task while it handles the
// poll, one for each batch an exchange sends from it; the consuming task
// drops its reference once the batch is processed, and the last one
// returns the memory to the source's pool. This holds only when every
// operator that sees the rows borrows them: what the source task runs on
// them passes them on unchanged (a Calc fused into the aggregation behind
// the exchange) or borrows them, and every operator an exchange feeds
// borrows them (recyclable).

// pollRef counts the holders of one poll's decoded rows.
type pollRef struct {
	n atomic.Int32
	d *decodedPoll
	s *sourceNode
}

// release drops one reference; the last returns the rows to the pool.
func (r *pollRef) release() {
	if r == nil || r.n.Add(-1) != 0 {
		return
	}
	select {
	case r.s.pool <- r.d:
	default: // the pool is full: the garbage collector takes it
	}
}

// recyclable reports whether every operator that can see n's output rows
// only borrows them (see above): n's consumers in its own task borrow
// them or pass them on unchanged to such consumers, and exchanges feed
// borrowing operators.
func (p *parallel) recyclable(n *node) bool {
	for _, e := range n.consumers {
		switch op := e.to.op.(type) {
		case *exchange:
			for i, t := range op.targets {
				if _, ok := t.in[op.chans[i]].g.to.op.(core.Borrower); !ok {
					return false
				}
			}
		case keeps:
			if !p.recyclable(e.to) {
				return false
			}
		case core.Borrower:
		default:
			return false
		}
	}
	return true
}
