package window

import (
	"slices"
	"strings"
	"testing"
)

func TestBuiltinUsage(t *testing.T) {
	cases := []struct {
		d          *Descriptor
		tvf, group string
		aux        []string
		min        int
	}{
		{Of(Tumble), "TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset])", "TUMBLE(time_attr, size [, offset])", []string{"TUMBLE_START", "TUMBLE_END", "TUMBLE_ROWTIME"}, 1},
		{Of(Hop), "HOP(TABLE t, DESCRIPTOR(ts), slide, size [, offset])", "HOP(time_attr, slide, size [, offset])", []string{"HOP_START", "HOP_END", "HOP_ROWTIME"}, 2},
		{Of(Cumulate), "CUMULATE(TABLE t, DESCRIPTOR(ts), step, max_size [, offset])", "CUMULATE(time_attr, step, max_size [, offset])", nil, 2},
		{Of(Session), "SESSION(TABLE t [PARTITION BY k], DESCRIPTOR(ts), gap)", "SESSION(time_attr, gap)", []string{"SESSION_START", "SESSION_END", "SESSION_ROWTIME"}, 1},
	}
	for _, c := range cases {
		if got := c.d.TVFUsage(); got != c.tvf {
			t.Errorf("TVF usage %q, want %q", got, c.tvf)
		}
		if got := c.d.GroupUsage(); got != c.group {
			t.Errorf("group usage %q, want %q", got, c.group)
		}
		if got := c.d.AuxNames(); !slices.Equal(got, c.aux) {
			t.Errorf("%s aux %v, want %v", c.d.Name, got, c.aux)
		}
		if got := c.d.MinArgs(); got != c.min {
			t.Errorf("%s min args %d, want %d", c.d.Name, got, c.min)
		}
	}
	if d, which, ok := Aux("HOP_ROWTIME"); !ok || d.Kind != Hop || which != AuxRowtime {
		t.Errorf("Aux(HOP_ROWTIME) = %v %q %v", d, which, ok)
	}
	for _, name := range []string{"CUMULATE_START", "HOP_MIDDLE", "HOP", "FOO_START"} {
		if _, _, ok := Aux(name); ok {
			t.Errorf("Aux(%s) resolved", name)
		}
	}
	if got := Names(); got != "TUMBLE, HOP, CUMULATE or SESSION" {
		t.Errorf("Names() = %q", got)
	}
	if got := Of(Hop).ExplainText(Sizes{Size: 10000, Slide: 5000}); strings.Join(got, ", ") != "size=[10 s], slide=[5 s]" {
		t.Errorf("HOP explain %v", got)
	}
	if got := Of(Cumulate).ExplainText(Sizes{Size: 3600000, Step: 600000, Offset: -60000}); strings.Join(got, ", ") != "max_size=[1 h], step=[10 min], offset=[-1 min]" {
		t.Errorf("CUMULATE explain %v", got)
	}
}

// Every assigning kind puts t in windows that contain it, in increasing
// order of end, no more than WindowsPerRow of them, checked against a
// brute-force enumeration of the kind's definition.
func TestAssigners(t *testing.T) {
	type def func(s Sizes, w Span) bool // is w a window of this kind?
	defs := map[Kind]def{
		Tumble: func(s Sizes, w Span) bool {
			return w.End-w.Start == s.Size && floorMod(w.Start-s.Offset, s.Size) == 0
		},
		Hop: func(s Sizes, w Span) bool {
			return w.End-w.Start == s.Size && floorMod(w.Start-s.Offset, s.Slide) == 0
		},
		Cumulate: func(s Sizes, w Span) bool {
			return floorMod(w.Start-s.Offset, s.Size) == 0 && w.End-w.Start > 0 && w.End-w.Start <= s.Size && (w.End-w.Start)%s.Step == 0
		},
	}
	sizes := []Sizes{{Size: 10, Slide: 5, Step: 5}, {Size: 12, Slide: 4, Step: 3, Offset: 5}, {Size: 6, Slide: 2, Step: 2, Offset: -7}, {Size: 1, Slide: 1, Step: 1}}
	for _, d := range All() {
		if d.Merging {
			if d.Assign != nil {
				t.Errorf("%s merges and has an assigner", d.Name)
			}
			continue
		}
		isWindow, ok := defs[d.Kind]
		if !ok {
			t.Errorf("%s: no reference definition in this test", d.Name)
			continue
		}
		for _, s := range sizes {
			if err := d.Validate(s); err != nil {
				t.Fatalf("%s %+v: %v", d.Name, s, err)
			}
			for ts := int64(-40); ts <= 40; ts++ {
				got := d.Assign(&s, ts, nil)
				var want []Span
				for start := ts - 2*s.Size; start <= ts; start++ {
					for end := start + 1; end <= start+s.Size; end++ {
						if w := (Span{start, end}); start <= ts && ts < end && isWindow(s, w) {
							want = append(want, w)
						}
					}
				}
				slices.SortFunc(want, func(a, b Span) int {
					if a.End != b.End {
						return int(a.End - b.End)
					}
					return int(a.Start - b.Start)
				})
				if !slices.Equal(got, want) {
					t.Errorf("%s %+v t=%d: windows %v, want %v", d.Name, s, ts, got, want)
				}
				if int64(len(got)) > d.WindowsPerRow(s) {
					t.Errorf("%s %+v t=%d: %d windows, more than WindowsPerRow %d", d.Name, s, ts, len(got), d.WindowsPerRow(s))
				}
			}
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		k    Kind
		s    Sizes
		want string // "" valid; Validate's error otherwise
		asg  string // ValidateAssigner's error
	}{
		{Tumble, Sizes{Size: 10, Offset: -3}, "", ""},
		{Tumble, Sizes{}, "TUMBLE size must be positive, got 0 ms", "TUMBLE size must be positive, got 0 ms"},
		{Hop, Sizes{Size: 10, Slide: 3}, "HOP table function based aggregate requires size must be an integral multiple of slide, but got size 10 ms and slide 3 ms", ""},
		{Cumulate, Sizes{Size: 10, Step: 3}, "CUMULATE table function based aggregate requires maxSize must be an integral multiple of step, but got maxSize 10 ms and step 3 ms", "CUMULATE table function based aggregate requires maxSize must be an integral multiple of step, but got maxSize 10 ms and step 3 ms"},
		{Session, Sizes{Gap: -1}, "SESSION gap must be positive, got -1 ms", "SESSION gap must be positive, got -1 ms"},
	}
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	for _, c := range cases {
		if got := errText(Of(c.k).Validate(c.s)); got != c.want {
			t.Errorf("%s %+v: Validate %q, want %q", c.k, c.s, got, c.want)
		}
		if got := errText(Of(c.k).ValidateAssigner(c.s)); got != c.asg {
			t.Errorf("%s %+v: ValidateAssigner %q, want %q", c.k, c.s, got, c.asg)
		}
	}
}

func TestRegisterRejects(t *testing.T) {
	assign := func(*Sizes, int64, []Span) []Span { return nil }
	p := Param{Name: "SIZE", Label: "size", Field: func(s *Sizes) *int64 { return &s.Size }}
	opt := Param{Name: "OFFSET", Label: "offset", Field: func(s *Sizes) *int64 { return &s.Offset }, Optional: true}
	for _, c := range []struct {
		d    Descriptor
		want string
	}{
		{Descriptor{Kind: 90, Name: "TUMBLE", Assign: assign}, "registered twice"},
		{Descriptor{Kind: Hop, Name: "X1", Assign: assign}, "is zero or taken"},
		{Descriptor{Kind: 91, Name: "lower", Assign: assign}, "upper case"},
		{Descriptor{Kind: 92, Name: "X2"}, "either merges or has an assigner"},
		{Descriptor{Kind: 93, Name: "X3", Merging: true, Assign: assign}, "either merges or has an assigner"},
		{Descriptor{Kind: 94, Name: "X4", Assign: assign, Params: []Param{opt, p}}, "required parameter SIZE after an optional one"},
	} {
		err := Register(&c.d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Register(%s): %v, want %q", c.d.Name, err, c.want)
		}
	}
}
