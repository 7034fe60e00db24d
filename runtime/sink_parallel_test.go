package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// Sinks run as several subtasks (docs/architecture.md): print prefixes
// each line with the subtask's number as Flink's PrintSinkOutputWriter
// does, the filesystem sink writes one part file per subtask, and both
// restore per subtask.

// sinkEvents writes n events {"k": key, "v": i, "ms": time} to a file: keys
// 0..keys-1 in a fixed scramble, times rising 100 ms apart.
func sinkEvents(t *testing.T, dir string, n, keys int) (string, [][3]int64) {
	t.Helper()
	var b strings.Builder
	var evs [][3]int64 // k, v, ts
	for i := 0; i < n; i++ {
		k := (i * 7) % keys
		ts := int64(i) * 100
		evs = append(evs, [3]int64{int64(k), int64(i), ts})
		fmt.Fprintf(&b, `{"k": %d, "v": %d, "ms": %d}`+"\n", k, i, ts)
	}
	path := filepath.Join(dir, "in.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, evs
}

const printGroupSQL = `SET 'parallelism.default' = '{P}';
CREATE TABLE ev (k INT, v BIGINT, ms BIGINT) WITH ('connector' = 'filesystem', 'path' = '{IN}', 'format' = 'json');
CREATE TABLE out (k INT, n BIGINT, s BIGINT) WITH ('connector' = 'print'{ID});
INSERT INTO out SELECT k, COUNT(*), SUM(v) FROM ev GROUP BY k;`

var printLine = regexp.MustCompile(`^(?:([a-z]*:)?([0-9]+)> |([a-z]+)> )?([+-][IUD])\[(-?[0-9]+), (-?[0-9]+), (-?[0-9]+)\]$`)

// At parallelism 2 every line of the print sink starts with "1> " or
// "2> " (with a print-identifier, "id:1> "), as Flink prints; each key's
// changes come from one subtask, in order, and the last row of every key
// is its count and sum computed here from the input. At parallelism 1
// there is no number.
func TestPrintSinkSubtaskPrefix(t *testing.T) {
	in, evs := sinkEvents(t, t.TempDir(), 200, 16)
	want := map[string]string{}
	cnt, sum := map[int64]int64{}, map[int64]int64{}
	for _, e := range evs {
		cnt[e[0]]++
		sum[e[0]] += e[1]
	}
	for k := range cnt {
		want[fmt.Sprint(k)] = fmt.Sprintf("%d, %d", cnt[k], sum[k])
	}
	for _, c := range []struct {
		p, id, prefix string // prefix: the identifier part expected
	}{{"1", "", ""}, {"2", "", ""}, {"2", "job", "job:"}, {"1", "job", "job"}, {"4", "", ""}} {
		t.Run("p="+c.p+"/id="+c.id, func(t *testing.T) {
			id := ""
			if c.id != "" {
				id = ", 'print-identifier' = '" + c.id + "'"
			}
			src := strings.NewReplacer("{P}", c.p, "{IN}", in, "{ID}", id).Replace(printGroupSQL)
			var out bytes.Buffer
			rj, err := runtest.Build("print.sql", src, runtime.Options{Stdout: &out, Stderr: &bytes.Buffer{}})
			if err != nil {
				t.Fatal(err)
			}
			if err := rj.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			subOf := map[string]string{}
			last := map[string]string{}
			subs := map[string]bool{}
			for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				m := printLine.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("line %q is not as Flink's print sink writes", l)
				}
				idPart, sub, only := m[1], m[2], m[3]
				switch {
				case c.p == "1" && c.id == "":
					if idPart != "" || sub != "" || only != "" {
						t.Fatalf("line %q: a prefix at parallelism 1 without identifier", l)
					}
				case c.p == "1":
					if only != c.id || sub != "" {
						t.Fatalf("line %q: want the prefix %q> ", l, c.id)
					}
				default:
					if idPart != c.prefix || sub < "1" || sub > c.p || len(sub) != 1 {
						t.Fatalf("line %q: want %sN> with N in 1..%s", l, c.prefix, c.p)
					}
				}
				k := m[5]
				if s, ok := subOf[k]; ok && s != sub {
					t.Fatalf("key %s printed by subtasks %s and %s", k, s, sub)
				}
				subOf[k], subs[sub] = sub, true
				if m[4] == "+I" || m[4] == "+U" {
					last[k] = m[6] + ", " + m[7]
				} else {
					delete(last, k)
				}
			}
			if c.p != "1" && len(subs) < 2 {
				t.Errorf("all keys printed by subtasks %v at parallelism %s", subs, c.p)
			}
			if fmt.Sprint(last) != fmt.Sprint(want) {
				t.Errorf("final table\n got %v\nwant %v", last, want)
			}
		})
	}
}

const fileWindowSQL = `SET 'parallelism.default' = '{P}';
CREATE TABLE ev (k INT, v BIGINT, ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ms, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '{IN}', 'format' = 'json');
CREATE TABLE out (k INT, n BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = '{OUT}', 'format' = 'json'{SINKP});
INSERT INTO out SELECT k, COUNT(*), SUM(v) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end, k;`

// fileWindowWant is the sink's rows computed from the events: per 2 s
// window and key, the count and sum, as the JSON format writes them.
func fileWindowWant(evs [][3]int64) []string {
	type wk struct{ w, k int64 }
	cnt, sum := map[wk]int64{}, map[wk]int64{}
	for _, e := range evs {
		x := wk{e[2] / 2000, e[0]}
		cnt[x]++
		sum[x] += e[1]
	}
	var out []string
	for x, n := range cnt {
		out = append(out, fmt.Sprintf(`{"k":%d,"n":%d,"s":%d}`, x.k, n, sum[x]))
	}
	sort.Strings(out)
	return out
}

// partFiles reads the part files of a sink directory: file name -> lines.
func partFiles(t *testing.T, dir string) map[string][]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		if s := strings.TrimSpace(string(b)); s != "" {
			lines = strings.Split(s, "\n")
		}
		out[e.Name()] = lines
	}
	return out
}

// At parallelism 2 the filesystem sink writes one part file per subtask
// (part-<uid>-<subtask>-0.json) in its directory; crashed and restored
// with checkpoints at parallelism 2, and rescaled to 1, the files hold
// exactly the rows computed from the input, each once, even when rows
// reached the files after the checkpoint (every subtask
// truncates its file to its checkpointed length; the file of a subtask
// that no longer runs is truncated when the job restores).
func TestFileSinkPerSubtaskRestore(t *testing.T) {
	dir := t.TempDir()
	in, evs := sinkEvents(t, dir, 300, 8)
	want := fileWindowWant(evs)
	build := func(out, p string, opts runtime.Options) *runtime.Job {
		src := strings.NewReplacer("{P}", p, "{IN}", in, "{OUT}", out, "{SINKP}", "").Replace(fileWindowSQL)
		opts.Stderr = &bytes.Buffer{}
		rj, err := runtest.Build("file.sql", src, opts)
		if err != nil {
			t.Fatal(err)
		}
		return rj
	}
	check := func(name string, files map[string][]string, nfiles int, oneFilePerKey bool) {
		t.Helper()
		var got []string
		subOfKey := map[string]string{}
		for f, lines := range files {
			if !regexp.MustCompile(`^part-[0-9]+-[0-9]+-[0-9]+-0\.json$`).MatchString(f) {
				t.Errorf("%s: file %s is not named part-<uid>-<subtask>-0.json", name, f)
			}
			for _, l := range lines {
				k := l[:strings.IndexByte(l, ',')]
				if s, ok := subOfKey[k]; ok && s != f && oneFilePerKey {
					t.Errorf("%s: %s in %s and %s", name, k, s, f)
				}
				subOfKey[k] = f
			}
			got = append(got, lines...)
		}
		if len(files) != nfiles {
			t.Errorf("%s: %d files, want %d", name, len(files), nfiles)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			var extra, missing []string
			for _, g := range got {
				if !slices.Contains(want, g) {
					extra = append(extra, g)
				}
			}
			for _, w := range want {
				if !slices.Contains(got, w) {
					missing = append(missing, w)
				}
			}
			t.Errorf("%s: %d rows, want %d; not expected %v, missing %v", name, len(got), len(want), extra, missing)
		}
	}
	// an uninterrupted run at parallelism 2: two part files
	out := filepath.Join(dir, "plain")
	if err := build(out, "2", runtime.Options{}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("uninterrupted", partFiles(t, out), 2, true)

	for _, sc := range []struct {
		name    string
		pars    []string
		crashes []int64
		every   int64
	}{
		{"p=2 restored at 2", []string{"2", "2"}, []int64{150}, 7},
		{"p=2 twice", []string{"2", "2", "2"}, []int64{40, 100}, 13},
		{"p=2 rescaled to 1", []string{"2", "1"}, []int64{195}, 50},
		{"p=1 rescaled to 2", []string{"1", "2"}, []int64{170}, 11},
	} {
		t.Run(sc.name, func(t *testing.T) {
			d := t.TempDir()
			out := filepath.Join(d, "out") + "/"
			state := filepath.Join(d, "state")
			for run, p := range sc.pars {
				opts := runtime.Options{StateDir: state, CheckpointEveryRecords: sc.every, BatchSize: 4}
				if run < len(sc.crashes) {
					opts.CrashAfterRecords = sc.crashes[run]
				}
				err := build(out, p, opts).Run(context.Background())
				if run < len(sc.crashes) {
					if !errors.Is(err, runtime.ErrSimulatedCrash) {
						t.Fatalf("run %d: %v, want the simulated crash", run, err)
					}
					// a row written after the checkpoint (the simulated
					// crash stops the subtasks before theirs arrive)
					for f := range partFiles(t, out) {
						fh, err := os.OpenFile(filepath.Join(out, f), os.O_APPEND|os.O_WRONLY, 0)
						if err != nil {
							t.Fatal(err)
						}
						fh.WriteString(`{"k":99,"n":0,"s":0}` + "\n")
						fh.Close()
					}
					continue
				}
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
			}
			files := partFiles(t, out)
			n := 2
			if sc.pars[0] == "1" && sc.pars[len(sc.pars)-1] == "1" {
				n = 1
			}
			check(sc.name, files, n, !slices.ContainsFunc(sc.pars, func(p string) bool { return p != sc.pars[0] }))
		})
	}
}

// A sink of several subtasks writes a directory: a path naming an
// existing file is refused, naming the option and the way out.
func TestFileSinkParallelRefusesFilePath(t *testing.T) {
	dir := t.TempDir()
	in, _ := sinkEvents(t, dir, 10, 4)
	out := filepath.Join(dir, "out.json")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer("{P}", "1", "{IN}", in, "{OUT}", out, "{SINKP}", ", 'sink.parallelism' = '2'").Replace(fileWindowSQL)
	rj, err := runtest.Build("file.sql", src, runtime.Options{Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	err = rj.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is a file, but the sink runs as 2 subtasks") || !strings.Contains(err.Error(), "'sink.parallelism' = '1'") {
		t.Fatalf("want a refusal of the file path, got %v", err)
	}
}
