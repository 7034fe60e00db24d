package planner

import (
	"testing"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/sql/window"
)

// TestUnsupportedListIsCurrent: a function the planner supports (an
// aggregate, a group-window function, a spec) must not stay on the list
// of Flink functions docs/sql.md calls not supported yet.
func TestUnsupportedListIsCurrent(t *testing.T) {
	for _, n := range functions.UnsupportedNames() {
		if isAggregate(n) {
			t.Errorf("%s is a supported aggregate: remove it from planner/functions/unsupported.go", n)
		}
		for _, w := range window.FunctionNames() {
			if w == n {
				t.Errorf("%s is a supported window function: remove it from planner/functions/unsupported.go", n)
			}
		}
		if _, ok := functions.Lookup(n); ok {
			t.Errorf("%s has a spec: remove it from planner/functions/unsupported.go", n)
		}
	}
}
