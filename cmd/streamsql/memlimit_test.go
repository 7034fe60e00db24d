package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBoundHeapFollowsStateLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	var buf bytes.Buffer
	boundHeap(map[string]string{"state.backend.memory-limit": "1 gb"}, &buf)
	if got, want := debug.SetMemoryLimit(-1), int64(1.75*float64(1<<30)); got != want {
		t.Errorf("heap limit %d, want %d", got, want)
	}
	if !strings.Contains(buf.String(), "1792 MiB") {
		t.Errorf("message %q should name the limit", buf.String())
	}
}

func TestBoundHeapLeavesGOMEMLIMITAlone(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "3GiB")
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	boundHeap(map[string]string{"state.backend.memory-limit": "1 gb"}, &bytes.Buffer{})
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Errorf("heap limit changed to %d although GOMEMLIMIT is set", got)
	}
}
