package connector

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/planner"
)

// The list of connectors and formats lives in package
// runtime/connector/registry, which imports every connector package (they
// import this package for Spec, so the list cannot live here). That
// package installs itself here when it is linked in, so Lookup and
// Validate below work for any caller that imports it once, directly or
// through registry.NewDecoder and friends.

var (
	installedSpecs   func() []*Spec
	installedFormats func() []*FormatSpec
)

// Install sets the connector and format lists. Only the registry package
// calls it (from its init).
func Install(specs func() []*Spec, formats func() []*FormatSpec) {
	installedSpecs, installedFormats = specs, formats
}

// Lookup returns the connector named name (case-sensitive, as Flink).
// An unknown name gives an error listing the known ones.
func Lookup(name string) (*Spec, error) {
	if installedSpecs == nil {
		return nil, fmt.Errorf("no connectors are linked in (import github.com/streamsql/streamsql/runtime/connector/registry)")
	}
	var names []string
	for _, s := range installedSpecs() {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return nil, unknownName("connector", name, names)
}

// LookupFormat returns the format named name.
func LookupFormat(name string) (*FormatSpec, error) {
	if installedFormats == nil {
		return nil, fmt.Errorf("no formats are linked in (import github.com/streamsql/streamsql/runtime/connector/registry)")
	}
	var names []string
	for _, f := range installedFormats() {
		if f.Name == name {
			return f, nil
		}
		names = append(names, f.Name)
	}
	return nil, unknownName("format", name, names)
}

func unknownName(what, name string, names []string) error {
	sort.Strings(names)
	return fmt.Errorf("unknown %s '%s'%s; known %ss: %s", what, name, DidYouMean(name, names), what, strings.Join(names, ", "))
}

// Validate checks every WITH option of t against spec (and the format's
// options when the connector has one). See ValidateWith.
func Validate(spec *Spec, t *planner.TableDesc) error {
	return ValidateWith(spec, t, LookupFormat)
}
