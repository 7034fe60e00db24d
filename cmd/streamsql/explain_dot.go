package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/planner"
)

// explainFormats are the values of explain --format.
var explainFormats = []string{"text", "dot", "svg"}

// writeExplain prints a planned job in the asked format: text (EXPLAIN's
// plan trees), dot (the physical operator graph for Graphviz) or svg
// (that graph rendered by Graphviz's dot, which must be installed).
func writeExplain(w io.Writer, job *planner.Job, name, format string) error {
	switch format {
	case "text", "":
		_, err := io.WriteString(w, job.Explain())
		return err
	case "dot", "svg":
	default:
		return fmt.Errorf("--format=%s: want one of %s", format, strings.Join(explainFormats, ", "))
	}
	graphs := explainGraphs(job)
	if len(graphs) == 0 {
		return errors.New("nothing to draw: the file has no INSERT, SELECT or EXPLAIN statement")
	}
	src := planDot(name, graphs)
	if format == "dot" {
		_, err := io.WriteString(w, src)
		return err
	}
	dot, err := exec.LookPath("dot")
	if err != nil {
		return errors.New("--format=svg needs Graphviz's 'dot' command, which is not on PATH (install Graphviz, e.g. 'apt install graphviz' or 'brew install graphviz', or use --format=dot and render the output elsewhere)")
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = strings.NewReader(src)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("running %s -Tsvg: %v: %s", dot, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// explainGraphs returns the graphs to draw: the job's, or those of its
// EXPLAIN statements when it has nothing to run.
func explainGraphs(job *planner.Job) []*planner.Graph {
	if job.Graph != nil {
		return []*planner.Graph{job.Graph}
	}
	var gs []*planner.Graph
	for _, e := range job.Explains {
		if e.Graph != nil {
			gs = append(gs, e.Graph)
		}
	}
	return gs
}

// planDot draws physical operator graphs in Graphviz's dot language,
// data flowing left to right. Each node's label names the operator and
// its id, then its attributes, its changelog mode and its output columns,
// one per line; edges into a two-input operator say which side they feed.
// Several graphs (one per EXPLAIN statement) become clusters g0, g1...
func planDot(name string, graphs []*planner.Graph) string {
	var b strings.Builder
	b.WriteString("digraph " + dotQuote(name) + " {\n")
	b.WriteString("  rankdir=LR;\n")
	b.WriteString("  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9];\n")
	for gi, g := range graphs {
		indent, prefix := "  ", "n"
		if len(graphs) > 1 {
			prefix = "g" + strconv.Itoa(gi) + "n"
			fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n", gi, dotQuote("EXPLAIN "+strconv.Itoa(gi+1)))
			indent = "    "
		}
		for _, n := range g.Nodes {
			lines := []string{n.Name() + " #" + strconv.Itoa(n.ID)}
			for _, a := range n.Attrs() {
				lines = append(lines, wrapList(a, 80)...)
			}
			lines = append(lines, "changelogMode="+n.ChangelogMode())
			lines = append(lines, wrapColumns(n.Schema, 60)...)
			attrs := "label=" + dotLabel(lines)
			switch n.Op.(type) {
			case *planner.SourceOp, *planner.SinkOp:
				attrs += ", style=rounded"
			}
			fmt.Fprintf(&b, "%s%s%d [%s];\n", indent, prefix, n.ID, attrs)
		}
		for _, n := range g.Nodes {
			for i, in := range n.Inputs {
				edge := fmt.Sprintf("%s%s%d -> %s%d", indent, prefix, in.ID, prefix, n.ID)
				if len(n.Inputs) == 2 {
					side := "left"
					if i == 1 {
						side = "right"
					}
					edge += " [label=" + dotQuote(side) + "]"
				} else if len(n.Inputs) > 2 {
					edge += " [label=" + dotQuote(strconv.Itoa(i)) + "]"
				}
				b.WriteString(edge + ";\n")
			}
		}
		if len(graphs) > 1 {
			b.WriteString("  }\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// wrapColumns lists a schema as "-> (a STRING, b BIGINT, ...)" cut into
// lines of about width characters.
func wrapColumns(s planner.Schema, width int) []string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.Name + " " + c.Type.String()
	}
	return wrapList("-> ("+strings.Join(parts, ", ")+")", width)
}

// wrapList cuts a comma-separated text after ", " into lines of about
// width characters; continuation lines are indented.
func wrapList(text string, width int) []string {
	if len(text) <= width {
		return []string{text}
	}
	var lines []string
	cur := ""
	for _, item := range strings.SplitAfter(text, ", ") {
		if cur != "" && cur != "    " && len(cur)+len(item) > width {
			lines = append(lines, strings.TrimRight(cur, " "))
			cur = "    "
		}
		cur += item
	}
	return append(lines, cur)
}

// dotQuote makes a dot string literal.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// dotLabel joins lines into a left-aligned dot label.
func dotLabel(lines []string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ")
	var b strings.Builder
	b.WriteByte('"')
	for _, l := range lines {
		b.WriteString(r.Replace(l))
		b.WriteString(`\l`)
	}
	b.WriteByte('"')
	return b.String()
}
