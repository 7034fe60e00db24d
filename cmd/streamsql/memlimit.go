package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/streamsql/streamsql/runtime/connector"
)

// heapFactor relates the Go heap's soft limit to the state memory limit:
// window state in memory is bounded by state.backend.memory-limit, but with
// the default GOGC the heap grows to about twice its live size before a
// collection, which alone would break the bound. Measured in
// bench/statescale (docs/performance.md): 10 million keys with a 1 GiB
// state limit peak at 4.5 GiB RSS unbounded and 2.9 GiB with a 1.8 GiB
// heap limit.
const heapFactor = 1.75

// boundHeap sets the Go runtime's soft memory limit from
// state.backend.memory-limit, unless the user set GOMEMLIMIT. The limit was
// validated when the job was built.
func boundHeap(settings map[string]string, stderr io.Writer) {
	v, ok := settings["state.backend.memory-limit"]
	if !ok || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit, err := connector.ParseMemory(v)
	if err != nil || limit <= 0 {
		return
	}
	heap := int64(float64(limit) * heapFactor)
	debug.SetMemoryLimit(heap)
	fmt.Fprintf(stderr, "streamsql: state.backend.memory-limit %s: Go heap soft limit set to %d MiB (set GOMEMLIMIT to choose another)\n", v, heap>>20)
}
