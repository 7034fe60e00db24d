package window

import "fmt"

// kinds are the window kinds, one entry each: adding a kind is adding an
// entry here (see Descriptor). Window semantics follow Flink's
// TumblingWindowAssigner, SlidingWindowAssigner, CumulativeWindowAssigner
// and session windows; runtime/ops/doc.go gives the formulas.
var kinds = []Descriptor{
	{
		Kind: Tumble, Name: "TUMBLE", GroupWindow: true,
		Params: []Param{size("size"), offset()},
		Assign: func(s *Sizes, t int64, dst []Span) []Span {
			start := t - floorMod(t-s.Offset, s.Size)
			return append(dst, Span{start, start + s.Size})
		},
	},
	{
		Kind: Hop, Name: "HOP", GroupWindow: true,
		Params:  []Param{{Name: "SLIDE", Label: "slide", Field: func(s *Sizes) *int64 { return &s.Slide }}, size("size"), offset()},
		Explain: []string{"size", "slide", "offset"},
		Restrict: func(s Sizes) string {
			if s.Size%s.Slide != 0 {
				return fmt.Sprintf("HOP table function based aggregate requires size must be an integral multiple of slide, but got size %d ms and slide %d ms", s.Size, s.Slide)
			}
			return ""
		},
		Assign: func(s *Sizes, t int64, dst []Span) []Span {
			last := t - floorMod(t-s.Offset, s.Slide)
			first := last
			for first-s.Slide > t-s.Size {
				first -= s.Slide
			}
			for start := first; start <= last; start += s.Slide {
				if start+s.Size > t { // slide > size leaves gaps between windows
					dst = append(dst, Span{start, start + s.Size})
				}
			}
			return dst
		},
		PerRow: func(s Sizes) int64 { return ceilDiv(s.Size, s.Slide) },
	},
	{
		Kind: Cumulate, Name: "CUMULATE",
		Params:  []Param{{Name: "STEP", Label: "step", Field: func(s *Sizes) *int64 { return &s.Step }}, size("max_size"), offset()},
		Explain: []string{"max_size", "step", "offset"},
		Check: func(s Sizes) string {
			if s.Size%s.Step != 0 {
				return fmt.Sprintf("CUMULATE table function based aggregate requires maxSize must be an integral multiple of step, but got maxSize %d ms and step %d ms", s.Size, s.Step)
			}
			return ""
		},
		Assign: func(s *Sizes, t int64, dst []Span) []Span {
			start := t - floorMod(t-s.Offset, s.Size)
			for end := start + s.Step; end <= start+s.Size; end += s.Step {
				if end > t {
					dst = append(dst, Span{start, end})
				}
			}
			return dst
		},
		PerRow: func(s Sizes) int64 { return ceilDiv(s.Size, s.Step) },
	},
	{
		Kind: Session, Name: "SESSION", GroupWindow: true, Merging: true,
		Params: []Param{{Name: "GAP", Label: "gap", Field: func(s *Sizes) *int64 { return &s.Gap }}},
	},
}

func size(label string) Param {
	return Param{Name: "SIZE", Label: label, Field: func(s *Sizes) *int64 { return &s.Size }}
}

func offset() Param {
	return Param{Name: "OFFSET", Label: "offset", Field: func(s *Sizes) *int64 { return &s.Offset }, Optional: true}
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func ceilDiv(a, b int64) int64 {
	if b <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
