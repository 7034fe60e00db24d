package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
)

var (
	dotNodeRe = regexp.MustCompile(`^\s*n(\d+) \[label="((?:[^"\\]|\\.)*)"(, style=rounded)?\];$`)
	dotEdgeRe = regexp.MustCompile(`^\s*n(\d+) -> n(\d+)(?: \[label="(left|right)"\])?;$`)
)

type dotEdge struct {
	from, to int
	side     string
}

// parseDot reads the node and edge lines planDot writes; any other line
// inside the graph body fails the test.
func parseDot(t *testing.T, src string) (nodes map[int]string, edges []dotEdge) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "digraph ") || !strings.HasSuffix(lines[0], " {") || lines[len(lines)-1] != "}" {
		t.Fatalf("not a digraph:\n%s", src)
	}
	nodes = map[int]string{}
	for _, l := range lines[1 : len(lines)-1] {
		if m := dotNodeRe.FindStringSubmatch(l); m != nil {
			id, _ := strconv.Atoi(m[1])
			nodes[id] = m[2]
			continue
		}
		if m := dotEdgeRe.FindStringSubmatch(l); m != nil {
			from, _ := strconv.Atoi(m[1])
			to, _ := strconv.Atoi(m[2])
			edges = append(edges, dotEdge{from, to, m[3]})
			continue
		}
		switch strings.TrimSpace(l) {
		case "rankdir=LR;", `node [shape=box, fontname="Helvetica", fontsize=10];`, `edge [fontname="Helvetica", fontsize=9];`:
			continue
		}
		t.Errorf("unexpected dot line %q", l)
	}
	return nodes, edges
}

// TestExplainDot checks, for each example query, that every operator of
// the planned graph is a node labelled with its name, its changelog mode
// and its output columns, and that the edges are exactly the graph's
// inputs (a window join's labelled left and right).
func TestExplainDot(t *testing.T) {
	for _, file := range []string{"../../queries/ctr.sql", "../../queries/ctr_spark_style.sql", "../../queries/ctr_file.sql"} {
		t.Run(file, func(t *testing.T) {
			job, err := load(file)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := writeExplain(&out, job, jobName(file), "dot"); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), `digraph "`+jobName(file)+`" {`) {
				t.Errorf("graph not named after the file: %q", strings.SplitN(out.String(), "\n", 2)[0])
			}
			nodes, edges := parseDot(t, out.String())
			if len(nodes) != len(job.Graph.Nodes) {
				t.Errorf("%d nodes drawn, plan has %d", len(nodes), len(job.Graph.Nodes))
			}
			var want []dotEdge
			for _, n := range job.Graph.Nodes {
				label, ok := nodes[n.ID]
				if !ok {
					t.Errorf("node %d (%s) missing", n.ID, n.Name())
					continue
				}
				if !strings.HasPrefix(label, n.Name()+" #"+strconv.Itoa(n.ID)+`\l`) {
					t.Errorf("node %d label does not start with its name: %q", n.ID, label)
				}
				if !strings.Contains(label, `changelogMode=[I]\l`) {
					t.Errorf("node %d label lacks its changelog mode: %q", n.ID, label)
				}
				// Every output column appears (labels are wrapped at ", ").
				flat := strings.ReplaceAll(label, `\l    `, " ")
				for _, c := range n.Schema {
					if !strings.Contains(flat, c.Name+" "+c.Type.String()) {
						t.Errorf("node %d label lacks column %s %s: %q", n.ID, c.Name, c.Type, label)
					}
				}
				if src, ok := n.Op.(*planner.SourceOp); ok && !strings.Contains(label, "table=["+src.Table.Name+"]") {
					t.Errorf("source label lacks its table: %q", label)
				}
				for i, in := range n.Inputs {
					side := ""
					if len(n.Inputs) == 2 {
						side = []string{"left", "right"}[i]
					}
					want = append(want, dotEdge{in.ID, n.ID, side})
				}
			}
			if len(edges) != len(want) {
				t.Errorf("edges %v, want %v", edges, want)
			}
			got := map[dotEdge]bool{}
			for _, e := range edges {
				got[e] = true
			}
			for _, e := range want {
				if !got[e] {
					t.Errorf("edge %v missing (have %v)", e, edges)
				}
			}
		})
	}
}

func TestExplainFormats(t *testing.T) {
	job, err := load("../../queries/ctr.sql")
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := writeExplain(&text, job, "ctr", "text"); err != nil || text.String() != job.Explain() {
		t.Errorf("--format=text should print EXPLAIN's text (err %v)", err)
	}
	if err := writeExplain(&text, job, "ctr", "pdf"); err == nil || !strings.Contains(err.Error(), "want one of text, dot, svg") {
		t.Errorf("--format=pdf: %v", err)
	}
	t.Run("svg without graphviz", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		err := writeExplain(&bytes.Buffer{}, job, "ctr", "svg")
		if err == nil || !strings.Contains(err.Error(), "Graphviz") {
			t.Errorf("want an error naming Graphviz, got %v", err)
		}
	})
	t.Run("svg", func(t *testing.T) {
		if _, err := exec.LookPath("dot"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("Graphviz's dot is missing; .ci/run installs it (apt-get install graphviz)")
			}
			t.Skip("skipped for a reason: Graphviz's dot is not installed on this machine (CI installs it and runs this); the error path is tested above")
		}
		var svg bytes.Buffer
		if err := writeExplain(&svg, job, "ctr", "svg"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(svg.String(), "<svg") || !strings.Contains(svg.String(), "WindowAggregate #2") {
			t.Errorf("not an SVG of the plan: %.200s", svg.String())
		}
	})
}

func TestExplainDotNothingToDraw(t *testing.T) {
	path := t.TempDir() + "/empty.sql"
	if err := os.WriteFile(path, []byte("CREATE TABLE t (a INT) WITH ('connector' = 'blackhole');\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	job, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeExplain(&bytes.Buffer{}, job, "empty", "dot"); err == nil || !strings.Contains(err.Error(), "nothing to draw") {
		t.Errorf("want 'nothing to draw', got %v", err)
	}
}

func TestDotEscaping(t *testing.T) {
	if got, want := dotQuote(`a "b" \c`), `"a \"b\" \\c"`; got != want {
		t.Errorf("dotQuote = %s, want %s", got, want)
	}
	if got, want := dotLabel([]string{`x='"'`, "two\nlines"}), `"x='\"'\ltwo lines\l"`; got != want {
		t.Errorf("dotLabel = %s, want %s", got, want)
	}
	if got := wrapList("aaaa, bbbb, cccc", 12); strings.Join(got, "|") != "aaaa, bbbb,|    cccc" {
		t.Errorf("wrapList = %q", got)
	}
}
