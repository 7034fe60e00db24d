// Package golden runs streamsql's data-driven query tests: one file holds
// the SQL, the recorded input streams (with partitions, Kafka timestamps
// and event order) and the expected rows and counters. The same runner
// backs `go test` for the project's own cases and `streamsql test` for
// users' queries.
//
// A test file is a sequence of sections, each opened by a line
// `--- NAME [ARG]`:
//
//	Any text before the first section describes the case.
//	--- sql
//	CREATE TABLE ad_events (...) WITH ('connector' = 'kafka', ...);
//	CREATE TABLE results (...) WITH (...);
//	INSERT INTO results SELECT ...;
//	--- input ad_events
//	p=0 ts=1000 {"campaign_id": "c1", "event_time": 1000, ...}
//	p=1 {"campaign_id": "c2", ...}
//	--- output results
//	+I[c1, 1, 0]
//	--- changelog results
//	+I[c1, 1]
//	-U[c1, 1]
//	+U[c1, 2]
//	--- final results
//	[c1, 2]
//	--- counters
//	late_records_dropped=0
//	records_skipped=0
//	--- error
//	case.test:7:12: unknown column "campain_id" (did you mean "campaign_id"?)
//
// Every table with an input section is read from that section instead of
// its declared connector, keeping its format and columns: each line is one
// record, in the order the engine sees them, optionally prefixed by
// `p=N` (the partition, i.e. the source split; default 0) and `ts=MS` (the
// Kafka record timestamp), and `off=N`, `key="..."`, `h="k":"v"` as
// runtime/recording describes (`streamsql record` writes such lines from a
// Kafka topic, ready to paste). All partitions named in a section are active
// from the start, as a Kafka topic's are. Every sink table is captured and
// printed as Flink's print connector prints rows. An output section
// expects exactly its rows in order; a changelog section the same rows,
// each key's in order (rows of different keys may interleave, as
// parallel subtasks interleave them); a final section the table the
// changelog leaves, in any order (a row written `[..]` or `+I[..]`): upserted
// by key, or, without a key, with -U and -D retracting an equal row. The
// key is the sink table's PRIMARY KEY, else the upsert key of the query
// (EXPLAIN shows it). An error section expects
// the job to fail with exactly that message (then output sections are
// left out). Positions in SQL errors are lines of the test file itself.
//
// With update set, the output, counters and error sections are rewritten
// from what the engine did; review the diff before committing it.
package golden

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/recording"
	"github.com/streamsql/streamsql/sql"
)

// Case is one parsed test file.
type Case struct {
	Path        string
	Description string
	SQL         string
	sqlLine     int // line of the test file where the SQL starts
	Inputs      []*Input
	Outputs     map[string][]string // expected rows per sink table
	// Changelogs and Finals are the tables whose rows are expected per
	// key in order (--- changelog T) or as the final table (--- final T)
	Changelogs, Finals map[string][]string
	Counters           map[string]int64
	hasCounters        bool
	Error              string
	hasError           bool
	// sections keeps the raw text of sections the runner never rewrites.
	raw []section
	// parallelism, when > 0, runs the case at that 'parallelism.default';
	// batch, when > 0, is the sources' batch size (runtime.Options).
	parallelism, batch int
	// sets, when not empty, are SET statements run before the SQL (on its
	// first line, as parallelism's).
	sets string
}

// Input is a recorded stream for one table.
type Input struct {
	Table   string
	Records []Record
}

// Record is one input line: a recorded record (partition, offset,
// timestamp, key, headers, value) and the line of the test file it is on.
type Record struct {
	recording.Record
	Line int
}

type section struct {
	name, arg string
	line      int // line number of the header
	body      []string
}

// Parse reads a test file.
func Parse(path string) (*Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &Case{Path: path, Outputs: map[string][]string{}, Counters: map[string]int64{},
		Changelogs: map[string][]string{}, Finals: map[string][]string{}}
	var secs []section
	var desc []string
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	for i, l := range lines {
		if name, arg, ok := header(l); ok {
			secs = append(secs, section{name: name, arg: arg, line: i + 1})
			continue
		}
		if len(secs) == 0 {
			desc = append(desc, l)
			continue
		}
		secs[len(secs)-1].body = append(secs[len(secs)-1].body, l)
	}
	c.Description = strings.Join(desc, "\n")
	c.raw = secs
	for _, s := range secs {
		where := fmt.Sprintf("%s:%d", path, s.line)
		switch s.name {
		case "sql":
			c.SQL = strings.Join(s.body, "\n")
			c.sqlLine = s.line + 1
		case "input":
			if s.arg == "" {
				return nil, fmt.Errorf("%s: '--- input' needs the table name", where)
			}
			in := &Input{Table: s.arg}
			for k, l := range s.body {
				if strings.TrimSpace(l) == "" {
					continue
				}
				r, err := parseRecord(l)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %v", path, s.line+1+k, err)
				}
				r.Line = s.line + 1 + k
				in.Records = append(in.Records, r)
			}
			c.Inputs = append(c.Inputs, in)
		case "output":
			if s.arg == "" {
				return nil, fmt.Errorf("%s: '--- output' needs the sink table name", where)
			}
			c.Outputs[s.arg] = nonEmpty(s.body)
		case "changelog", "final":
			if s.arg == "" {
				return nil, fmt.Errorf("%s: '--- %s' needs the sink table name", where, s.name)
			}
			if s.name == "changelog" {
				c.Changelogs[s.arg] = nonEmpty(s.body)
			} else {
				c.Finals[s.arg] = nonEmpty(s.body)
			}
		case "counters":
			c.hasCounters = true
			for k, l := range nonEmpty(s.body) {
				key, val, ok := strings.Cut(l, "=")
				n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
				if !ok || err != nil {
					return nil, fmt.Errorf("%s:%d: counters are written name=number, got %q", path, s.line+1+k, l)
				}
				c.Counters[strings.TrimSpace(key)] = n
			}
		case "error":
			c.hasError = true
			c.Error = strings.TrimSpace(strings.Join(s.body, "\n"))
		default:
			return nil, fmt.Errorf("%s: unknown section %q (sections: sql, input TABLE, output TABLE, changelog TABLE, final TABLE, counters, error)", where, s.name)
		}
	}
	if c.sqlLine == 0 {
		return nil, fmt.Errorf("%s: no '--- sql' section", path)
	}
	return c, nil
}

var sectionNames = map[string]bool{"sql": true, "input": true, "output": true, "changelog": true, "final": true, "counters": true, "error": true}

func header(l string) (name, arg string, ok bool) {
	rest, found := strings.CutPrefix(l, "--- ")
	if !found {
		return "", "", false
	}
	f := strings.Fields(rest)
	if len(f) == 0 || len(f) > 2 || !sectionNames[f[0]] {
		return "", "", false
	}
	if len(f) == 2 {
		arg = f[1]
	}
	return f[0], arg, true
}

func nonEmpty(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseRecord reads one input line (runtime/recording's syntax).
func parseRecord(l string) (Record, error) {
	r, err := recording.ParseLine(l)
	return Record{Record: r}, err
}

// Result is what the engine did for a case.
type Result struct {
	Outputs map[string][]string
	// Keys holds, per table, the key of each row of Outputs (its
	// PRIMARY KEY's or upsert key's values; "" when it has none)
	Keys     map[string][]string
	Counters map[string]int64
	Error    string
	// Subtasks is how many subtasks the job ran as (runtime.Job.Subtasks).
	Subtasks int
}

// plan parses and plans the case's SQL, padded so that positions in
// errors are lines of the test file.
func (c *Case) plan() (*planner.Job, error) {
	src := strings.Repeat("\n", c.sqlLine-1) + c.SQL
	if c.parallelism > 0 {
		// on the first line, which the SQL never uses (its section
		// header is at least on line 1), so positions stay those of the file
		src = fmt.Sprintf("SET 'parallelism.default' = '%d';", c.parallelism) + src
	}
	src = c.sets + src
	script, err := sql.Parse(filepath.Base(c.Path), []byte(src))
	if err != nil {
		return nil, err
	}
	return planner.Plan(script)
}

// inputOverrides replaces the connector of every table with an input
// section by a replay of that section.
func (c *Case) inputOverrides() map[string]*connector.Spec {
	overrides := map[string]*connector.Spec{}
	for _, in := range c.Inputs {
		overrides[in.Table] = replaySpec(filepath.Base(c.Path), in)
	}
	return overrides
}

// Run executes the case.
func (c *Case) Run(ctx context.Context) *Result {
	res := &Result{Outputs: map[string][]string{}, Counters: map[string]int64{}}
	job, err := c.plan()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	overrides := c.inputOverrides()
	captures := map[string]*capture{}
	captureSinks(job, overrides, captures)
	var stdout bytes.Buffer
	rj, err := runtime.Build(job.Graph, runtime.Options{Connectors: overrides, Stdout: &stdout, Stderr: &bytes.Buffer{}, BatchSize: c.batch})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Subtasks = rj.Subtasks()
	if err := rj.Run(ctx); err != nil {
		res.Error = err.Error()
	}
	for t, cp := range captures {
		if res.Keys == nil {
			res.Keys = map[string][]string{}
		}
		res.Outputs[t], res.Keys[t] = cp.rows()
	}
	s := rj.Summary()
	res.Counters["late_records_dropped"] = s.LateRecordsDropped
	res.Counters["records_skipped"] = s.RecordsSkipped
	return res
}

// Diff compares a result with the case's expectations; "" when they agree.
func (c *Case) Diff(r *Result) string {
	var b strings.Builder
	if r.Error != "" || c.hasError {
		if r.Error != c.Error {
			fmt.Fprintf(&b, "error:\n  expected  %s\n  got       %s\n", orNone(c.Error), orNone(r.Error))
		}
		if r.Error != "" {
			return b.String()
		}
	}
	tables := map[string]bool{}
	for _, outs := range []map[string][]string{c.Outputs, r.Outputs} {
		for t := range outs {
			_, cl := c.Changelogs[t]
			_, fin := c.Finals[t]
			tables[t] = !cl && !fin
		}
	}
	for _, t := range sortedKeys(c.Changelogs) {
		b.WriteString(changelogDiff(t, c.Changelogs[t], r.Outputs[t], r.Keys[t]))
	}
	for _, t := range sortedKeys(c.Finals) {
		want, got := slices.Clone(c.Finals[t]), FinalTable(r.Outputs[t], r.Keys[t])
		for i, w := range want {
			want[i] = finalRow(w)
		}
		slices.Sort(want)
		if d := lineDiff(want, got); d != "" {
			fmt.Fprintf(&b, "final table %s: expected %d row(s), got %d\n%s", t, len(want), len(got), d)
		}
	}
	for _, t := range sortedKeys(tables) {
		if !tables[t] {
			continue
		}
		want, got := c.Outputs[t], r.Outputs[t]
		if d := lineDiff(want, got); d != "" {
			fmt.Fprintf(&b, "output %s: expected %d row(s), got %d\n%s", t, len(want), len(got), d)
		}
	}
	if c.hasCounters {
		for _, k := range sortedKeys(c.Counters) {
			if got, ok := r.Counters[k]; !ok {
				fmt.Fprintf(&b, "counter %s: unknown (counters: late_records_dropped, records_skipped)\n", k)
			} else if got != c.Counters[k] {
				fmt.Fprintf(&b, "counter %s: expected %d, got %d\n", k, c.Counters[k], got)
			}
		}
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(no error)"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lineDiff compares expected and produced rows (an LCS alignment) and
// shows each difference as a pair of lines, expected first, got under
// it, with the row kind (+I, -U, +U, -D) in a column of its own and a
// caret under the first character that differs; a row on one side only
// is paired with "(no such row)". Runs of equal rows are shown as
// context, two either side of a difference.
func lineDiff(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	n, m := len(want), len(got)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	// Walk the alignment: equal rows, and hunks of rows only expected
	// (dels) and only got (ins).
	type hunk struct {
		equal      string
		dels, ins  []string
		isEqualRow bool
	}
	var hunks []hunk
	i, j := 0, 0
	for i < n || j < m {
		if i < n && j < m && want[i] == got[j] {
			hunks = append(hunks, hunk{equal: want[i], isEqualRow: true})
			i++
			j++
			continue
		}
		if len(hunks) == 0 || hunks[len(hunks)-1].isEqualRow {
			hunks = append(hunks, hunk{})
		}
		h := &hunks[len(hunks)-1]
		if j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]) {
			h.ins = append(h.ins, got[j])
			j++
		} else {
			h.dels = append(h.dels, want[i])
			i++
		}
	}
	near := func(k int) bool { // an equal row within two of a difference
		for d := k - 2; d <= k+2; d++ {
			if d >= 0 && d < len(hunks) && !hunks[d].isEqualRow {
				return true
			}
		}
		return false
	}
	var b strings.Builder
	skipped := 0
	flush := func() {
		if skipped > 0 {
			fmt.Fprintf(&b, "  ... %d equal row(s)\n", skipped)
			skipped = 0
		}
	}
	for k, h := range hunks {
		if h.isEqualRow {
			if !near(k) {
				skipped++
				continue
			}
			flush()
			kind, vals := splitKind(h.equal)
			fmt.Fprintf(&b, "            %-3s %s\n", kind, vals)
			continue
		}
		flush()
		for x := 0; x < max(len(h.dels), len(h.ins)); x++ {
			var w, g string
			if x < len(h.dels) {
				w = h.dels[x]
			}
			if x < len(h.ins) {
				g = h.ins[x]
			}
			writePair(&b, w, g)
		}
	}
	flush()
	return b.String()
}

// writePair writes one expected row and the row got in its place, aligned,
// with a caret under the first difference when both exist.
func writePair(b *strings.Builder, want, got string) {
	const label = 12 // "  expected  " and "  got       "
	row := func(name, line string) string {
		if line == "" {
			return fmt.Sprintf("  %-9s %-3s %s\n", name, "", "(no such row)")
		}
		kind, vals := splitKind(line)
		return fmt.Sprintf("  %-9s %-3s %s\n", name, kind, vals)
	}
	wl, gl := row("expected", want), row("got", got)
	b.WriteString(wl)
	b.WriteString(gl)
	if want == "" || got == "" {
		return
	}
	wr, gr := []rune(wl[label:]), []rune(gl[label:])
	at := 0
	for at < len(wr) && at < len(gr) && wr[at] == gr[at] {
		at++
	}
	b.WriteString(strings.Repeat(" ", label+at) + "^\n")
}

// splitKind separates a printed row's kind ("+I[a, 1]" -> "+I", "[a, 1]");
// a line that is not a row keeps its text, with no kind.
func splitKind(line string) (kind, values string) {
	if len(line) >= 3 && (line[0] == '+' || line[0] == '-') && strings.ContainsRune("IUD", rune(line[1])) && line[2] == '[' {
		return line[:2], line[2:]
	}
	return "", line
}

// changelogDiff compares a changelog section with the rows got: the same
// rows, and for every key the same rows in the same order (rows of
// different keys may interleave in any order, as subtasks interleave
// them). keys are the got rows' keys; an expected row takes the key of
// an equal row got.
func changelogDiff(table string, want, got, keys []string) string {
	sw, sg := slices.Clone(want), slices.Clone(got)
	slices.Sort(sw)
	slices.Sort(sg)
	if d := lineDiff(sw, sg); d != "" {
		return fmt.Sprintf("changelog %s: expected %d row(s), got %d (sorted)\n%s", table, len(want), len(got), d)
	}
	keyOf := map[string]string{}
	for i, l := range got {
		if i < len(keys) {
			keyOf[l] = keys[i]
		}
	}
	perKey := func(lines []string) map[string][]string {
		m := map[string][]string{}
		for _, l := range lines {
			m[keyOf[l]] = append(m[keyOf[l]], l)
		}
		return m
	}
	wk, gk := perKey(want), perKey(got)
	var b strings.Builder
	for _, k := range sortedKeys(wk) {
		if d := lineDiff(wk[k], gk[k]); d != "" {
			fmt.Fprintf(&b, "changelog %s: the changes of key %s come in another order\n%s", table, k, d)
		}
	}
	return b.String()
}

// FinalTable is the table a changelog leaves, sorted, each row printed
// as +I[...]: with a key (keys[i] of lines[i] not empty), +I and +U set
// the key's row and -U and -D remove it (upsert); without one, +I and +U
// add a row and -U and -D remove one equal row (retraction).
func FinalTable(lines, keys []string) []string {
	byKey := map[string]string{}
	var bag []string
	for i, l := range lines {
		kind, vals := splitKind(l)
		key := ""
		if i < len(keys) {
			key = keys[i]
		}
		add := kind != "-U" && kind != "-D"
		switch {
		case key != "" && add:
			byKey[key] = vals
		case key != "":
			delete(byKey, key)
		case add:
			bag = append(bag, vals)
		default:
			if j := slices.Index(bag, vals); j >= 0 {
				bag = slices.Delete(bag, j, j+1)
			}
		}
	}
	for _, v := range byKey {
		bag = append(bag, v)
	}
	out := make([]string, len(bag))
	for i, v := range bag {
		out[i] = "+I" + v
	}
	slices.Sort(out)
	return out
}

// finalRow is an expected final-table row as FinalTable prints it: a
// row written without kind ("[a, 1]") or with +I.
func finalRow(l string) string {
	if kind, vals := splitKind(l); kind != "" {
		l = vals
	}
	return "+I" + strings.TrimSpace(l)
}

// Update rewrites the case file's output, counters and error sections
// from r, keeping everything else as written.
func (c *Case) Update(r *Result) error {
	var b strings.Builder
	if c.Description != "" {
		b.WriteString(c.Description)
		b.WriteString("\n")
	}
	for _, s := range c.raw {
		switch s.name {
		case "output", "counters", "error":
			continue
		case "changelog", "final":
			if r.Error == "" {
				continue // rewritten below
			}
		}
		fmt.Fprintf(&b, "--- %s", s.name)
		if s.arg != "" {
			fmt.Fprintf(&b, " %s", s.arg)
		}
		b.WriteString("\n")
		body := s.body
		for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
			body = body[:len(body)-1]
		}
		for _, l := range body {
			b.WriteString(l)
			b.WriteString("\n")
		}
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "--- error\n%s\n", r.Error)
	} else {
		for _, t := range sortedKeys(r.Outputs) {
			if _, ok := c.Changelogs[t]; ok {
				fmt.Fprintf(&b, "--- changelog %s\n", t)
				for _, l := range r.Outputs[t] {
					b.WriteString(l + "\n")
				}
				continue
			}
			if _, ok := c.Finals[t]; ok {
				fmt.Fprintf(&b, "--- final %s\n", t)
				for _, l := range FinalTable(r.Outputs[t], r.Keys[t]) {
					b.WriteString(l + "\n")
				}
				continue
			}
			fmt.Fprintf(&b, "--- output %s\n", t)
			for _, l := range r.Outputs[t] {
				b.WriteString(l)
				b.WriteString("\n")
			}
		}
		b.WriteString("--- counters\n")
		for _, k := range sortedKeys(r.Counters) {
			fmt.Fprintf(&b, "%s=%d\n", k, r.Counters[k])
		}
	}
	return os.WriteFile(c.Path, []byte(b.String()), 0o644)
}

// Files lists the test files under path (a file, or a directory searched
// recursively for *.test).
func Files(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".test") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if err == nil && len(files) == 0 {
		err = errors.New(path + ": no *.test files")
	}
	return files, err
}

// RunFile parses, runs and checks (or updates) one test file. It returns
// the diff, "" when the case passes.
func RunFile(ctx context.Context, path string, update bool) (string, error) {
	c, err := Parse(path)
	if err != nil {
		return "", err
	}
	r := c.Run(ctx)
	if update {
		return "", c.Update(r)
	}
	return c.Diff(r), nil
}
