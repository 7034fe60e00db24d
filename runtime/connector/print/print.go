package print

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/format/textconv"
	"github.com/streamsql/streamsql/sql/types"
)

// Spec is the print connector.
var Spec = &connector.Spec{
	Name: "print",
	Doc:  "Writes every row to standard output as Flink does: `+I[a, 1, 2026-05-28 20:28:50.500]`.",
	Options: []connector.OptionSpec{
		{Key: "print-identifier", Doc: "A prefix for every line: `id> +I[...]`."},
		{Key: "standard-error", Default: "false", Type: connector.OptBool, Doc: "Write to standard error instead of standard output."},
		{Key: "sink.parallelism", Type: connector.OptInt, Ignored: true, Doc: "Accepted for compatibility; no effect."},
	},
	NewSink: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
		return NewSink(t, env)
	},
}

// Formatter renders rows as the print connector prints them.
type Formatter struct {
	prefix []byte
	cols   planner.Schema
}

// NewFormatter builds the formatter for a table's columns and options.
func NewFormatter(t *planner.TableDesc, _ *connector.Env) (*Formatter, error) {
	f := &Formatter{cols: t.Columns}
	if id, ok := t.Option("print-identifier"); ok {
		f.prefix = []byte(id + "> ")
	}
	return f, nil
}

// Format appends one line (without newline): `+I[v1, v2]`, values as
// Flink's CAST to STRING writes them, NULL as `null`.
func (f *Formatter) Format(b []byte, row core.Row) []byte {
	b = append(b, f.prefix...)
	b = append(b, "+I["...)
	for i, v := range row {
		if i > 0 {
			b = append(b, ", "...)
		}
		var t *types.Type
		if i < len(f.cols) {
			t = &f.cols[i].Type
		}
		b = AppendValue(b, v, t)
	}
	return append(b, ']')
}

// AppendValue appends v as Flink's CAST(v AS STRING) writes it, with
// NULL as `null`. t (may be nil) supplies the timestamp precision.
func AppendValue(b []byte, v types.Value, t *types.Type) []byte {
	if v.IsNull() {
		return append(b, "null"...)
	}
	prec := 3
	if t != nil && t.Kind.IsTimestamp() {
		prec = t.Precision
	}
	switch v.K {
	case types.Boolean:
		if v.Bool() {
			return append(b, "TRUE"...)
		}
		return append(b, "FALSE"...)
	case types.TinyInt, types.SmallInt, types.Int, types.BigInt:
		return fmt.Appendf(b, "%d", v.I)
	case types.Float:
		return textconv.AppendJavaDouble(b, v.F(), 32)
	case types.Double:
		return textconv.AppendJavaDouble(b, v.F(), 64)
	case types.Decimal:
		return textconv.AppendDecimal(b, v)
	case types.String:
		return append(b, v.S...)
	case types.Bytes:
		return fmt.Appendf(b, "x'%x'", v.S)
	case types.Date:
		return textconv.AppendDate(b, v.I)
	case types.Time:
		return textconv.AppendTime(b, v.I, 0)
	case types.Timestamp:
		return textconv.AppendTimestamp(b, v.I, ' ', prec)
	case types.TimestampLTZ:
		// printed in the session time zone, UTC by default
		return textconv.AppendTimestamp(b, v.I, ' ', prec)
	case types.Array:
		b = append(b, '[')
		for i, x := range v.Elems() {
			if i > 0 {
				b = append(b, ", "...)
			}
			var et *types.Type
			if t != nil {
				et = t.Elem
			}
			b = AppendValue(b, x, et)
		}
		return append(b, ']')
	case types.Row:
		b = append(b, '(')
		for i, x := range v.Elems() {
			if i > 0 {
				b = append(b, ", "...)
			}
			var ft *types.Type
			if t != nil && i < len(t.Fields) {
				ft = &t.Fields[i].Type
			}
			b = AppendValue(b, x, ft)
		}
		return append(b, ')')
	case types.Map:
		b = append(b, '{')
		if m, ok := v.X.(*types.MapValue); ok {
			var kt, vt *types.Type
			if t != nil {
				kt, vt = t.Key, t.Elem
			}
			for i := range m.Keys {
				if i > 0 {
					b = append(b, ", "...)
				}
				b = AppendValue(b, m.Keys[i], kt)
				b = append(b, '=')
				b = AppendValue(b, m.Values[i], vt)
			}
		}
		return append(b, '}')
	case types.IntervalDayTime, types.IntervalYearMonth:
		return fmt.Appendf(b, "%d", v.I)
	}
	return fmt.Appendf(b, "%v", v)
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
	}
	return &Sink{f: f, w: w}, nil
}

// Write prints the batch's rows in one write.
func (s *Sink) Write(_ context.Context, b *core.Batch) error {
	s.buf = s.buf[:0]
	for _, row := range b.Rows {
		s.buf = s.f.Format(s.buf, row)
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
