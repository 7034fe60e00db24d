package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/ops"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/state"
)

// IncResult is one incremental-checkpoint run (-incremental): a group
// aggregation (COUNT(*), SUM per key, Flink's GroupAggregate) over N
// keys, a full first checkpoint, then rounds in which a fraction of the
// keys change, each followed by a checkpoint, as the job's checkpointer
// takes them (CanDelta, StartDelta, SnapshotChanges, Commit), and a
// restore of the last checkpoint whose group count is checked.
type IncResult struct {
	Keys           int64     `json:"keys"`
	ChangedPerRnd  int64     `json:"changed_per_round"`
	LoadSeconds    float64   `json:"load_seconds"`
	FullSeconds    float64   `json:"full_checkpoint_seconds"`
	FullMB         float64   `json:"full_checkpoint_mib"`
	DeltaSeconds   []float64 `json:"delta_checkpoint_seconds"`
	DeltaMB        []float64 `json:"delta_checkpoint_mib"`
	RestoreSeconds float64   `json:"restore_seconds"`
	DiskMB         float64   `json:"disk_mib"`
}

func runIncremental(keys int64, frac float64, rounds int) (*IncResult, error) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	spec := &planner.GroupAggOp{GroupKeys: []int{0}, Aggs: []planner.AggCall{
		{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
		{Func: "SUM", Arg: 1, Filter: -1, T: types.TBigInt},
	}}
	ctx := &core.Context{Metrics: core.NewMetrics()}
	op, err := ops.NewGroupAgg(spec, in, ctx)
	if err != nil {
		return nil, err
	}
	res := &IncResult{Keys: keys, ChangedPerRnd: int64(float64(keys) * frac)}
	feed := func(ks []int64) error {
		const batch = 1024
		rows := make([]core.Row, 0, batch)
		for i, k := range ks {
			rows = append(rows, core.Row{{K: types.String, S: fmt.Sprintf("user-%012d", k)}, {K: types.BigInt, I: k}})
			if len(rows) == batch || i == len(ks)-1 {
				if err := op.ProcessBatch(0, &core.Batch{Rows: rows}, discard{}); err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		return nil
	}
	all := make([]int64, keys)
	for i := range all {
		all[i] = int64(i)
	}
	start := time.Now()
	if err := feed(all); err != nil {
		return nil, err
	}
	all = nil
	res.LoadSeconds = time.Since(start).Seconds()
	dir, err := os.MkdirTemp("", "statescale-incr-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := state.Open(dir, state.Options{Incremental: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	checkpoint := func(id int64) (float64, float64, bool, error) {
		t0 := time.Now()
		w, err := st.NewCheckpoint(id)
		if err != nil {
			return 0, 0, false, err
		}
		ow := w.Operator("agg")
		delta := ow.CanDelta()
		if delta {
			if err := ow.StartDelta(); err != nil {
				return 0, 0, false, err
			}
			err = op.(core.IncrementalState).SnapshotChanges(ow)
		} else {
			err = op.(core.Snapshotter).Snapshot(ow)
		}
		if err != nil {
			w.Abort()
			return 0, 0, false, err
		}
		size := w.Bytes()
		if err := w.Commit(&state.Manifest{Time: time.Now(), Operators: []state.OperatorState{{UID: "agg", Name: "GroupAggregate"}}}); err != nil {
			return 0, 0, false, err
		}
		return time.Since(t0).Seconds(), float64(size) / (1 << 20), delta, nil
	}
	if res.FullSeconds, res.FullMB, _, err = checkpoint(1); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewSource(1))
	changed := make([]int64, res.ChangedPerRnd)
	for round := 0; round < rounds; round++ {
		for i := range changed {
			changed[i] = r.Int63n(keys)
		}
		if err := feed(changed); err != nil {
			return nil, err
		}
		secs, mb, delta, err := checkpoint(int64(round + 2))
		if err != nil {
			return nil, err
		}
		if !delta {
			return nil, fmt.Errorf("checkpoint %d was not incremental", round+2)
		}
		res.DeltaSeconds = append(res.DeltaSeconds, secs)
		res.DeltaMB = append(res.DeltaMB, mb)
	}
	t0 := time.Now()
	c, err := st.LoadID(int64(rounds + 1))
	if err != nil {
		return nil, err
	}
	op2, _ := ops.NewGroupAgg(spec, in, ctx)
	if err := op2.(core.Snapshotter).Restore(c.Operator("agg")); err != nil {
		return nil, err
	}
	res.RestoreSeconds = time.Since(t0).Seconds()
	n := int64(0)
	if err := c.Operator("agg").Scan(1, func(_, _ []byte) error { n++; return nil }); err != nil {
		return nil, err
	}
	if n != keys {
		return nil, fmt.Errorf("restored %d groups, want %d", n, keys)
	}
	res.DiskMB = float64(dirSize(filepath.Join(dir, "db"))) / (1 << 20)
	return res, nil
}

type discard struct{}

func (discard) Emit(*core.Batch) error { return nil }

// runIncrementalTable runs -incremental for each key count (in this
// process: the figures are times and sizes, not RSS) and prints them.
func runIncrementalTable(keysFlag string, change float64, rounds int, out string) {
	fmt.Printf("%-10s %10s %8s %10s %10s %12s %12s %10s %10s\n", "keys", "changed", "load s", "full s", "full MiB", "delta s max", "delta MiB", "restore s", "disk MiB")
	var results []*IncResult
	for _, ks := range strings.Split(keysFlag, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(ks), 10, 64)
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "statescale: bad key count %q\n", ks)
			os.Exit(2)
		}
		r, err := runIncremental(n, change, rounds)
		if err != nil {
			fmt.Fprintln(os.Stderr, "statescale:", err)
			os.Exit(1)
		}
		results = append(results, r)
		fmt.Printf("%-10d %10d %8.1f %10.2f %10.1f %12.2f %12.1f %10.2f %10.1f\n", r.Keys, r.ChangedPerRnd, r.LoadSeconds, r.FullSeconds, r.FullMB,
			slices.Max(r.DeltaSeconds), slices.Max(r.DeltaMB), r.RestoreSeconds, r.DiskMB)
	}
	if out != "" {
		out = strings.TrimSuffix(out, ".json") + "-incremental.json"
		os.MkdirAll(filepath.Dir(out), 0o755)
		b, _ := json.MarshalIndent(results, "", "  ")
		os.WriteFile(out, append(b, '\n'), 0o644)
	}
}
