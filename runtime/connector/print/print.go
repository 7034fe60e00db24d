package print

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Spec is the print connector.
var Spec = &connector.Spec{
	Name: "print",
	Doc:  "Writes every row to standard output as Flink does: `+I[a, 1, 2026-05-28 20:28:50.500]`, the row kind (`+I`, `-U`, `+U`, `-D`) first; at a parallelism above 1 each line starts with its subtask's number, `2> +I[...]` (`id:2> ` with a 'print-identifier').",
	Options: []connector.OptionSpec{
		{Key: "print-identifier", Doc: "A prefix for every line: `id> +I[...]` (`id:2> +I[...]` from subtask 2 when the sink runs as several)."},
		{Key: "standard-error", Default: "false", Type: connector.OptBool, Doc: "Write to standard error instead of standard output."},
	},
	Borrows: true, // Write formats every row before it returns
	NewSink: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
		return NewSink(t, env)
	},
}

// Formatter renders rows as the print connector prints them.
type Formatter struct {
	prefix []byte
	cols   planner.Schema
	loc    *time.Location // table.local-time-zone: how TIMESTAMP_LTZ prints
}

// NewFormatter builds the formatter for a table's columns and options.
// env may be nil; its Settings give 'table.local-time-zone' (UTC when
// unset), in which TIMESTAMP_LTZ values are printed.
func NewFormatter(t *planner.TableDesc, env *connector.Env) (*Formatter, error) {
	f := &Formatter{cols: t.Columns, loc: time.UTC}
	id, _ := t.Option("print-identifier")
	sub, n := 0, 1
	if env != nil {
		sub, n = env.Subtask, env.Subtasks
	}
	if p := Prefix(id, sub, n); p != "" {
		f.prefix = []byte(p)
	}
	if env != nil {
		if name := env.Settings["table.local-time-zone"]; name != "" {
			loc, err := time.LoadLocation(name)
			if err != nil {
				return nil, fmt.Errorf("print table %s: SET 'table.local-time-zone' = '%s': unknown time zone", t.Name, name)
			}
			f.loc = loc
		}
	}
	return f, nil
}

// Prefix is what Flink's PrintSinkOutputWriter puts in front of every
// line: the identifier, then ':' and the subtask's number (index + 1)
// when the sink runs as several subtasks, then "> " unless both are
// absent: "2> ", "job:2> ", "job> " or "".
func Prefix(identifier string, subtask, subtasks int) string {
	p := identifier
	if subtasks > 1 {
		if p != "" {
			p += ":"
		}
		p += strconv.Itoa(subtask + 1)
	}
	if p != "" {
		p += "> "
	}
	return p
}

// Format appends one line (without newline): `+I[v1, v2]`, values as
// Flink's CAST to STRING writes them (types.AppendValue), a NULL field as
// `null`.
func (f *Formatter) Format(b []byte, row core.Row) []byte {
	return f.FormatKind(b, core.Insert, row)
}

// FormatKind is Format for a row of the given change kind: `+I[...]`,
// `-U[...]`, `+U[...]`, `-D[...]`, as Flink's print sink writes them.
func (f *Formatter) FormatKind(b []byte, kind core.RowKind, row core.Row) []byte {
	b = append(b, f.prefix...)
	b = append(b, kind.String()...)
	b = append(b, '[')
	for i, v := range row {
		if i > 0 {
			b = append(b, ", "...)
		}
		if v.IsNull() {
			b = append(b, "null"...)
			continue
		}
		var t types.Type // a row wider than the schema prints by its values' kinds
		if i < len(f.cols) {
			t = f.cols[i].Type
		}
		b = types.AppendValue(b, v, t, f.loc)
	}
	return append(b, ']')
}

// Sink writes formatted rows, one per line.
type Sink struct {
	f   *Formatter
	w   io.Writer
	buf []byte
}

// NewSink opens a print sink on env.Stdout (os.Stderr with
// 'standard-error' = 'true').
func NewSink(t *planner.TableDesc, env *connector.Env) (*Sink, error) {
	f, err := NewFormatter(t, env)
	if err != nil {
		return nil, err
	}
	var w io.Writer = os.Stdout
	if env != nil && env.Stdout != nil {
		w = env.Stdout
	}
	stderr, err := connector.OptionBool(t, "standard-error", false)
	if err != nil {
		return nil, err
	}
	if stderr {
		w = os.Stderr
		if env != nil && env.Stderr != nil {
			w = env.Stderr
		}
	}
	return &Sink{f: f, w: w}, nil
}

// Write prints the batch's rows in one write.
func (s *Sink) Write(_ context.Context, b *core.Batch) error {
	s.buf = s.buf[:0]
	for i, row := range b.Rows {
		s.buf = s.f.FormatKind(s.buf, b.KindAt(i), row)
		s.buf = append(s.buf, '\n')
	}
	if len(s.buf) == 0 {
		return nil
	}
	_, err := s.w.Write(s.buf)
	return err
}

// Flush is a no-op: every Write reaches the writer.
func (s *Sink) Flush(context.Context) error { return nil }

// Close is a no-op.
func (s *Sink) Close() error { return nil }
