package main

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	flag, _, err := runApp(t, "--version")
	if err != nil {
		t.Fatal(err)
	}
	cmd, _, err := runApp(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if flag != cmd {
		t.Errorf("--version and version differ:\n%s\n%s", flag, cmd)
	}
	lines := strings.Split(strings.TrimSpace(flag), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "streamsql ") || !strings.HasPrefix(lines[1], "commit: ") ||
		lines[2] != "go: "+goruntime.Version()+" "+goruntime.GOOS+"/"+goruntime.GOARCH {
		t.Errorf("version output:\n%s", flag)
	}
	b := buildInfo{Version: "v1.2.3", Commit: "0123abc", CommitTime: "2026-12-01T10:00:00Z", Modified: true, Go: "go1.26.8"}
	if got := b.String(); !strings.Contains(got, "streamsql v1.2.3\ncommit: 0123abc (2026-12-01T10:00:00Z), with uncommitted changes\n") {
		t.Errorf("build info rendered as:\n%s", got)
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	_, _, err := runApp(t, "rn", "queries/ctr.sql")
	if err == nil || !strings.HasPrefix(err.Error(), `unknown command "rn" (did you mean "run"?); the commands are run, explain, test,`) {
		t.Errorf("got %v", err)
	}
	_, _, err = runApp(t, "zzzzzz")
	if err == nil || !strings.HasPrefix(err.Error(), `unknown command "zzzzzz"; the commands are`) {
		t.Errorf("got %v", err)
	}
}

// `make build` gives a static, stripped binary that prints its version
// (and, built from a git clone, the commit it was built from), as the
// README says.
func TestMakeBuildIsStatic(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is needed (the project's build tool): ", err)
	}
	root, _ := filepath.Abs("../..")
	bin := filepath.Join(t.TempDir(), "streamsql")
	cmd := exec.Command("make", "-C", root, "build", "BIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("%s is not an ELF binary: %v", bin, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary has a dynamic loader (PT_INTERP): it is not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	if f.Section(".symtab") != nil || f.Section(".debug_info") != nil {
		t.Errorf("the binary keeps its symbol table or DWARF (want -ldflags='-s -w')")
	}
	out, err := exec.CommandContext(context.Background(), bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	if data, _ := os.ReadFile(bin); strings.Contains(string(data), root+"/") {
		t.Errorf("the binary holds the build directory %s (want -trimpath)", root)
	}
	// Go stamps the commit when building in a git clone (a .git
	// directory; linked worktrees are not stamped by the go command).
	if st, err := os.Stat(filepath.Join(root, ".git")); err == nil && st.IsDir() {
		head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
		if err == nil && !strings.Contains(string(out), "commit: "+strings.TrimSpace(string(head))) {
			t.Errorf("--version does not name the commit %s:\n%s", head, out)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	if !strings.Contains(string(readme), "CGO_ENABLED=0") {
		t.Errorf("the README does not say that make build makes a static binary")
	}
}
