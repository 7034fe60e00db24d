package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/expr"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// sourceNode reads a table: raw records from the connector, decoded into
// the table's columns, metadata filled in, computed columns evaluated,
// then the rowtime checked and the watermark tracked per split.
type sourceNode struct {
	node    *node
	op      *planner.SourceOp
	job     *Job
	spec    *connector.Spec
	env     *connector.Env
	bounded bool
	reader  connector.SourceReader
	polls   chan pollResult
	free    chan struct{}     // handle -> poll goroutine: the last poll's records are done with
	ahead   bool              // the poll goroutine decodes ahead (predecode.go)
	spare   chan *decodedPoll // decodedPolls to reuse (with reuse)
	lanes   []*lane           // decoding ahead: one per goroutine (predecode.go)
	serial  *lane             // decode's: s.env.Decoder, s.computed, s.decoded, s.ectx

	width     int        // number of table columns
	decodeIdx []int      // table column of each decoded (physical) column
	decoded   core.Row   // decoder's scratch row (a decoder without SetPositions)
	meta      []metaFill // metadata columns to fill
	computed  []computedCol
	wmFunc    expr.Func    // nil when the table has no watermark
	wmExpr    planner.Expr // the watermark expression over the layout
	rowtime   int          // table column of the rowtime, -1 when none
	ectx      expr.Ctx

	// The source's row layout: records are decoded, and computed columns
	// and the watermark evaluated, straight in rows of this layout. Its
	// first len(ReadColumns) columns are the output row (a batch row is
	// that prefix of it); the needed columns the query does not output
	// (what computed columns and the watermark read) follow.
	pos    []int    // layout column of each table column; -1 when not needed
	lw     int      // layout width
	dpos   []int    // layout column of each decoded column
	dups   [][2]int // output column, layout column: a table column output twice
	rowPos int      // layout column of the rowtime, -1 when none

	splits      []splitState
	wm          int64 // the source's emitted watermark
	idleTimeout time.Duration
	read        int64
	warnedNull  bool
	rowWM       bool // replay batches carry per-row watermarks (chainOnly)
	reuse       bool // consumers are core.Borrowers: slab and wmSlab are reused
	slab        []core.Row
	wideSlab    []core.Row // the layout rows behind slab
	wmSlab      []int64
	mirror      sourceMirror // split state copied for Progress (progress.go)
	deadLetter  core.Output  // 'dead-letter.table' side output (side.go), nil when none
	deadRows    []core.Row   // this poll's dead letters
	skipBad     bool         // the format skips malformed records (json.ignore-parse-errors)
	rowtimeDeps []bool       // per table column: the rowtime or the watermark is computed from it

	// A source of several subtasks (parallel_source.go): the job's own
	// node is subtask 0 and holds the others in subtasks; each keeps the
	// positions of its splits (the coordinator's checkpointer keeps those
	// of a source of one subtask).
	subtasks  []*sourceNode
	positions map[int]connector.Position
	// grids: when the windows downstream fire (windowgrid.go)
	grids []fireGrid
	// changes, when not nil, is the decoder of a changelog source (a
	// changelog format, upsert-kafka): expandChanges turns each record
	// into its rows with their kinds before handle reads them.
	changes   connector.ChangelogDecoder
	changeBuf []connector.Change
	expandBuf []connector.Record
	// task runs the source at parallelism > 1; pool holds decoded polls
	// to reuse once every task that read their rows is done (recycle.go)
	task *task
	pool chan *decodedPoll
}

type splitState struct {
	wm         int64
	active     bool
	ended      bool
	idle       bool
	lastActive time.Time
}

type computedCol struct {
	idx int          // layout column
	col int          // table column
	e   planner.Expr // over the layout
	f   expr.Func
}

type metaFill struct {
	idx  int // table column
	at   int // layout column
	key  string
	kind types.Kind
}

type pollResult struct {
	p   connector.Poll
	err error
	dec *decodedPoll // the records decoded ahead (predecode.go), or nil
	// wait: the poll goroutine waits for release before polling again
	// (the poll's records are still needed)
	wait bool
}

// newSourceNode builds subtask sub of a source (0 for the job's own node).
func newSourceNode(n *node, op *planner.SourceOp, j *Job, ctx *core.Context, sub int) (*sourceNode, error) {
	t := op.Table
	spec, err := j.connectorFor(t)
	if err != nil {
		return nil, err
	}
	if spec.NewSource == nil {
		return nil, tableErr(t, fmt.Errorf("connector '%s' cannot be read from (it is a sink only)", spec.Name))
	}
	s := &sourceNode{
		node: n, op: op, job: j, spec: spec, width: len(t.Columns), rowtime: op.WatermarkColumn,
		wm: core.MinWatermark, rowPos: -1,
	}
	s.ectx = expr.Ctx{Watermark: core.MinWatermark, TimeZone: j.tz}
	s.bounded = spec.Bounded != nil && spec.Bounded(t)
	s.grids = windowGrids(j.graph, n.plan)

	need := neededColumns(op)
	s.layout(need)
	var decodeCols planner.Schema
	for i, c := range t.Columns {
		if !need[i] {
			continue
		}
		switch t.Kinds[i] {
		case sql.PhysicalColumn:
			s.decodeIdx = append(s.decodeIdx, i)
			s.dpos = append(s.dpos, s.pos[i])
			decodeCols = append(decodeCols, c)
		case sql.MetadataColumn:
			key := t.MetadataKeys[i]
			if !knownMetadata(key) {
				return nil, tableErr(t, fmt.Errorf("column %q: unknown metadata key '%s' for connector '%s'", c.Name, key, spec.Name))
			}
			s.meta = append(s.meta, metaFill{idx: i, at: s.pos[i], key: key, kind: c.Type.Kind})
		}
	}
	s.decoded = make(core.Row, len(decodeCols))
	env := &connector.Env{Settings: j.graph.Settings, Metrics: n.metrics, Stdout: j.opts.Stdout, Stderr: j.opts.Stderr, ReadColumns: s.decodeIdx,
		Subtask: sub, Subtasks: max(1, j.rp[n.plan])}
	var dec connector.Decoder
	switch {
	case spec.NewDecoder != nil:
		dec, err = spec.NewDecoder(t, s.decodeIdx)
	case needsFormat(spec):
		dec, err = newDecoder(t, decodeCols)
	}
	if err != nil {
		return nil, tableErr(t, err)
	}
	if dec != nil {
		env.Decoder = dec
		s.skipBad = connector.SkipsParseErrors(dec)
		s.changes, _ = dec.(connector.ChangelogDecoder)
	}
	s.env = env
	s.rowtimeDeps = rowtimeDeps(op)
	cenv := &expr.Env{TimeZone: j.tz}
	for i, e := range op.Computed {
		if e == nil || !need[i] {
			continue
		}
		e = atLayout(e, s.pos)
		f, err := expr.Compile(e, cenv)
		if err != nil {
			return nil, tableErr(t, fmt.Errorf("computed column %q: %w", t.Columns[i].Name, err))
		}
		s.computed = append(s.computed, computedCol{idx: s.pos[i], col: i, e: e, f: f})
	}
	if op.Watermark != nil {
		s.wmExpr = atLayout(op.Watermark, s.pos)
		f, err := expr.Compile(s.wmExpr, cenv)
		if err != nil {
			return nil, tableErr(t, fmt.Errorf("watermark: %w", err))
		}
		s.wmFunc = f
	}
	idle := ""
	if v, ok := t.Option("scan.watermark.idle-timeout"); ok {
		idle = v
	} else if v, ok := j.graph.Settings["table.exec.source.idle-timeout"]; ok {
		idle = v
	}
	if idle != "" {
		d, err := connector.ParseDuration(idle)
		if err != nil {
			return nil, tableErr(t, fmt.Errorf("idle timeout: %w", err))
		}
		s.idleTimeout = d
	}
	return s, nil
}

// layout places the needed table columns in the source's row layout (see
// sourceNode.pos): the output columns first, in ReadColumns order, then
// the other needed ones in table order.
func (s *sourceNode) layout(need []bool) {
	s.pos = make([]int, len(need))
	for i := range s.pos {
		s.pos[i] = -1
	}
	for o, ti := range s.op.ReadColumns {
		if s.pos[ti] >= 0 {
			s.dups = append(s.dups, [2]int{o, s.pos[ti]})
			continue
		}
		s.pos[ti] = o
	}
	s.lw = len(s.op.ReadColumns)
	for i, ok := range need {
		if ok && s.pos[i] < 0 {
			s.pos[i] = s.lw
			s.lw++
		}
	}
	if s.rowtime >= 0 {
		s.rowPos = s.pos[s.rowtime]
	}
}

// atLayout is e with every column reference moved to the layout column
// pos gives it.
func atLayout(e planner.Expr, pos []int) planner.Expr {
	switch x := e.(type) {
	case *planner.ColRef:
		c := *x
		c.Index = pos[x.Index]
		return &c
	case *planner.Call:
		c := *x
		c.Args = make([]planner.Expr, len(x.Args))
		for i, a := range x.Args {
			c.Args[i] = atLayout(a, pos)
		}
		return &c
	}
	return e
}

// layoutRows makes n rows of the source's layout in one allocation and
// their output prefixes: rows[i] is wide[i][:k:k], k output columns.
func (s *sourceNode) layoutRows(n int) (rows, wide []core.Row) {
	k, w := len(s.op.ReadColumns), s.lw
	slab := make([]types.Value, n*w)
	rows, wide = make([]core.Row, n), make([]core.Row, n)
	for i := range rows {
		wide[i] = slab[i*w : (i+1)*w : (i+1)*w]
		rows[i] = wide[i][:k:k]
	}
	return rows, wide
}

func tableErr(t *planner.TableDesc, err error) error {
	var se *sql.Error
	if errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("%s: table %s: %w", t.Pos, t.Name, err)
}

// neededColumns marks the table columns the query reads, and what those
// and the watermark are computed from.
func neededColumns(op *planner.SourceOp) []bool {
	need := make([]bool, len(op.Table.Columns))
	for _, i := range op.ReadColumns {
		markReads(op, need, &planner.ColRef{Index: i})
	}
	if op.WatermarkColumn >= 0 {
		markReads(op, need, &planner.ColRef{Index: op.WatermarkColumn})
		markReads(op, need, op.Watermark)
	}
	return need
}

// markReads marks in cols the table columns e reads and, through computed
// columns, the columns those are computed from.
func markReads(op *planner.SourceOp, cols []bool, e planner.Expr) {
	switch x := e.(type) {
	case *planner.ColRef:
		if !cols[x.Index] {
			cols[x.Index] = true
			if c := op.Computed[x.Index]; c != nil {
				markReads(op, cols, c)
			}
		}
	case *planner.Call:
		for _, a := range x.Args {
			markReads(op, cols, a)
		}
	}
}

// rowtimeDeps marks the table columns the rowtime and the watermark are
// computed from (the rowtime column included): a record for which one of
// them fails is a bad record (sourceNode.badRecord).
func rowtimeDeps(op *planner.SourceOp) []bool {
	deps := make([]bool, len(op.Table.Columns))
	if op.WatermarkColumn >= 0 {
		markReads(op, deps, &planner.ColRef{Index: op.WatermarkColumn})
		markReads(op, deps, op.Watermark)
	}
	return deps
}

func knownMetadata(key string) bool {
	switch key {
	case "timestamp", "partition", "offset", "topic", "timestamp-type", "headers":
		return true
	}
	return false
}

func (s *sourceNode) open(ctx context.Context) error {
	r, err := s.spec.NewSource(ctx, s.op.Table, s.env)
	if err != nil {
		return tableErr(s.op.Table, err)
	}
	s.reader = r
	return nil
}

// start polls the reader on its own goroutine. A poll's record bytes are
// valid only until the next Poll (connector.Record), so the goroutine
// polls again only once handle has released the previous poll.
func (s *sourceNode) start(ctx context.Context, max int) {
	s.rowWM = !cutAtWatermarks && chainOnly(s.node)
	s.reuse = prepareReuse(s.node)
	s.polls = make(chan pollResult, 1)
	s.free = make(chan struct{}, 1)
	s.ahead = s.changes == nil && decodesAhead(s.op) && s.buildLanes() == nil
	if s.ahead && !s.reuse && s.task != nil && s.task.par.recyclable(s.node) {
		s.pool = make(chan *decodedPoll, 2*channelCapacity)
	}
	if s.ahead && s.reuse {
		s.spare = make(chan *decodedPoll, 2)
		s.spare <- &decodedPoll{}
		s.spare <- &decodedPoll{}
	}
	go func() {
		defer close(s.polls)
		for {
			p, err := s.reader.Poll(ctx, max)
			r := pollResult{p: p, err: err, wait: true}
			if err == nil && s.ahead && len(p.Records) > 0 {
				if r.dec = s.takeDecoded(ctx, len(p.Records)); r.dec == nil {
					return
				}
				s.predecode(&r.p, r.dec)
				r.wait = r.dec.n < len(p.Records)
			}
			select {
			case s.polls <- r:
			case <-ctx.Done():
				return
			}
			if err != nil || p.Done {
				return
			}
			if !r.wait {
				continue // decoded whole: nothing of the reader is needed
			}
			select {
			case <-s.free:
			case <-ctx.Done():
				return
			}
		}
	}()
}

// release lets the poll goroutine read on: the last poll is processed.
func (s *sourceNode) release() {
	select {
	case s.free <- struct{}{}:
	default:
	}
}

func (s *sourceNode) close() {
	if s.reader != nil {
		s.reader.Close()
	}
}

func (s *sourceNode) split(i int) *splitState {
	for len(s.splits) <= i {
		s.splits = append(s.splits, splitState{wm: core.MinWatermark})
	}
	return &s.splits[i]
}

// handle processes one poll. In replay mode the watermark is updated
// after every row (a batch is cut wherever it advances), so results do
// not depend on batch sizes; in live mode watermarks are periodic.
func (s *sourceNode) handle(r pollResult, replay bool) (done bool, err error) {
	defer s.publish() // once per poll, for Progress
	if r.wait {
		defer s.release()
	}
	defer s.giveBack(r.dec)
	if s.pool != nil && r.dec != nil {
		// the exchanges count the batches they send from this poll
		ref := &pollRef{d: r.dec, s: s}
		ref.n.Store(1)
		s.task.ref = ref // (giveBack keeps it: the last reference returns it)
		defer func() { s.task.ref = nil; ref.release() }()
	}
	if r.err != nil {
		return true, tableErr(s.op.Table, r.err)
	}
	p := r.p
	now := time.Now()
	for _, i := range p.Started {
		sp := s.split(i)
		sp.active, sp.lastActive = true, now
	}
	var kinds []core.RowKind // a changelog source's row kinds
	if s.changes != nil {
		if err := s.expandChanges(&p, now); err != nil {
			return true, err
		}
		kinds = make([]core.RowKind, len(p.Records))
	}
	dec, ahead := r.dec, 0 // p.Records[:ahead] were decoded ahead
	var batch *core.Batch
	var wide []core.Row // the layout rows behind batch.Rows
	if dec != nil {
		batch, wide, ahead = &core.Batch{Rows: dec.rows}, dec.wide, dec.n
	} else {
		batch, wide = s.outBatch(len(p.Records))
	}
	// In replay the watermark moves after every row. With rowWM the rows
	// stay in one batch that carries the watermark before each row (see
	// core.Batch) and the last one is forwarded after it; otherwise the
	// batch is cut wherever the watermark advances.
	rowWM := replay && s.rowWM
	var wms []int64
	if rowWM {
		wms = s.wmsBuf(len(p.Records))
	}
	moved := false // rowWM: s.wm advanced and is not forwarded yet
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		b := &core.Batch{Rows: batch.Rows[:n]}
		batch.Rows, wide = batch.Rows[n:], wide[n:]
		if kinds != nil {
			b.Kinds, kinds = kinds[:n:n], kinds[n:]
		}
		if rowWM {
			b.Watermarks = wms[:n:n]
			wms = wms[n:]
		}
		n = 0
		return s.node.out.Emit(b)
	}
	for ri := range p.Records {
		if kinds == nil {
			s.read++ // a changelog source's records are counted by expandChanges
		}
		var sp *splitState
		w := int64(noWatermark) // the row's watermark expression
		if ri < ahead {
			// decoded ahead: batch.Rows[n] holds the row (no record
			// before it was skipped); p.Records may be reused already
			sp = s.split(dec.splits[ri])
			sp.active, sp.lastActive, sp.idle = true, now, false
			w = dec.wms[ri]
		} else {
			rec := &p.Records[ri]
			sp = s.split(rec.Split)
			sp.active, sp.lastActive, sp.idle = true, now, false
			ok, err := s.decode(rec, wide[n])
			if err != nil {
				return true, err
			}
			if !ok {
				continue
			}
			if kinds != nil {
				kinds[n] = rec.Kind
			}
			if s.wmFunc != nil {
				v := s.wmFunc(&s.ectx, wide[n])
				if s.ectx.Err != nil {
					err := fmt.Errorf("watermark: %w", s.ectx.Err)
					s.ectx.Err = nil
					if err := s.badRecord(rec, err); err != nil {
						return true, err
					}
					continue
				}
				if !v.IsNull() {
					w = v.I
				}
			}
		}
		if rowWM {
			wms[n] = s.wm
		}
		n++
		if w > sp.wm {
			sp.wm = w
			if replay {
				if cw, ok := s.combined(); ok && cw > s.wm {
					if rowWM {
						s.setWatermark(cw)
						moved = true
						continue
					}
					if err := flush(); err != nil {
						return true, err
					}
					if err := s.emitWatermark(cw); err != nil {
						return true, err
					}
				}
			}
		}
	}
	if err := flush(); err != nil {
		return true, err
	}
	if err := s.flushDeadLetters(); err != nil {
		return true, err
	}
	if moved {
		if err := s.node.forwardWatermark(s.wm); err != nil {
			return true, err
		}
	}
	if !replay && len(s.grids) > 0 {
		// live: a watermark that closes a window goes out now, not on
		// the next tick (windowgrid.go)
		if cw, ok := s.combined(); ok && cw > s.wm && closesWindow(s.grids, s.wm, cw) {
			if err := s.emitWatermark(cw); err != nil {
				return true, err
			}
		}
	}
	for _, i := range p.Ended {
		s.split(i).ended = true
	}
	if p.Done {
		if s.wm < core.MaxWatermark {
			if err := s.emitWatermark(core.MaxWatermark); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	if replay && len(p.Ended) > 0 {
		if cw, ok := s.combined(); ok && cw > s.wm {
			return false, s.emitWatermark(cw)
		}
	}
	return false, nil
}

// decode fills row (a layout row) from a record; false means the record
// was skipped (and counted).
func (s *sourceNode) decode(rec *connector.Record, row core.Row) (bool, error) {
	if s.serial == nil {
		s.serial = &lane{dec: s.env.Decoder, computed: s.computed, wmFunc: s.wmFunc, scratch: s.decoded, ectx: &s.ectx}
		s.serial.positioned = s.position(s.serial.dec)
	}
	switch what, col, err := s.fill(s.serial, rec, row); what {
	case fillDecodeErr:
		return false, s.decodeErr(rec, err)
	case fillComputedErr:
		err := fmt.Errorf("computed column %q: %w", s.op.Table.Columns[col].Name, err)
		if s.rowtimeDeps[col] {
			return false, s.badRecord(rec, err)
		}
		rec.Where = rec.Location() // the error paths read Where
		if s.deadLetter != nil {
			s.node.metrics.RecordsSkipped.Add(1)
			s.addDeadLetter(rec, err)
			return false, nil
		}
		return false, fmt.Errorf("%s: %w", rec.Where, err)
	case fillRowtimeRange:
		v := row[s.rowPos]
		c := s.op.Table.Columns[s.rowtime]
		return false, s.badRecord(rec, fmt.Errorf("rowtime column %q is %s (epoch millisecond %d), outside years 0000 to 9999",
			c.Name, types.FormatValue(v, c.Type, s.job.tz), v.I))
	case fillNullRowtime:
		s.node.metrics.RecordsSkipped.Add(1)
		if !s.warnedNull {
			s.warnedNull = true
			fmt.Fprintf(s.job.opts.Stderr, "warning: %s: rowtime column %q is NULL; the row cannot be placed in a window and is skipped (further such rows are counted, not reported)\n",
				rec.Location(), s.op.Table.Columns[s.rowtime].Name)
		}
		return false, nil
	}
	return true, nil
}

// decodeErr handles a record the decoder refused: to the dead-letter
// table when there is one, skipped and counted when the format skips
// malformed records, otherwise an error naming the record's place
// (nil: skipped).
func (s *sourceNode) decodeErr(rec *connector.Record, err error) error {
	rec.Where = rec.Location() // the error paths read Where
	if s.deadLetter != nil {
		s.node.metrics.RecordsSkipped.Add(1)
		s.addDeadLetter(rec, err)
		return nil
	}
	if errors.Is(err, connector.ErrSkipRecord) {
		s.node.metrics.RecordsSkipped.Add(1)
		return nil
	}
	return fmt.Errorf("%s: table %s: %w", rec.Where, s.op.Table.Name, err)
}

// expandChanges replaces a poll's records by one record per row their
// changelog decoder gives (none for a record without changes, several
// for a debezium update), each carrying its row and kind: handle then
// reads them as pre-decoded records. A record's split is active even
// when it gives no row.
func (s *sourceNode) expandChanges(p *connector.Poll, now time.Time) error {
	out := s.expandBuf[:0]
	for i := range p.Records {
		rec := &p.Records[i]
		s.read++
		sp := s.split(rec.Split)
		sp.active, sp.lastActive, sp.idle = true, now, false
		var err error
		s.changeBuf, err = s.changes.DecodeChanges(rec, s.changeBuf[:0])
		if err != nil {
			if err := s.decodeErr(rec, err); err != nil {
				return err
			}
			continue
		}
		for _, c := range s.changeBuf {
			r := *rec
			r.Row, r.Kind = c.Row, c.Kind
			out = append(out, r)
		}
	}
	clear(s.changeBuf)
	s.expandBuf = out
	p.Records = out
	return nil
}

// badRecord handles a record whose rowtime or watermark cannot be
// evaluated as decode handles a malformed one: to the dead-letter table
// when there is one, skipped and counted with json.ignore-parse-errors,
// otherwise an error naming the record's place (nil: skipped).
func (s *sourceNode) badRecord(rec *connector.Record, err error) error {
	rec.Where = rec.Location() // the error paths read Where
	switch {
	case s.deadLetter != nil:
		s.node.metrics.RecordsSkipped.Add(1)
		s.addDeadLetter(rec, err)
		return nil
	case s.skipBad:
		s.node.metrics.RecordsSkipped.Add(1)
		return nil
	}
	return fmt.Errorf("%s: table %s: %w", rec.Where, s.op.Table.Name, err)
}

// what fill did with a record
const (
	fillOK           = iota
	fillDecodeErr    // the decoder failed (err)
	fillComputedErr  // computed column col failed (err)
	fillNullRowtime  // the rowtime is NULL
	fillRowtimeRange // the rowtime is outside years 0000 to 9999
)

// The rowtime's range, Flink's TIMESTAMP range: years 0000 to 9999 (as
// epoch milliseconds of the wall clock, or of the instant in UTC for a
// TIMESTAMP_LTZ). A rowtime beyond it would push the watermark past
// every later row.
var (
	minRowtime = types.DaysFromCivil(0, 1, 1) * 86_400_000
	maxRowtime = types.DaysFromCivil(10000, 1, 1)*86_400_000 - 1
)

// fill decodes rec into row, a row of the source's layout (every column
// of it is written), with l's decoder and expressions. It changes nothing
// outside l and row, so the poll goroutine can run it ahead of handle
// (predecode.go); decode reports what it returns (col: a table column).
func (s *sourceNode) fill(l *lane, rec *connector.Record, row core.Row) (what, col int, err error) {
	c := l.ectx
	if rec.Row == nil && l.positioned {
		if err := l.dec.Decode(rec.Value, row); err != nil {
			return fillDecodeErr, 0, err
		}
	} else {
		decoded := l.scratch
		if rec.Row != nil {
			// pre-decoded rows (datagen) carry the decoded columns in order
			copy(decoded, rec.Row)
		} else if l.dec != nil {
			if err := l.dec.Decode(rec.Value, decoded); err != nil {
				return fillDecodeErr, 0, err
			}
		}
		for i, p := range s.dpos {
			row[p] = decoded[i]
		}
	}
	for _, m := range s.meta {
		row[m.at] = metadataValue(rec, m.key, m.kind)
	}
	for _, cc := range l.computed {
		row[cc.idx] = cc.f(c, row)
		if c.Err != nil {
			err := c.Err
			c.Err = nil
			return fillComputedErr, cc.col, err
		}
	}
	if s.rowPos >= 0 {
		if v := row[s.rowPos]; v.IsNull() {
			return fillNullRowtime, 0, nil
		} else if v.I < minRowtime || v.I > maxRowtime {
			return fillRowtimeRange, 0, nil
		}
	}
	for _, d := range s.dups {
		row[d[0]] = row[d[1]]
	}
	return fillOK, 0, nil
}

// position makes dec write straight into layout rows when it can
// (SetPositions, as the json format's decoder has) and reports whether
// it does.
func (s *sourceNode) position(dec connector.Decoder) bool {
	p, ok := dec.(interface{ SetPositions([]int) bool })
	return ok && p.SetPositions(s.dpos)
}

func metadataValue(rec *connector.Record, key string, kind types.Kind) types.Value {
	switch key {
	case "timestamp":
		if kind == types.Timestamp {
			return types.TimestampValue(rec.Timestamp)
		}
		return types.TimestampLTZValue(rec.Timestamp)
	case "partition":
		return types.IntValue(int64(rec.Partition))
	case "offset":
		return types.BigIntValue(rec.Offset)
	case "topic":
		if rec.Topic == "" {
			return types.NullValue
		}
		return types.StringValue(rec.Topic)
	case "timestamp-type":
		return types.StringValue(rec.TimestampType)
	case "headers":
		m := &types.MapValue{}
		for _, h := range rec.Headers {
			m.Keys = append(m.Keys, types.StringValue(h.Key))
			m.Values = append(m.Values, types.BytesValue(h.Value))
		}
		return types.Value{K: types.Map, X: m}
	}
	return types.NullValue
}

// combined is the minimum watermark over active splits; ok is false when
// no split is active (the watermark then holds).
func (s *sourceNode) combined() (int64, bool) {
	min, ok := core.MaxWatermark, false
	for i := range s.splits {
		sp := &s.splits[i]
		if !sp.active || sp.ended || sp.idle {
			continue
		}
		ok = true
		if sp.wm < min {
			min = sp.wm
		}
	}
	return min, ok
}

func (s *sourceNode) emitWatermark(wm int64) error {
	s.setWatermark(wm)
	return s.node.forwardWatermark(wm)
}

// setWatermark moves the source's watermark without forwarding it.
func (s *sourceNode) setWatermark(wm int64) {
	s.wm = wm
	s.ectx.Watermark = wm
	s.node.metrics.CurrentWatermark.Store(wm)
}

// prepareReuse tells each operator downstream of n whose consumers are
// all core.Borrowers that it may reuse its output batches, and reports
// whether n's own consumers all are.
func prepareReuse(n *node) bool {
	all := true
	for _, e := range n.consumers {
		if !borrows(e.to.op) {
			all = false
		}
		if prepareReuse(e.to) {
			if r, ok := e.to.op.(core.OutputReuser); ok {
				r.ReuseOutput()
			}
		}
	}
	return all
}

// outBatch is a batch of n rows for a poll's output and the layout rows
// behind them (layoutRows); with s.reuse the same memory serves every
// poll (the consumers keep nothing).
func (s *sourceNode) outBatch(n int) (*core.Batch, []core.Row) {
	if !s.reuse {
		rows, wide := s.layoutRows(n)
		return &core.Batch{Rows: rows}, wide
	}
	if cap(s.slab) < n {
		s.slab, s.wideSlab = s.layoutRows(n)
	}
	return &core.Batch{Rows: s.slab[:n]}, s.wideSlab[:n]
}

func (s *sourceNode) wmsBuf(n int) []int64 {
	if !s.reuse {
		return make([]int64, n)
	}
	if cap(s.wmSlab) < n {
		s.wmSlab = make([]int64, n)
	}
	return s.wmSlab[:n]
}

// cutAtWatermarks turns per-row watermarks in batches off (tests compare
// both ways of delivering watermarks).
var cutAtWatermarks = false

// chainOnly reports whether no node downstream of n (n included) feeds
// more than one consumer. Per-row watermarks in batches (core.Batch) keep
// every consumer's results and their order exactly as row-at-a-time
// delivery would; with fan-out, the interleaving of two branches' output
// would change (all of one branch's rows of a batch before the other's),
// so such a source cuts batches at watermark advances instead.
func chainOnly(n *node) bool {
	if len(n.consumers) > 1 {
		return false
	}
	for _, e := range n.consumers {
		if !chainOnly(e.to) {
			return false
		}
	}
	return true
}

// periodic runs on the live watermark interval: marks idle splits and
// emits the watermark when it advanced.
func (s *sourceNode) periodic(now time.Time) error {
	defer s.publish()
	if s.idleTimeout > 0 {
		for i := range s.splits {
			sp := &s.splits[i]
			if sp.active && !sp.ended && !sp.idle && now.Sub(sp.lastActive) >= s.idleTimeout {
				sp.idle = true
			}
		}
	}
	if cw, ok := s.combined(); ok && cw > s.wm {
		return s.emitWatermark(cw)
	}
	return nil
}

// IdleSplits reports which splits are idle now (for the progress view).
func (s *sourceNode) IdleSplits() []int {
	var idle []int
	for i, sp := range s.splits {
		if sp.idle {
			idle = append(idle, i)
		}
	}
	return idle
}
