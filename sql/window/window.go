// Package window describes the window kinds of Flink SQL (TUMBLE, HOP,
// CUMULATE, SESSION): one Descriptor per kind, listed once in kinds.go,
// drives the dialect rewrite (the TVF's parameter names and arity), the
// planner (argument binding, checks, usage text, EXPLAIN text, the legacy
// GROUP BY form and its auxiliary functions) and the runtime (the
// assigner, pure computation over int64 milliseconds). Adding a kind is
// one entry in kinds.go.
//
// The package imports nothing of streamsql, so every layer can use it.
package window

import (
	"fmt"
	"strings"
)

// Kind identifies a window kind; Of(kind) is its descriptor. The zero
// Kind is no window.
type Kind uint8

// The built-in kinds, in the order of kinds.go.
const (
	Tumble Kind = iota + 1
	Hop
	Cumulate
	Session
)

func (k Kind) String() string {
	if d := Of(k); d != nil {
		return d.Name
	}
	return fmt.Sprintf("window kind %d", uint8(k))
}

// Sizes are a window's parameters in milliseconds. Each kind reads the
// fields its Params name.
type Sizes struct {
	Size, Slide, Step, Gap, Offset int64
}

// Span is one window [Start, End) in window coordinates (epoch millis, or
// wall-clock millis for a TIMESTAMP_LTZ time attribute in a zone).
type Span struct{ Start, End int64 }

// Param is one parameter after the table and DESCRIPTOR(time) arguments.
// Every parameter is a constant day-time interval.
type Param struct {
	Name string // the named-argument name (SIZE => ...): SIZE, SLIDE, STEP, GAP, OFFSET
	// Label names the parameter in messages and in EXPLAIN (size,
	// max_size, ...); Field is where its value goes.
	Label string
	Field func(*Sizes) *int64
	// Optional parameters come last; omitted, they are 0. An optional
	// parameter may be zero or negative (OFFSET), a required one must be
	// positive.
	Optional bool
}

// Descriptor is everything streamsql knows about one window kind.
type Descriptor struct {
	Kind Kind
	Name string // TUMBLE
	// Params in positional order (TVF: after TABLE t, DESCRIPTOR(ts);
	// legacy group window: after the time attribute).
	Params []Param
	// Explain lists the labels of the parameters in EXPLAIN order, as
	// Flink prints them (HOP prints size before slide); nil: param order.
	// Optional parameters are printed only when not zero.
	Explain []string
	// Merging kinds (SESSION) keep per-key windows that merge instead of
	// assigning fixed windows: no Assign, a merging operator in the
	// runtime, PARTITION BY allowed in the TVF.
	Merging bool
	// GroupWindow: the legacy form GROUP BY NAME(time_attr, params...)
	// with NAME_START, NAME_END and NAME_ROWTIME exists (Flink has it for
	// TUMBLE, HOP and SESSION, not CUMULATE).
	GroupWindow bool
	// Check validates the sizes beyond positivity ("" when valid): what
	// the assigner needs. Restrict adds what Flink's planner requires
	// (HOP: size a multiple of slide); the runtime does not need it.
	Check, Restrict func(s Sizes) string
	// Assign appends the windows containing t to dst, in increasing
	// order of end. Nil for merging kinds.
	Assign func(s *Sizes, t int64, dst []Span) []Span
	// PerRow is the number of windows one row can fall in (the most
	// Assign appends); nil means 1.
	PerRow func(s Sizes) int64
}

// MinArgs is the number of required parameters.
func (d *Descriptor) MinArgs() int {
	n := 0
	for _, p := range d.Params {
		if !p.Optional {
			n++
		}
	}
	return n
}

// ParamNames are the named-argument names of the parameters, in order.
func (d *Descriptor) ParamNames() []string {
	names := make([]string, len(d.Params))
	for i, p := range d.Params {
		names[i] = p.Name
	}
	return names
}

// usageArgs prints the parameter labels, optional ones in brackets:
// "slide, size [, offset]".
func (d *Descriptor) usageArgs() string {
	var b strings.Builder
	for i, p := range d.Params {
		switch {
		case p.Optional && i == 0:
			b.WriteString("[" + p.Label + "]")
		case p.Optional:
			b.WriteString(" [, " + p.Label + "]")
		case i > 0:
			b.WriteString(", " + p.Label)
		default:
			b.WriteString(p.Label)
		}
	}
	return b.String()
}

// TVFUsage is the window TVF's form for messages:
// "HOP(TABLE t, DESCRIPTOR(ts), slide, size [, offset])".
func (d *Descriptor) TVFUsage() string {
	data := "TABLE t"
	if d.Merging {
		data = "TABLE t [PARTITION BY k]"
	}
	return d.Name + "(" + data + ", DESCRIPTOR(ts), " + d.usageArgs() + ")"
}

// GroupUsage is the legacy group window's form for messages:
// "HOP(time_attr, slide, size [, offset])".
func (d *Descriptor) GroupUsage() string {
	return d.Name + "(time_attr, " + d.usageArgs() + ")"
}

// Auxiliary functions of a legacy group window: NAME_START, NAME_END,
// NAME_ROWTIME.
const (
	AuxStart   = "START"
	AuxEnd     = "END"
	AuxRowtime = "ROWTIME"
)

// AuxNames are the auxiliary function names of a legacy group window
// (nil when the kind has no legacy form).
func (d *Descriptor) AuxNames() []string {
	if !d.GroupWindow {
		return nil
	}
	return []string{d.Name + "_" + AuxStart, d.Name + "_" + AuxEnd, d.Name + "_" + AuxRowtime}
}

// Validate checks sizes as the planner does: Check, then Restrict.
func (d *Descriptor) Validate(s Sizes) error {
	if err := d.ValidateAssigner(s); err != nil {
		return err
	}
	if d.Restrict != nil {
		if msg := d.Restrict(s); msg != "" {
			return fmt.Errorf("%s", msg)
		}
	}
	return nil
}

// ValidateAssigner checks what the runtime needs: required parameters
// positive, then Check.
func (d *Descriptor) ValidateAssigner(s Sizes) error {
	for _, p := range d.Params {
		if v := *p.Field(&s); !p.Optional && v <= 0 {
			return fmt.Errorf("%s %s must be positive, got %d ms", d.Name, p.Label, v)
		}
	}
	if d.Check != nil {
		if msg := d.Check(s); msg != "" {
			return fmt.Errorf("%s", msg)
		}
	}
	return nil
}

// WindowsPerRow is the most windows one row falls in.
func (d *Descriptor) WindowsPerRow(s Sizes) int64 {
	if d.PerRow == nil {
		return 1
	}
	return d.PerRow(s)
}

// ExplainText is the parameter part of EXPLAIN's window text, as Flink
// prints it: "size=[10 s], slide=[5 s]".
func (d *Descriptor) ExplainText(s Sizes) []string {
	order := d.Explain
	if order == nil {
		for _, p := range d.Params {
			order = append(order, p.Label)
		}
	}
	var parts []string
	for _, label := range order {
		for _, p := range d.Params {
			if p.Label != label {
				continue
			}
			v := *p.Field(&s)
			if p.Optional && v == 0 {
				continue
			}
			parts = append(parts, label+"=["+FormatDuration(v)+"]")
		}
	}
	return parts
}

// FormatDuration prints millis as Flink prints window sizes: 10 s, 5 min.
func FormatDuration(ms int64) string {
	units := []struct {
		n    int64
		name string
	}{{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}}
	if ms == 0 {
		return "0 ms"
	}
	for _, u := range units {
		if ms%u.n == 0 {
			return fmt.Sprintf("%d %s", ms/u.n, u.name)
		}
	}
	return fmt.Sprintf("%d ms", ms)
}

// ---------------------------------------------------------------- registry

var (
	byKind []*Descriptor // index Kind
	byName = map[string]*Descriptor{}
)

func init() {
	for i := range kinds {
		if err := Register(&kinds[i]); err != nil {
			panic(err)
		}
	}
}

// Register adds a window kind. The built-in kinds are the list in
// kinds.go; Register is exported for tests that show a new kind needs
// nothing else.
func Register(d *Descriptor) error {
	switch {
	case d.Name == "" || strings.ToUpper(d.Name) != d.Name:
		return fmt.Errorf("window kind %q: the name must be upper case", d.Name)
	case byName[d.Name] != nil:
		return fmt.Errorf("window kind %s registered twice", d.Name)
	case d.Kind == 0 || int(d.Kind) < len(byKind) && byKind[d.Kind] != nil:
		return fmt.Errorf("window kind %s: kind %d is zero or taken", d.Name, d.Kind)
	case d.Merging == (d.Assign != nil):
		return fmt.Errorf("window kind %s: a kind either merges or has an assigner", d.Name)
	}
	seenOptional := false
	for _, p := range d.Params {
		if p.Name == "" || p.Label == "" || p.Field == nil {
			return fmt.Errorf("window kind %s: a parameter without a name, label or field", d.Name)
		}
		if seenOptional && !p.Optional {
			return fmt.Errorf("window kind %s: required parameter %s after an optional one", d.Name, p.Name)
		}
		seenOptional = seenOptional || p.Optional
	}
	for int(d.Kind) >= len(byKind) {
		byKind = append(byKind, nil)
	}
	byKind[d.Kind] = d
	byName[d.Name] = d
	return nil
}

// Of returns the descriptor of kind k, or nil.
func Of(k Kind) *Descriptor {
	if int(k) < len(byKind) {
		return byKind[k]
	}
	return nil
}

// ByName returns the descriptor named name (upper case), or nil.
func ByName(name string) *Descriptor { return byName[name] }

// All returns every descriptor in Kind order.
func All() []*Descriptor {
	var ds []*Descriptor
	for _, d := range byKind {
		if d != nil {
			ds = append(ds, d)
		}
	}
	return ds
}

// Names lists the kinds' names for messages: "TUMBLE, HOP, CUMULATE or SESSION".
func Names() string {
	var names []string
	for _, d := range All() {
		names = append(names, d.Name)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// MergingNames lists the merging kinds for messages: "SESSION".
func MergingNames() string { return namesWhere(func(d *Descriptor) bool { return d.Merging }) }

// GroupWindowNames lists the kinds with a legacy group window for
// messages: "TUMBLE/HOP/SESSION".
func GroupWindowNames() string {
	return namesWhere(func(d *Descriptor) bool { return d.GroupWindow })
}

func namesWhere(pred func(*Descriptor) bool) string {
	var names []string
	for _, d := range All() {
		if pred(d) {
			names = append(names, d.Name)
		}
	}
	return strings.Join(names, "/")
}

// Aux resolves an auxiliary function name (TUMBLE_START): its kind's
// descriptor and which of AuxStart, AuxEnd, AuxRowtime it is.
func Aux(name string) (*Descriptor, string, bool) {
	i := strings.LastIndexByte(name, '_')
	if i < 0 {
		return nil, "", false
	}
	d := byName[name[:i]]
	if d == nil || !d.GroupWindow {
		return nil, "", false
	}
	switch which := name[i+1:]; which {
	case AuxStart, AuxEnd, AuxRowtime:
		return d, which, true
	}
	return nil, "", false
}

// FunctionNames are the names the planner treats as window functions in
// expressions: every kind's name (GROUP BY TUMBLE(...); a kind without
// a legacy form gets an error saying so) and the auxiliary functions.
func FunctionNames() []string {
	var names []string
	for _, d := range All() {
		names = append(names, d.Name)
		names = append(names, d.AuxNames()...)
	}
	return names
}
