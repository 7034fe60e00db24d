package planner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql"
)

// Every example query in queries/ must plan, and its EXPLAIN must never
// print a secret option value: each table gets extra secret-named options
// (SASL JAAS config, a password) with recognisable values, which EXPLAIN
// must show as ******.
func TestQueriesPlan(t *testing.T) {
	files, err := filepath.Glob("../queries/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d files in queries/, want at least ctr.sql, ctr_file.sql, ctr_spark_style.sql", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			script, err := sql.Parse(f, src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			tables := 0
			for _, st := range script.Statements {
				if ct, ok := st.(*sql.CreateTable); ok {
					tables++
					ct.Options = append(ct.Options,
						sql.Option{Pos: ct.Pos, Key: "properties.sasl.jaas.config", Value: "SECRET-jaas-" + ct.Name},
						sql.Option{Pos: ct.Pos, Key: "password", Value: "SECRET-pw-" + ct.Name})
				}
			}
			job, err := Plan(script)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if job.Graph == nil && len(job.Explains) == 0 {
				t.Fatal("nothing planned: no INSERT, SELECT or EXPLAIN")
			}
			out := job.Explain()
			if strings.Contains(out, "SECRET-") {
				t.Errorf("EXPLAIN prints a secret option value:\n%s", out)
			}
			for _, want := range []string{"properties.sasl.jaas.config=******", "password=******", "== Physical Plan ==", "TableSourceScan("} {
				if !strings.Contains(out, want) {
					t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
				}
			}
			// The user's own secret-named options are masked too.
			for _, tbl := range job.Catalog.Tables {
				for _, o := range tbl.Options {
					if MaskOption(o.Key, o.Value) != o.Value && len(o.Value) >= 4 && strings.Contains(out, o.Key+"="+o.Value) {
						t.Errorf("EXPLAIN prints %s=%s of table %s", o.Key, o.Value, tbl.Name)
					}
				}
			}
			if tables == 0 {
				t.Error("no CREATE TABLE")
			}
		})
	}
}
