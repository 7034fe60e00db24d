package ops

import (
	"fmt"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Dead-letter rows, as a source hands them to its side output
// ('dead-letter.table', a streamsql extension): one row per record that
// failed to decode, laid out as below; NULL where the record has no such
// thing (a file has no partition, Kafka no line).
const (
	DeadRaw       = iota // BYTES: the record value
	DeadError            // STRING: why it failed
	DeadLocation         // STRING: "topic T partition P offset O" or "file:line"
	DeadTopic            // STRING
	DeadPartition        // INT
	DeadOffset           // BIGINT
	DeadLine             // BIGINT
	DeadWidth
)

var deadIndex = map[string]int{
	"raw": DeadRaw, "error": DeadError, "location": DeadLocation, "topic": DeadTopic,
	"partition": DeadPartition, "offset": DeadOffset, "line": DeadLine,
}

var lateIndex = map[string]int{
	"window_start": LateWindowStart, "window_end": LateWindowEnd, "current_watermark": LateWatermark,
}

// sideOutput lays out late rows (late.go) or dead letters as the declared
// table's columns (planner.SideOutputOp).
type sideOutput struct {
	late bool
	// per output column: src[side] is the index in the incoming row
	// (-1: NULL); the same for both sides of special fields.
	src   [][2]int
	kinds []types.Kind
}

// NewSideOutput builds the operator of a SideOutputOp node with output
// schema out.
func NewSideOutput(spec *planner.SideOutputOp, out planner.Schema) (core.Operator, error) {
	if len(spec.Fields) != len(out) {
		return nil, fmt.Errorf("side output: %d fields for %d columns", len(spec.Fields), len(out))
	}
	o := &sideOutput{late: spec.Kind == planner.SideLateRows}
	for i, f := range spec.Fields {
		var src [2]int
		switch {
		case f.Special == "":
			if !o.late {
				return nil, fmt.Errorf("side output: dead-letter column %q has no field", out[i].Name)
			}
			for s, c := range f.Input {
				src[s] = -1
				if c >= 0 {
					src[s] = LateInput + c
				}
			}
		case o.late:
			idx, ok := lateIndex[f.Special]
			if !ok {
				return nil, fmt.Errorf("side output: unknown late-row field %q", f.Special)
			}
			src = [2]int{idx, idx}
		default:
			idx, ok := deadIndex[f.Special]
			if !ok {
				return nil, fmt.Errorf("side output: unknown dead-letter field %q", f.Special)
			}
			src = [2]int{idx, idx}
		}
		o.src = append(o.src, src)
		o.kinds = append(o.kinds, out[i].Type.Kind)
	}
	return o, nil
}

func (o *sideOutput) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	res := core.NewBatch(len(b.Rows), len(o.src))
	for r, in := range b.Rows {
		side := 0
		if o.late && in[LateSide].I == 1 {
			side = 1
		}
		row := res.Rows[r]
		for i, src := range o.src {
			c := src[side]
			if c < 0 || c >= len(in) {
				row[i] = types.NullValue
				continue
			}
			v := in[c]
			switch {
			case v.K == types.Null:
			case o.late && c == LateWatermark:
				v = types.Value{K: o.kinds[i], I: v.I} // the rowtime's type
			case !o.late && c == DeadRaw && o.kinds[i] == types.String:
				v = types.StringValue(v.S)
			}
			row[i] = v
		}
	}
	return out.Emit(res)
}

func (o *sideOutput) ProcessWatermark(int64, core.Output) error { return nil }
func (o *sideOutput) Finish(core.Output) error                  { return nil }
