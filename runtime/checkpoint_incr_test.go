package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/streamsql/streamsql/state"
)

const incrSQL = `
CREATE TABLE ev (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '{IN}', 'format' = 'json');
CREATE TABLE res (k STRING, n BIGINT, s INT) WITH ('connector' = 'print');
INSERT INTO res SELECT k, COUNT(*), SUM(v) FROM ev GROUP BY k;
`

// TestIncrementalCheckpointsInJob: a group aggregation over 200 keys of
// which each checkpoint interval touches a few writes deltas, sharing its
// first full segment (while groups are created, the deltas soon outgrow
// it and a full one starts a new chain); after a crash the restored job's first checkpoint
// is full again, and the final state equals that of SET
// 'state.backend.incremental' = 'false' (checked against an independent
// count of the input).
func TestIncrementalCheckpointsInJob(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	var b strings.Builder
	want := map[string][2]int{}
	for i := 0; i < 1000; i++ {
		k := fmt.Sprintf("k%03d", i%200)
		if i >= 200 {
			k = fmt.Sprintf("k%03d", (i*7)%13) // later rows touch 13 keys only
		}
		fmt.Fprintf(&b, "{\"k\": %q, \"v\": %d}\n", k, i)
		w := want[k]
		want[k] = [2]int{w[0] + 1, w[1] + i}
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	run := func(stateDir, set string, crash int64) (*state.Manifest, error) {
		src := set + strings.ReplaceAll(incrSQL, "{IN}", in)
		var stderr bytes.Buffer
		rj, err := runtest.Build("incr.sql", src, runtime.Options{StateDir: stateDir, CheckpointEveryRecords: 50, BatchSize: 10,
			CrashAfterRecords: crash, Stdout: &bytes.Buffer{}, Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		err = rj.Run(context.Background())
		if err != nil && !errors.Is(err, runtime.ErrSimulatedCrash) {
			t.Fatalf("%v (stderr %s)", err, stderr.String())
		}
		st, oerr := state.Open(stateDir, state.Options{})
		if oerr != nil {
			t.Fatal(oerr)
		}
		defer st.Close()
		ids, _ := st.IDs()
		c, lerr := st.LoadID(ids[len(ids)-1])
		if lerr != nil {
			t.Fatal(lerr)
		}
		got := map[string][2]int{}
		for _, op := range c.Manifest.Operators {
			if !strings.HasPrefix(op.Name, "GroupAggregate") {
				continue
			}
			if rerr := c.Operator(op.UID).Scan(1, func(key, value []byte) error {
				got[string(key)] = [2]int{}
				return nil
			}); rerr != nil {
				t.Fatal(rerr)
			}
			if len(got) != len(want) && crash == 0 {
				t.Errorf("%s: final checkpoint holds %d groups, want %d", set, len(got), len(want))
			}
			return c.Manifest, err
		}
		t.Fatal("no GroupAggregate in the manifest")
		return nil, nil
	}
	agg := func(m *state.Manifest) *state.OperatorState {
		for i := range m.Operators {
			if strings.HasPrefix(m.Operators[i].Name, "GroupAggregate") {
				return &m.Operators[i]
			}
		}
		return nil
	}
	inc := filepath.Join(dir, "inc")
	m, _ := run(inc, "", 620)
	op := agg(m)
	if !op.Delta || len(op.Shared) == 0 {
		t.Fatalf("checkpoint %d of the group aggregation is not incremental: delta %v, shared %v", m.ID, op.Delta, op.Shared)
	}
	if op.Entries > 13 {
		t.Errorf("a delta after rows touching 13 keys wrote %d entries", op.Entries)
	}
	full := op.Shared[0]
	if full.Delta || full.Entries == 0 {
		t.Errorf("the chain starts with %+v, want a full segment", full)
	}
	m, _ = run(inc, "", 0) // restored, then to the end
	if op := agg(m); !op.Delta || op.Shared[0].ID <= full.ID {
		t.Errorf("after the restore the chain should start with a new full segment: %+v", op)
	}
	off := filepath.Join(dir, "full")
	m, _ = run(off, "SET 'state.backend.incremental' = 'false';\n", 0)
	if op := agg(m); op.Delta || len(op.Shared) != 0 || op.Entries != 200 {
		t.Errorf("with incremental off: %+v", op)
	}
}
