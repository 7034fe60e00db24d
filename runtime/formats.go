package runtime

import (
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/connector/registry"
)

// needsFormat reports whether a connector's payload goes through a format.
func needsFormat(spec *connector.Spec) bool { return spec.HasFormat }

// newDecoder builds the table's value decoder for the given columns.
func newDecoder(t *planner.TableDesc, cols planner.Schema) (connector.Decoder, error) {
	return registry.NewDecoder(t, cols)
}

// newEncoder builds the table's value encoder for the given columns.
func newEncoder(t *planner.TableDesc, cols planner.Schema) (connector.Encoder, error) {
	return registry.NewEncoder(t, cols)
}
