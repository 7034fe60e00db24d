package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
)

// Options configure a run.
type Options struct {
	// Stdout receives the print connector's output (os.Stdout by default).
	Stdout io.Writer
	// Stderr receives warnings (os.Stderr by default).
	Stderr io.Writer
	// BatchSize is the most records a source hands on at once.
	BatchSize int
	// Connectors replaces the declared connector of the named tables (the
	// golden test runner feeds recorded streams and captures results
	// this way, leaving the user's SQL unchanged). Options of a replaced
	// table are not validated.
	Connectors map[string]*connector.Spec
}

// connectorFor returns the connector spec for a table: an override from
// Options.Connectors, or the declared one, validated.
func (j *Job) connectorFor(t *planner.TableDesc) (*connector.Spec, error) {
	if s, ok := j.opts.Connectors[t.Name]; ok {
		return s, nil
	}
	spec, err := connector.Lookup(t.Connector)
	if err != nil {
		return nil, tableErr(t, err)
	}
	if err := connector.Validate(spec, t); err != nil {
		return nil, err
	}
	return spec, nil
}

// Job is a built, runnable graph.
type Job struct {
	graph   *planner.Graph
	opts    Options
	nodes   []*node // same order as graph.Nodes (topological)
	sources []*sourceNode
	sinks   []*sinkNode
	tz      *time.Location
	// watermarkInterval is pipeline.auto-watermark-interval for live sources.
	watermarkInterval time.Duration
	progress          progressState // checkpoint and state figures for Progress (progress.go)
}

// node is one running operator with its wiring.
type node struct {
	plan      *planner.Node
	op        core.Operator // nil for sources
	metrics   *core.Metrics
	consumers []edge
	// input watermarks, one per input; wm is their minimum as last delivered.
	inWM []int64
	wm   int64
	out  nodeOutput
}

type edge struct {
	to    *node
	input int
}

// nodeOutput delivers a node's emitted batches to its consumers.
type nodeOutput struct{ n *node }

func (o nodeOutput) Emit(b *core.Batch) error {
	if len(b.Rows) == 0 {
		return nil
	}
	n := o.n
	n.metrics.RecordsOut.Add(int64(len(b.Rows)))
	for _, e := range n.consumers {
		e.to.metrics.RecordsIn.Add(int64(len(b.Rows)))
		in := b
		if b.Watermarks != nil && len(e.to.inWM) > 1 {
			in = e.to.inputView(e.input, b)
		}
		if err := e.to.op.ProcessBatch(e.input, in, e.to.out); err != nil {
			return e.to.wrap(err)
		}
	}
	return nil
}

// inputView rewrites a batch's per-row watermarks (those of input i) into
// the node's own, the minimum over its inputs (see core.Batch). The other
// inputs' watermarks do not move during the batch.
func (n *node) inputView(i int, b *core.Batch) *core.Batch {
	others := core.MaxWatermark
	for j, w := range n.inWM {
		if j != i && w < others {
			others = w
		}
	}
	if others <= n.wm {
		// held back by another input throughout: no movement in the batch
		return &core.Batch{Rows: b.Rows}
	}
	w := make([]int64, len(b.Watermarks))
	for k, x := range b.Watermarks {
		w[k] = min(x, others)
	}
	return &core.Batch{Rows: b.Rows, Watermarks: w}
}

func (n *node) wrap(err error) error {
	var located *LocatedError
	if errors.As(err, &located) {
		return err
	}
	return &LocatedError{Node: fmt.Sprintf("%s #%d", n.plan.Name(), n.plan.ID), Err: err}
}

// LocatedError names the operator an error came from.
type LocatedError struct {
	Node string
	Err  error
}

func (e *LocatedError) Error() string { return e.Node + ": " + e.Err.Error() }
func (e *LocatedError) Unwrap() error { return e.Err }

// forwardWatermark passes a node's output watermark to its consumers.
func (n *node) forwardWatermark(wm int64) error {
	for _, e := range n.consumers {
		if err := e.to.onWatermark(e.input, wm); err != nil {
			return err
		}
	}
	return nil
}

// onWatermark records input i's watermark; when the minimum over the
// inputs advances, the operator handles it and it is passed on.
func (n *node) onWatermark(i int, wm int64) error {
	if wm <= n.inWM[i] {
		return nil
	}
	n.inWM[i] = wm
	min := n.inWM[0]
	for _, w := range n.inWM[1:] {
		if w < min {
			min = w
		}
	}
	if min <= n.wm {
		return nil
	}
	n.wm = min
	n.metrics.CurrentWatermark.Store(min)
	if err := n.op.ProcessWatermark(min, n.out); err != nil {
		return n.wrap(err)
	}
	return n.forwardWatermark(min)
}

// Build turns a planned graph into a runnable job, opening no connection
// yet but validating every connector's options and compiling every
// expression, so that configuration errors surface before anything runs.
func Build(g *planner.Graph, opts Options) (*Job, error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1024
	}
	j := &Job{graph: g, opts: opts, tz: time.UTC, watermarkInterval: 200 * time.Millisecond}
	if tzName, ok := g.Settings["table.local-time-zone"]; ok && tzName != "" {
		loc, err := time.LoadLocation(tzName)
		if err != nil {
			return nil, fmt.Errorf("SET 'table.local-time-zone' = '%s': unknown time zone", tzName)
		}
		j.tz = loc
	}
	if s, ok := g.Settings["pipeline.auto-watermark-interval"]; ok {
		d, err := connector.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("SET 'pipeline.auto-watermark-interval': %w", err)
		}
		if d > 0 {
			j.watermarkInterval = d
		}
	}
	if s, ok := g.Settings["table.exec.source.idle-timeout"]; ok {
		if _, err := connector.ParseDuration(s); err != nil {
			return nil, fmt.Errorf("SET 'table.exec.source.idle-timeout': %w", err)
		}
	}
	byID := map[*planner.Node]*node{}
	for _, pn := range g.Nodes {
		n := &node{plan: pn, metrics: core.NewMetrics(), wm: core.MinWatermark}
		n.out = nodeOutput{n}
		n.inWM = make([]int64, len(pn.Inputs))
		for i := range n.inWM {
			n.inWM[i] = core.MinWatermark
		}
		ctx := &core.Context{TimeZone: j.tz, Metrics: n.metrics, Settings: g.Settings}
		switch op := pn.Op.(type) {
		case *planner.SourceOp:
			s, err := newSourceNode(n, op, j, ctx)
			if err != nil {
				return nil, err
			}
			j.sources = append(j.sources, s)
		case *planner.SinkOp:
			s, err := newSinkNode(n, op, j, ctx)
			if err != nil {
				return nil, err
			}
			n.op = s
			j.sinks = append(j.sinks, s)
		default:
			o, err := newOperator(pn, ctx)
			if err != nil {
				return nil, fmt.Errorf("%s #%d: %w", pn.Name(), pn.ID, err)
			}
			n.op = o
		}
		for i, in := range pn.Inputs {
			up, ok := byID[in]
			if !ok {
				return nil, fmt.Errorf("plan is not in topological order: node %d reads node %d", pn.ID, in.ID)
			}
			up.consumers = append(up.consumers, edge{to: n, input: i})
		}
		byID[pn] = n
		j.nodes = append(j.nodes, n)
	}
	return j, nil
}

// Summary reports a finished (or stopped) run.
type Summary struct {
	RecordsRead        int64
	RecordsSkipped     int64
	LateRecordsDropped int64
	RowsWritten        int64
}

func (s Summary) String() string {
	return "records read: " + strconv.FormatInt(s.RecordsRead, 10) +
		", rows written: " + strconv.FormatInt(s.RowsWritten, 10) +
		", late rows dropped: " + strconv.FormatInt(s.LateRecordsDropped, 10) +
		", malformed or skipped records: " + strconv.FormatInt(s.RecordsSkipped, 10)
}

// Summary adds up the job's counters.
func (j *Job) Summary() Summary {
	var s Summary
	for _, n := range j.nodes {
		s.LateRecordsDropped += n.metrics.LateRecordsDropped.Load()
		s.RecordsSkipped += n.metrics.RecordsSkipped.Load()
	}
	for _, src := range j.sources {
		s.RecordsRead += src.read
	}
	for _, sk := range j.sinks {
		s.RowsWritten += sk.node.metrics.RecordsIn.Load()
	}
	return s
}

// Bounded reports whether every source ends by itself.
func (j *Job) Bounded() bool {
	for _, s := range j.sources {
		if !s.bounded {
			return false
		}
	}
	return true
}

// Run executes the job until every source is exhausted (bounded) or ctx
// is cancelled. All operators run on the calling goroutine; each source's
// reader polls on a goroutine of its own and hands over whole polls.
func (j *Job) Run(ctx context.Context) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, s := range j.sources {
		if err := s.open(ctx); err != nil {
			return err
		}
	}
	for _, sk := range j.sinks {
		if err := sk.open(ctx); err != nil {
			return err
		}
	}
	defer func() {
		for _, s := range j.sources {
			s.close()
		}
		for _, sk := range j.sinks {
			if cerr := sk.close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	for _, s := range j.sources {
		s.start(ctx, j.opts.BatchSize)
	}
	if j.Bounded() {
		err = j.runRoundRobin(ctx)
	} else {
		err = j.runLive(ctx)
	}
	if err != nil {
		return err
	}
	for _, n := range j.nodes {
		if n.op == nil {
			continue
		}
		if err := n.op.Finish(n.out); err != nil {
			return n.wrap(err)
		}
	}
	for _, sk := range j.sinks {
		if err := sk.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// runRoundRobin drives bounded sources in a fixed order, one poll each
// in turn, so that a replay is deterministic.
func (j *Job) runRoundRobin(ctx context.Context) error {
	active := append([]*sourceNode(nil), j.sources...)
	for len(active) > 0 {
		next := active[:0]
		for _, s := range active {
			var r pollResult
			select {
			case r = <-s.polls:
			case <-ctx.Done():
				return nil
			}
			done, err := s.handle(r, true)
			if err != nil {
				return err
			}
			if !done {
				next = append(next, s)
			}
		}
		active = next
	}
	return nil
}

// runLive drives sources as their polls arrive and emits watermarks
// periodically, until every source is done or ctx is cancelled.
func (j *Job) runLive(ctx context.Context) error {
	merged := make(chan sourcePoll, len(j.sources))
	for _, s := range j.sources {
		go func(s *sourceNode) {
			for {
				select {
				case r, ok := <-s.polls:
					if !ok {
						return
					}
					select {
					case merged <- sourcePoll{s, r}:
					case <-ctx.Done():
						return
					}
				case <-ctx.Done():
					return
				}
			}
		}(s)
	}
	ticker := time.NewTicker(j.watermarkInterval)
	defer ticker.Stop()
	remaining := len(j.sources)
	for remaining > 0 {
		select {
		case <-ctx.Done():
			return nil
		case sp := <-merged:
			done, err := sp.s.handle(sp.r, false)
			if err != nil {
				return err
			}
			if done {
				remaining--
			}
		case now := <-ticker.C:
			for _, s := range j.sources {
				if err := s.periodic(now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type sourcePoll struct {
	s *sourceNode
	r pollResult
}
