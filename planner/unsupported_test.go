package planner

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/testflag"
)

// unsupportedDDL is the catalog every case in testdata/unsupported.txt
// runs against; case positions are relative to the case's own text.
const unsupportedDDL = `CREATE TABLE ad_events (user_id STRING, event_type STRING, campaign_id STRING, price INT,
  payload ROW<name STRING, n INT>, event_time BIGINT, ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen');
CREATE TABLE dim (campaign_id STRING, name STRING, dts TIMESTAMP(3), WATERMARK FOR dts AS dts) WITH ('connector' = 'datagen');
CREATE TABLE out1 (a STRING) WITH ('connector' = 'blackhole');
CREATE TABLE rates (campaign_id STRING, name STRING, rate INT, rts TIMESTAMP_LTZ(3), WATERMARK FOR rts AS rts,
  PRIMARY KEY (campaign_id) NOT ENFORCED) WITH ('connector' = 'datagen');
CREATE TABLE lookup_dim (campaign_id STRING, name STRING, PRIMARY KEY (campaign_id) NOT ENFORCED) WITH ('connector' = 'datagen');
`

// TestUnsupported runs every statement of testdata/unsupported.txt, a
// file of Flink SQL that streamsql refuses, and checks the error: it must
// name the construct ("... not supported", "... is only supported as
// ...") at the expected line:column of
// the case, never be a bare syntax error or an unknown name. Blocks are
//
//	# comment
//	statement (any number of lines)
//	----
//	line:col: message
//
// separated by blank lines. go test -update rewrites the expectations
// from what the code says; review the diff.
func TestUnsupported(t *testing.T) {
	const path = "testdata/unsupported.txt"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ddlLines := strings.Count(unsupportedDDL, "\n")
	var out strings.Builder
	cases := 0
	for _, block := range strings.Split(strings.TrimRight(string(data), "\n"), "\n\n") {
		input, want, ok := strings.Cut(block, "\n----")
		want = strings.TrimPrefix(want, "\n")
		if !ok {
			t.Fatalf("%s: block without ----:\n%s", path, block)
		}
		var stmt []string
		for _, l := range strings.Split(input, "\n") {
			if !strings.HasPrefix(l, "#") {
				stmt = append(stmt, l)
			}
		}
		src := strings.Join(stmt, "\n")
		cases++
		got := refusal(unsupportedDDL+src+";\n", ddlLines)
		if !strings.Contains(got, "not supported") && !strings.Contains(got, "is only supported as") {
			t.Errorf("%s:\n%s\nerror %q does not name an unsupported construct", path, src, got)
		}
		if got != want && !*testflag.Update {
			t.Errorf("%s:\n%s\n got: %s\nwant: %s", path, src, got, want)
		}
		out.WriteString(input + "\n----\n" + got + "\n\n")
	}
	if cases < 40 {
		t.Errorf("%s has %d cases; the list of refusals should not shrink by accident", path, cases)
	}
	if *testflag.Update {
		if err := os.WriteFile(path, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// refusal parses and plans src and returns its error as "line:col:
// message", line counted from the end of the DDL.
func refusal(src string, ddlLines int) string {
	script, err := sql.Parse("u.sql", []byte(src))
	if err == nil {
		_, err = Plan(script)
	}
	var se *sql.Error
	switch {
	case err == nil:
		return "no error"
	case !errors.As(err, &se):
		return "error without a position: " + err.Error()
	}
	return fmt.Sprintf("%d:%d: %s", se.Pos.Line-ddlLines, se.Pos.Col, se.Msg)
}
