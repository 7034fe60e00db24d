package planner

import (
	"errors"
	"os"
	"testing"

	"github.com/streamsql/streamsql/sql"
)

func planText(t *testing.T, src string) (*Job, error) {
	t.Helper()
	script, err := sql.Parse("test.sql", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Plan(script)
}

func mustPlan(t *testing.T, src string) *Job {
	t.Helper()
	j, err := planText(t, src)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return j
}

func planFile(t *testing.T, path string) *Job {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	script, err := sql.Parse(path, b)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	j, err := Plan(script)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return j
}

func asSQLError(t *testing.T, err error) *sql.Error {
	t.Helper()
	var se *sql.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *sql.Error", err, err)
	}
	return se
}

// sourceColumns names the columns the graph's first source reads.
func sourceColumns(g *Graph) []string {
	_, src := findOp[*SourceOp](g)
	var names []string
	for _, i := range src.ReadColumns {
		names = append(names, src.Table.Columns[i].Name)
	}
	return names
}
