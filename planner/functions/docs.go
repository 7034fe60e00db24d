package functions

import (
	"fmt"
	"sort"
	"strings"
)

// categories are the sections of Flink's "System (Built-in) Functions"
// page, in its order, with their titles.
var categories = []struct{ key, title string }{
	{"comparison", "Comparison"},
	{"logical", "Logical"},
	{"arithmetic", "Arithmetic and math"},
	{"string", "String"},
	{"temporal", "Temporal"},
	{"conditional", "Conditional"},
	{"conversion", "Type conversion"},
	{"collection", "Collection"},
	{"json", "JSON"},
	{"valueconstruction", "Value construction"},
	{"valueaccess", "Value access"},
	{"grouping", "Grouping"},
	{"hash", "Hash"},
	{"aggregate", "Aggregate and window"},
	{"catalog", "Catalog"},
}

// Markdown renders the function reference of docs/sql.md: per section of
// Flink's page, the supported functions (syntax, description, examples)
// and the Flink functions not supported yet.
func Markdown() string {
	var b strings.Builder
	bySection := map[string][]*Spec{}
	for _, s := range All() {
		if !s.Internal {
			bySection[s.Category] = append(bySection[s.Category], s)
		}
	}
	notYet := map[string][]string{}
	for _, n := range UnsupportedNames() {
		c := unsupported[n]
		notYet[c.category] = append(notYet[c.category], n)
	}
	supported, missing := 0, 0
	for _, c := range categories {
		fs, ns, other := bySection[c.key], notYet[c.key], otherForms[c.key]
		aggs, grouping := c.key == "aggregate", c.key == "grouping"
		if len(fs) == 0 && len(ns) == 0 && len(other.supported) == 0 && len(other.missing) == 0 && !aggs && !grouping {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", c.title)
		if aggs {
			supported += aggMarkdown(&b)
		}
		if aggs || grouping {
			supported += queryMarkdown(&b, c.key)
		}
		if len(other.supported) > 0 {
			fmt.Fprintf(&b, "Operators, literals and aggregates: %s.\n\n", codeList(other.supported))
		}
		if len(fs) > 0 {
			b.WriteString("| Function | Description | Examples |\n| --- | --- | --- |\n")
			for _, s := range fs {
				var ex []string
				for _, e := range s.Examples {
					if len(ex) == 3 {
						break
					}
					if !strings.HasPrefix(e.Want, "error: ") {
						want := "`" + cell(e.Want) + "`"
						if e.Want == "" {
							want = "'' (empty)"
						}
						ex = append(ex, "`"+cell(e.Expr)+"` → "+want)
					}
				}
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", cell(s.Syntax), cell(s.Doc), strings.Join(ex, "<br>"))
				supported += 1 + len(s.Aliases)
			}
		}
		if len(other.missing) > 0 {
			fmt.Fprintf(&b, "\nSyntax not supported yet: %s.\n", codeList(other.missing))
		}
		if len(ns) > 0 {
			sort.Strings(ns)
			var parts []string
			for _, n := range ns {
				p := "`" + n + "`"
				if why := unsupported[n].note; why != "" {
					p += " (" + why + ")"
				}
				parts = append(parts, p)
			}
			missing += len(ns)
			fmt.Fprintf(&b, "\nNot supported yet: %s.\n", strings.Join(parts, ", "))
		}
	}
	return fmt.Sprintf("\n%d function names are supported by specs; %d of Flink's function names are not yet (a call to one is refused with \"function X is not supported yet\"): %.1f %% of the names listed here.\n",
		supported, missing, 100*float64(supported)/float64(supported+missing)) + b.String()
}

func codeList(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "`" + x + "`"
	}
	return strings.Join(out, ", ")
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

// aggMarkdown writes the aggregate table (from the AggSpecs) and returns
// how many names it lists.
func aggMarkdown(b *strings.Builder) int {
	b.WriteString("Aggregates work in window aggregations and group aggregations (retracting in the latter).\n\n")
	b.WriteString("| Aggregate | Description | Examples (argument type: rows → result) |\n| --- | --- | --- |\n")
	n := 0
	for _, s := range AllAggs() {
		var ex []string
		for _, e := range s.Examples {
			if len(ex) == 3 {
				break
			}
			if !strings.HasPrefix(e.Want, "error: ") {
				ex = append(ex, fmt.Sprintf("`%s` of %s (%s) → `%s`", cell(e.Call), e.Type, cell(strings.Join(e.Input, ", ")), cell(e.Want)))
			}
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", cell(s.Syntax), cell(s.Doc), strings.Join(ex, "<br>"))
		n += 1 + len(s.Aliases)
	}
	b.WriteString("\n")
	return n
}

// queryMarkdown writes the table of the query functions of a section
// and returns how many names it lists.
func queryMarkdown(b *strings.Builder, category string) int {
	specs := AllQuery(category)
	if len(specs) == 0 {
		return 0
	}
	if category == "grouping" {
		b.WriteString("With `GROUPING SETS`, `ROLLUP` and `CUBE` in `GROUP BY` (group and window aggregations).\n\n")
	}
	b.WriteString("The examples read the rows (a, b) = (x, p), (x, q), (y, p) from `src` and show the final table.\n\n")
	b.WriteString("| Function | Description | Examples |\n| --- | --- | --- |\n")
	for _, s := range specs {
		var ex []string
		for _, e := range s.Examples {
			if len(ex) == 2 || strings.HasPrefix(e.Want[0], "error: ") {
				continue
			}
			ex = append(ex, fmt.Sprintf("`%s` → `%s`", cell(e.Query), cell(strings.Join(e.Want, " "))))
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", cell(s.Syntax), cell(s.Doc), strings.Join(ex, "<br>"))
	}
	b.WriteString("\n")
	return len(specs)
}
