package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Results of a SELECT in the client (docs/sql-client.md).
//
// The query runs as a job whose implicit print sink (the table "stdout"
// of a bare SELECT) is replaced by a collecting sink. Every row arrives
// as a change with its kind (core.Batch.KindAt: +I, -U, +U, -D). Table
// mode applies them (a -U or -D removes the row it names, as Flink's
// materialized result does); changelog and tableau modes print the kind
// in the op column.

// change is one row of a result with its kind (+I, -U, +U, -D).
type change struct {
	kind string
	vals []string
}

// maxResultRows bounds what the client keeps of a result (Flink's
// sql-client.execution.max-table-result.rows); older rows go first.
const maxResultRows = 1_000_000

// resultBuffer collects a query's result as it arrives.
type resultBuffer struct {
	cols  []string
	types []types.Type

	mu      sync.Mutex
	changes []change // changelog: every change, in order
	table   []change // table mode: the rows as they stand (+I/+U kept, -U/-D applied)
	total   int64    // changes received
	updated time.Time
}

func newResultBuffer(schema planner.Schema) *resultBuffer {
	b := &resultBuffer{}
	for _, c := range schema {
		b.cols = append(b.cols, c.Name)
		b.types = append(b.types, c.Type)
	}
	return b
}

func (b *resultBuffer) add(kind string, vals []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := change{kind, vals}
	b.total++
	b.updated = time.Now()
	b.changes = append(b.changes, c)
	if len(b.changes) > maxResultRows {
		b.changes = b.changes[len(b.changes)-maxResultRows:]
	}
	switch kind {
	case "-U", "-D":
		for i := len(b.table) - 1; i >= 0; i-- {
			if slices.Equal(b.table[i].vals, vals) {
				b.table = append(b.table[:i], b.table[i+1:]...)
				break
			}
		}
	default:
		b.table = append(b.table, c)
		if len(b.table) > maxResultRows {
			b.table = b.table[len(b.table)-maxResultRows:]
		}
	}
}

// snapshot copies the rows of a mode (table: the table; else the changes).
func (b *resultBuffer) snapshot(mode string) (rows []change, total int64, updated time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	src := b.changes
	if mode == "table" {
		src = b.table
	}
	return append([]change(nil), src...), b.total, b.updated
}

// collectSpec is the connector that feeds a resultBuffer.
func collectSpec(buf *resultBuffer) *connector.Spec {
	return &connector.Spec{
		Name: "sql-client-result",
		NewSink: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
			loc := time.UTC
			if env != nil {
				if name := env.Settings["table.local-time-zone"]; name != "" {
					l, err := time.LoadLocation(name)
					if err != nil {
						return nil, fmt.Errorf("SET 'table.local-time-zone' = '%s': unknown time zone", name)
					}
					loc = l
				}
			}
			return &collectWriter{buf: buf, cols: t.Columns, loc: loc}, nil
		},
	}
}

type collectWriter struct {
	buf  *resultBuffer
	cols planner.Schema
	loc  *time.Location
	tmp  []byte
}

func (w *collectWriter) Write(_ context.Context, b *core.Batch) error {
	for r, row := range b.Rows {
		vals := make([]string, len(row))
		for i, v := range row {
			if v.IsNull() {
				vals[i] = "<NULL>"
				continue
			}
			var t types.Type
			if i < len(w.cols) {
				t = w.cols[i].Type
			}
			w.tmp = types.AppendValue(w.tmp[:0], v, t, w.loc)
			vals[i] = string(w.tmp)
		}
		w.buf.add(b.KindAt(r).String(), vals)
	}
	return nil
}

func (w *collectWriter) Flush(context.Context) error { return nil }
func (w *collectWriter) Close() error                { return nil }

// ---------------------------------------------------------------- layout

// columnWidth is a column's display width: its type's usual width, at
// least the name's, at most 30 (longer values are cut with "...").
func columnWidth(name string, t types.Type) int {
	w := 20
	switch t.Kind {
	case types.Boolean:
		w = 5
	case types.TinyInt:
		w = 4
	case types.SmallInt:
		w = 6
	case types.Int:
		w = 11
	case types.BigInt:
		w = 20
	case types.Float, types.Double:
		w = 12
	case types.Decimal:
		w = t.Precision + 2
	case types.Date:
		w = 10
	case types.Time:
		w = 12
	case types.Timestamp, types.TimestampLTZ:
		w = 19
		if t.Precision > 0 {
			w += 1 + t.Precision
		}
	}
	return min(max(w, utf8.RuneCountInString(name)), 30)
}

// fit pads or cuts s to width w (cut values end with "...").
func fit(s string, w int, right bool) string {
	n := utf8.RuneCountInString(s)
	if n > w {
		r := []rune(s)
		if w <= 3 {
			return string(r[:w])
		}
		return string(r[:w-3]) + "..."
	}
	if right {
		return strings.Repeat(" ", w-n) + s
	}
	return s + strings.Repeat(" ", w-n)
}

// renderBox draws rows in a box as Flink's tableau does, each column as
// wide as its widest cell.
func renderBox(head []string, rows [][]string) string {
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := boxLine(widths)
	b.WriteString(line)
	b.WriteString(boxRow(head, widths, false))
	b.WriteString(line)
	for _, r := range rows {
		b.WriteString(boxRow(r, widths, false))
	}
	if len(rows) > 0 {
		b.WriteString(line)
	}
	return b.String()
}

func boxLine(widths []int) string {
	var b strings.Builder
	for _, w := range widths {
		b.WriteString("+" + strings.Repeat("-", w+2))
	}
	return b.String() + "+\n"
}

func boxRow(cells []string, widths []int, right bool) string {
	var b strings.Builder
	for i, w := range widths {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		b.WriteString("| " + fit(c, w, right) + " ")
	}
	return b.String() + "|\n"
}

// tableau prints a result as it arrives: the head once, then every change
// with its kind, then the foot and the count.
type tableau struct {
	w      io.Writer
	widths []int
	head   []string
}

func newTableau(w io.Writer, buf *resultBuffer) *tableau {
	t := &tableau{w: w, head: append([]string{"op"}, buf.cols...), widths: []int{2}}
	for i, c := range buf.cols {
		t.widths = append(t.widths, columnWidth(c, buf.types[i]))
	}
	return t
}

func (t *tableau) start() {
	io.WriteString(t.w, boxLine(t.widths)+boxRow(t.head, t.widths, true)+boxLine(t.widths))
}

func (t *tableau) rows(cs []change) {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(boxRow(append([]string{c.kind}, c.vals...), t.widths, true))
	}
	io.WriteString(t.w, b.String())
}

func (t *tableau) end(n int64) {
	if n > 0 {
		io.WriteString(t.w, boxLine(t.widths))
	} else {
		io.WriteString(t.w, "Empty set\n")
	}
	fmt.Fprintf(t.w, "Received a total of %s\n", plural(int(n), "row"))
}

// ---------------------------------------------------------------- running a query

// query runs a SELECT: in tableau mode (and whenever the client is not
// on a terminal) rows are printed as they come; in table and changelog
// modes a full-screen view shows them live. A bounded query ends by
// itself; an unbounded one on Ctrl-C or q.
func (s *session) query(st stmtText, stmt *sql.QueryStatement) error {
	job, err := s.plan(stmt)
	if err != nil {
		return err
	}
	if job.Graph == nil {
		return sql.Errorf(stmt.Pos, "nothing to run")
	}
	var buf *resultBuffer
	for _, n := range job.Graph.Nodes {
		if sk, ok := n.Op.(*planner.SinkOp); ok {
			buf = newResultBuffer(sk.Table.Columns)
		}
	}
	if err := checkRelativePaths(job.Graph); err != nil {
		return err
	}
	errs := &prefixWriter{w: s.err, prefix: "[query] "}
	rj, err := runtime.Build(job.Graph, runtime.Options{Stdout: io.Discard, Stderr: errs,
		Connectors: map[string]*connector.Spec{"stdout": collectSpec(buf)}})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- rj.Run(ctx) }()
	mode := s.client[resultModeKey]
	if s.screen == nil || mode == "tableau" {
		return s.printResult(buf, done, cancel)
	}
	return s.viewResult(buf, mode, rj, done, cancel)
}

// printResult is tableau mode: rows printed as they arrive until the
// query ends (or Ctrl-C / q on a terminal).
func (s *session) printResult(buf *resultBuffer, done <-chan error, cancel context.CancelFunc) error {
	out := s.out
	var keys <-chan []byte
	if s.screen != nil {
		restore := s.screen.raw()
		defer restore()
		out = crlf{s.out}
		var release func()
		keys, release = s.screen.keys()
		defer release()
	}
	tb := newTableau(out, buf)
	tb.start()
	shown := 0
	flush := func() {
		rows, _, _ := buf.snapshot("changelog")
		if len(rows) > shown {
			tb.rows(rows[shown:])
			shown = len(rows)
		}
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var err error
	stopped := false
loop:
	for {
		select {
		case err = <-done:
			break loop
		case k := <-keys:
			if isQuitKey(k) {
				stopped = true
				cancel()
			}
		case <-tick.C:
			flush()
		}
	}
	flush()
	_, total, _ := buf.snapshot("changelog")
	tb.end(total)
	if err != nil {
		return err
	}
	if stopped {
		fmt.Fprint(out, "[INFO] Query stopped.\n")
	}
	return nil
}

func isQuitKey(k []byte) bool {
	return len(k) > 0 && (k[0] == 'q' || k[0] == 'Q' || k[0] == 3)
}

// crlf turns \n into \r\n for a terminal in raw mode.
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	_, err := io.WriteString(c.w, strings.ReplaceAll(string(p), "\n", "\r\n"))
	return len(p), err
}

// viewResult is table and changelog mode: a full-screen view on the
// alternate screen, redrawn as rows arrive, scrolled with the arrow keys
// and PgUp/PgDn, left with q or Ctrl-C (which stops the query). When the
// query ends by itself the view closes and the result is printed.
func (s *session) viewResult(buf *resultBuffer, mode string, rj *runtime.Job, done <-chan error, cancel context.CancelFunc) error {
	restore := s.screen.raw()
	keys, release := s.screen.keys()
	io.WriteString(s.out, enterAltScreen)
	v := &resultView{buf: buf, mode: mode, follow: true}
	tick := time.NewTicker(250 * time.Millisecond)
	var err error
	finished, stopped := false, false
	draw := func() {
		w, h := s.screen.size()
		state := "RUNNING"
		switch {
		case stopped:
			state = "STOPPING"
		case finished:
			state = "FINISHED"
		}
		io.WriteString(s.out, strings.ReplaceAll(redraw(v.render(w, h, state, rj.Summary())), "\n", "\r\n"))
	}
	draw()
loop:
	for {
		select {
		case err = <-done:
			finished = true
			break loop
		case k := <-keys:
			if isQuitKey(k) {
				stopped = true
				draw()
				cancel()
				continue
			}
			v.key(k, s.screen)
			draw()
		case <-tick.C:
			draw()
		}
	}
	tick.Stop()
	release()
	io.WriteString(s.out, leaveAltScreen)
	restore()
	rows, total, _ := buf.snapshot(mode)
	if err != nil {
		return err
	}
	if stopped {
		s.infof("Query stopped after %s (%s shown in %s mode).", plural(int(total), "row"), plural(len(rows), "row"), mode)
		return nil
	}
	// Finished by itself: the result stays on the screen.
	tb := newTableau(s.out, buf)
	tb.start()
	tb.rows(rows)
	tb.end(int64(len(rows)))
	return nil
}

// resultView is the state of the full-screen result view.
type resultView struct {
	buf    *resultBuffer
	mode   string
	offset int  // first row shown
	follow bool // stay on the last page as rows arrive
	page   int  // rows per page at the last render
	rows   int  // rows at the last render
}

// key handles a key press: arrows, PgUp/PgDn, Home/End (g/G).
func (v *resultView) key(k []byte, _ *terminal) {
	s := string(k)
	switch {
	case s == "\x1b[A" || s == "k":
		v.offset--
		v.follow = false
	case s == "\x1b[B" || s == "j":
		v.offset++
	case s == "\x1b[5~" || s == "b":
		v.offset -= v.page
		v.follow = false
	case s == "\x1b[6~" || s == " " || s == "f":
		v.offset += v.page
	case s == "\x1b[H" || s == "g":
		v.offset = 0
		v.follow = false
	case s == "\x1b[F" || s == "G":
		v.follow = true
	}
	if v.offset+v.page >= v.rows {
		v.follow = true
	}
}

// render draws one frame of w columns and h lines.
func (v *resultView) render(w, h int, state string, sum runtime.Summary) string {
	rows, total, updated := v.buf.snapshot(v.mode)
	v.page = max(h-4, 1) // title, column names, a blank line and the keys
	v.rows = len(rows)
	if v.follow {
		v.offset = len(rows) - v.page
	}
	v.offset = max(min(v.offset, len(rows)-v.page), 0)
	widths := []int{}
	head := []string{}
	if v.mode == "changelog" {
		widths, head = append(widths, 2), append(head, "op")
	}
	for i, c := range v.buf.cols {
		widths, head = append(widths, columnWidth(c, v.buf.types[i])), append(head, c)
	}
	line := func(cells []string) string {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(fit(c, widths[i], i > 0 || v.mode != "changelog"))
		}
		return fitLine(b.String(), w)
	}
	var b strings.Builder
	last := "-"
	if !updated.IsZero() {
		last = updated.Format("15:04:05")
	}
	end := min(v.offset+v.page, len(rows))
	fmt.Fprintf(&b, "%s\n", fitLine(fmt.Sprintf("SQL Query Result (%s)  |  %s  |  rows %d-%d of %d (%d received)  |  updated %s  |  read %d records",
		strings.ToUpper(v.mode[:1])+v.mode[1:], state, min(v.offset+1, end), end, len(rows), total, last, sum.RecordsRead), w))
	b.WriteString(line(head) + "\n")
	for _, r := range rows[v.offset:end] {
		cells := r.vals
		if v.mode == "changelog" {
			cells = append([]string{r.kind}, r.vals...)
		}
		b.WriteString(line(cells) + "\n")
	}
	for i := end - v.offset; i < v.page; i++ {
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(fitLine("Q Quit (stops the query)   Up/Down Scroll   PgUp/PgDn Page   g/G First/Last page", w))
	return b.String()
}

// fitLine cuts a line to a terminal width.
func fitLine(s string, w int) string {
	if w <= 1 || utf8.RuneCountInString(s) < w {
		return s
	}
	return string([]rune(s)[:w-1])
}
