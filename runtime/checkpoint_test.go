package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	_ "github.com/streamsql/streamsql/runtime/connector/registry"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// End to end over real files: the recorded CTR stream split into two
// files (two splits), a filesystem sink, a checkpoint every K records,
// crashes, restores; the sink file must end up exactly as a crash-free
// run writes it (the sink resumes at its checkpointed length, so not
// even duplicates are left).

const ckptSQL = `
CREATE TABLE ad_events (
  event_type STRING, event_time BIGINT, campaign_id STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '{IN}', 'format' = 'json');
CREATE TABLE results (
  window_start TIMESTAMP(3), window_end TIMESTAMP(3), campaign_id STRING,
  views BIGINT, clicks BIGINT, sessions BIGINT
) WITH ('connector' = 'filesystem', 'path' = '{OUT}', 'format' = 'json');
CREATE TABLE s_out (window_start TIMESTAMP(3), window_end TIMESTAMP(3), campaign_id STRING, n BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '{OUT2}', 'format' = 'json');
EXECUTE STATEMENT SET BEGIN
INSERT INTO results
SELECT window_start, window_end, campaign_id,
  COUNT(*) FILTER (WHERE event_type = 'view'), COUNT(*) FILTER (WHERE event_type = 'click'), COUNT(DISTINCT event_type)
FROM TABLE(HOP(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '{SIZE}' SECOND))
GROUP BY window_start, window_end, campaign_id;
INSERT INTO s_out
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(SESSION(TABLE ad_events PARTITION BY campaign_id, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end, campaign_id;
END;
`

type fileJob struct {
	in, out, out2, state string
}

func newFileJob(t *testing.T) *fileJob {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "testdata", "ad_events_sample.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	half := len(lines) / 2
	os.WriteFile(filepath.Join(in, "a.jsonl"), []byte(strings.Join(lines[:half], "")), 0o644)
	os.WriteFile(filepath.Join(in, "b.jsonl"), []byte(strings.Join(lines[half:], "")), 0o644)
	return &fileJob{in: in, out: filepath.Join(dir, "out.json"), out2: filepath.Join(dir, "out2.json"), state: filepath.Join(dir, "state")}
}

// build builds ckptSQL with the HOP size, after the SET statements given.
func (f *fileJob) build(t *testing.T, size string, opts runtime.Options, sets ...string) *runtime.Job {
	t.Helper()
	src := strings.Join(sets, "") + strings.NewReplacer("{IN}", f.in, "{OUT}", f.out, "{OUT2}", f.out2, "{SIZE}", size).Replace(ckptSQL)
	if opts.Stderr == nil {
		opts.Stderr = &bytes.Buffer{}
	}
	rj, err := runtest.Build("ckpt.sql", src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rj
}

func read(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestFileJobRestoresExactly(t *testing.T) {
	ref := newFileJob(t)
	// Same batch size as the crashing runs: a file split leaves the
	// watermark minimum after the poll that ends it, so with two files
	// the number of late rows depends on where polls end (an engine
	// property reported separately, not a checkpoint matter).
	rj := ref.build(t, "10", runtime.Options{BatchSize: 16})
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want, want2 := read(t, ref.out), read(t, ref.out2)
	wantSum := rj.Summary()
	if len(want) < 20 || len(want2) < 2 {
		t.Fatalf("reference run wrote only %d and %d rows", len(want), len(want2))
	}
	for _, k := range []int64{1, 37, 250} {
		for _, crashes := range [][]int64{{100}, {299, 301}, {50, 50, 50, 50, 50}, {599}} {
			f := newFileJob(t)
			var last *runtime.Job
			for run := 0; ; run++ {
				opts := runtime.Options{StateDir: f.state, CheckpointEveryRecords: k, BatchSize: 16}
				if run < len(crashes) {
					opts.CrashAfterRecords = crashes[run]
				}
				last = f.build(t, "10", opts)
				err := last.Run(context.Background())
				if errors.Is(err, runtime.ErrSimulatedCrash) {
					continue
				}
				if err != nil {
					t.Fatalf("K=%d crashes=%v run %d: %v", k, crashes, run, err)
				}
				break
			}
			got, got2 := read(t, f.out), read(t, f.out2)
			// rows of one watermark step may come in another order only
			// if batching differs; compare as multisets, and counts exactly
			for _, c := range []struct {
				name      string
				got, want []string
			}{{"results", got, want}, {"s_out", got2, want2}} {
				g, w := slices.Clone(c.got), slices.Clone(c.want)
				slices.Sort(g)
				slices.Sort(w)
				if !slices.Equal(g, w) {
					t.Errorf("K=%d crashes=%v: %s has %d rows, want %d (same multiset: false)", k, crashes, c.name, len(g), len(w))
				}
			}
			if s := last.Summary(); s.LateRecordsDropped != wantSum.LateRecordsDropped || s.RecordsRead != wantSum.RecordsRead || s.RowsWritten != wantSum.RowsWritten {
				t.Errorf("K=%d crashes=%v: summary %v, want %v", k, crashes, s, wantSum)
			}
		}
	}
}

func TestRestoreRefusesChangedPlan(t *testing.T) {
	f := newFileJob(t)
	rj := f.build(t, "10", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, CrashAfterRecords: 120})
	if err := rj.Run(context.Background()); !errors.Is(err, runtime.ErrSimulatedCrash) {
		t.Fatal(err)
	}
	// HOP size 10 s -> 20 s: the window aggregate's state would be misread
	rj = f.build(t, "20", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50})
	err := rj.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "WindowAggregate") || !strings.Contains(err.Error(), "--allow-non-restored-state") {
		t.Fatalf("want an error naming the operator, got %v", err)
	}
	var stderr bytes.Buffer
	rj = f.build(t, "20", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, AllowNonRestoredState: true, Stderr: &stderr})
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "not restored") {
		t.Errorf("no warning about the state left behind: %q", stderr.String())
	}
}

func TestStopTakesSavepoint(t *testing.T) {
	f := newFileJob(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stopped before the first poll: a savepoint of the initial state
	rj := f.build(t, "10", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 1000})
	if err := rj.Run(ctx); err != nil {
		t.Fatalf("a stopped job exits cleanly, got %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(f.state, "checkpoints"))
	if len(ents) != 1 {
		t.Fatalf("want one savepoint, found %d files", len(ents))
	}
	b, _ := os.ReadFile(filepath.Join(f.state, "checkpoints", ents[0].Name()))
	if !bytes.Contains(b, []byte(`"Savepoint": true`)) {
		t.Errorf("manifest is not marked as a savepoint:\n%s", b)
	}
	// resuming from it runs the whole input
	rj = f.build(t, "10", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 1000})
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := rj.Summary(); s.RecordsRead != 600 {
		t.Errorf("read %d records after the savepoint, want 600", s.RecordsRead)
	}
}

// A query edited between runs in a way the state's types cannot show:
// another GROUP BY column of the same type, another aggregate argument of
// the same type, another WHERE. Restoring would put windows keyed (or
// summed, or filtered) both ways into one result; the restore is refused
// naming the operator and what changed, and --allow-non-restored-state
// starts the aggregation empty.
const editSQL = `
CREATE TABLE ad_events (
  event_type STRING, event_time BIGINT, campaign_id STRING, ad_type STRING, page_id STRING, user_id STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '{IN}', 'format' = 'json');
CREATE TABLE results (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k STRING, n BIGINT, m STRING)
  WITH ('connector' = 'filesystem', 'path' = '{OUT}', 'format' = 'json');
INSERT INTO results
SELECT window_start, window_end, {KEY}, COUNT(*), MAX({ARG})
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE {WHERE}
GROUP BY window_start, window_end, {KEY};
`

func TestRestoreRefusesChangedDefinition(t *testing.T) {
	orig := map[string]string{"{KEY}": "campaign_id", "{ARG}": "page_id", "{WHERE}": "event_type <> 'purchase'"}
	for _, c := range []struct {
		name, param, value, want string
	}{
		{"group key", "{KEY}", "ad_type", "group keys changed from [campaign_id] to [ad_type]"},
		{"aggregate argument", "{ARG}", "user_id", "aggregates changed from [COUNT(*), MAX(page_id)] to [COUNT(*), MAX(user_id)]"},
		{"where", "{WHERE}", "event_type <> 'view'", "input filter changed from [<>(event_type, 'purchase')] to [<>(event_type, 'view')]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFileJob(t)
			build := func(params map[string]string, opts runtime.Options) *runtime.Job {
				r := strings.NewReplacer("{IN}", f.in, "{OUT}", f.out)
				src := r.Replace(editSQL)
				for k, v := range params {
					src = strings.ReplaceAll(src, k, v)
				}
				if opts.Stderr == nil {
					opts.Stderr = &bytes.Buffer{}
				}
				rj, err := runtest.Build("edit.sql", src, opts)
				if err != nil {
					t.Fatal(err)
				}
				return rj
			}
			rj := build(orig, runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, CrashAfterRecords: 120})
			if err := rj.Run(context.Background()); !errors.Is(err, runtime.ErrSimulatedCrash) {
				t.Fatal(err)
			}
			edited := map[string]string{}
			for k, v := range orig {
				edited[k] = v
			}
			edited[c.param] = c.value
			err := build(edited, runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50}).Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), "WindowAggregate #") || !strings.Contains(err.Error(), c.want) ||
				!strings.Contains(err.Error(), "--allow-non-restored-state") {
				t.Fatalf("want a refusal naming the operator and %q, got %v", c.want, err)
			}
			// the unchanged query still restores
			var stderr bytes.Buffer
			if err := build(orig, runtime.Options{StateDir: f.state, CheckpointEveryRecords: 1000, CrashAfterRecords: 1, Stderr: &stderr}).Run(context.Background()); !errors.Is(err, runtime.ErrSimulatedCrash) {
				t.Fatalf("the unchanged query: %v", err)
			}
			if !strings.Contains(stderr.String(), "restored checkpoint") {
				t.Fatalf("the unchanged query did not restore: %s", stderr.String())
			}
			stderr.Reset()
			rj = build(edited, runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, AllowNonRestoredState: true, Stderr: &stderr})
			if err := rj.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stderr.String(), "not restored") || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("no warning about the state left behind: %q", stderr.String())
			}
		})
	}
}

// A manifest written before state definitions were recorded (no
// "Computes") still restores, with a warning that only types were checked.
func TestRestoreOldManifestWithoutDefinitions(t *testing.T) {
	f, paths := crashedJob(t)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := bytes.Cut(data, []byte{'\n'})
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber() // int64 watermarks do not survive float64
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		for _, op := range m["Operators"].([]any) {
			delete(op.(map[string]any), "Computes")
		}
		nb, _ := json.MarshalIndent(m, "", "  ")
		head := fmt.Sprintf("streamsql-checkpoint v1 crc32c=%08x\n", crc32.Checksum(nb, crc32.MakeTable(crc32.Castagnoli)))
		if err := os.WriteFile(p, append([]byte(head), append(nb, '\n')...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var stderr bytes.Buffer
	rj := f.build(t, "10", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, Stderr: &stderr})
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "restored checkpoint") || !strings.Contains(stderr.String(), "restored on its types alone") {
		t.Errorf("want a restore with a warning, stderr: %s", stderr.String())
	}
}

// A state directory whose manifests were deleted: the job starts from
// scratch (nothing to restore) and says loudly that output will repeat.
func TestWarnsWhenStateDirHoldsNoCheckpoint(t *testing.T) {
	f, paths := crashedJob(t)
	for _, p := range paths {
		os.Remove(p)
	}
	var stderr bytes.Buffer
	rj := f.build(t, "10", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, Stderr: &stderr})
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "holds no complete checkpoint") || !strings.Contains(stderr.String(), "will be written again") {
		t.Errorf("no warning about starting from scratch over a used state directory: %q", stderr.String())
	}
	// a first run in a fresh directory says nothing of the kind
	f = newFileJob(t)
	stderr.Reset()
	if err := f.build(t, "10", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, Stderr: &stderr}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "holds no complete checkpoint") {
		t.Errorf("a first run warns: %q", stderr.String())
	}
}

// crashedJob runs ckptSQL with checkpoints until a simulated crash and
// returns the job and the manifests it left.
func crashedJob(t *testing.T) (*fileJob, []string) {
	t.Helper()
	f := newFileJob(t)
	rj := f.build(t, "10", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 50, CrashAfterRecords: 120})
	if err := rj.Run(context.Background()); !errors.Is(err, runtime.ErrSimulatedCrash) {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(f.state, "checkpoints", "chk-*"))
	if len(paths) == 0 {
		t.Fatal("no checkpoint written")
	}
	return f, paths
}
