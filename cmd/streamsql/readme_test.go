package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlock returns the body of the first fenced block of kind (text,
// sh) after the marker text in README.md.
func readmeBlock(t *testing.T, readme, marker, kind string) string {
	t.Helper()
	i := strings.Index(readme, marker)
	if i < 0 {
		t.Fatalf("README.md no longer contains %q", marker)
	}
	m := regexp.MustCompile("(?s)```" + kind + "\n(.*?)```").FindStringSubmatch(readme[i:])
	if m == nil {
		t.Fatalf("no ```%s block after %q in README.md", kind, marker)
	}
	return m[1]
}

// The README's "Test your own query" runs as written: its test file is
// saved as my.test, its commands are run in order, the output --update
// records is what the README shows (and what the rules give by hand: the
// view at 00:00:00 and the one at 00:00:12 count in their windows, the
// click at 00:00:05 arrives after the watermark passed 00:00:10 and is
// dropped as late), and the failure it shows is what a changed
// expectation prints.
func TestReadmeTestExampleRuns(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "my.test", readmeBlock(t, readme, "Save this as `my.test`", "text"))
	var last string
	for _, line := range strings.Split(readmeBlock(t, readme, "records are read in the order written. Then:", "sh"), "\n") {
		cmd, comment, _ := strings.Cut(line, "#")
		args := strings.Fields(cmd)
		if len(args) == 0 {
			continue
		}
		if args[0] != "./streamsql" {
			t.Fatalf("README command %q is not a streamsql command", line)
		}
		stdout, stderr, err := runApp(t, args[1:]...)
		if err != nil {
			t.Fatalf("%s: %v\n%s%s", cmd, err, stdout, stderr)
		}
		last = stdout
		if want := strings.TrimSpace(comment); strings.HasPrefix(want, "ok ") && !strings.Contains(stdout, want) {
			t.Errorf("%s printed %q, the README says %q", cmd, stdout, want)
		}
	}
	if !strings.Contains(last, "1 passed, 0 failed") {
		t.Errorf("the last README command should pass: %q", last)
	}
	updated, _ := os.ReadFile("my.test")
	recorded := string(updated)[strings.Index(string(updated), "--- output results"):]
	shown := readmeBlock(t, readme, "`--update` appends what the engine produced", "text")
	if recorded != shown {
		t.Errorf("--update recorded:\n%s\nthe README shows:\n%s", recorded, shown)
	}
	byHand := "--- output results\n+I[2026-01-01 00:00:00.000, c1, 1, 0]\n+I[2026-01-01 00:00:10.000, c1, 1, 0]\n--- counters\nlate_records_dropped=1\n"
	if !strings.HasPrefix(recorded, byHand) {
		t.Errorf("recorded output:\n%s\nwant (by hand):\n%s", recorded, byHand)
	}
	// The failure the README shows.
	edited := strings.Replace(string(updated), "c1, 1, 0]", "c1, 1, 1]", 1)
	writeFile(t, filepath.Join(dir, "my.test"), edited)
	stdout, _, err := runApp(t, "test", "my.test")
	if err == nil {
		t.Fatal("the edited test should fail")
	}
	if shown := readmeBlock(t, readme, "here the expected first row was edited", "text"); stdout != shown {
		t.Errorf("a failing test prints:\n%s\nthe README shows:\n%s", stdout, shown)
	}
}
