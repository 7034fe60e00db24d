package runtime

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql"
)

// What a window join's state definition compares: the join keys, the
// residual condition, what the buffered rows hold and the filters that
// fed them; renaming an output alias changes nothing.
func TestWindowJoinDefinition(t *testing.T) {
	const tmpl = `
CREATE TABLE l (row_time TIMESTAMP(3), num INT, code INT, id STRING,
  WATERMARK FOR row_time AS row_time - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'l.json', 'format' = 'json');
CREATE TABLE r (row_time TIMESTAMP(3), num INT, code INT, id STRING,
  WATERMARK FOR row_time AS row_time - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'r.json', 'format' = 'json');
CREATE TABLE o (a INT, b STRING, c STRING) WITH ('connector' = 'print');
INSERT INTO o
SELECT L.num AS {ALIAS}, L.id, R.id
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(row_time), INTERVAL '5' MINUTES)) WHERE {WHERE}) L
JOIN TABLE(TUMBLE(TABLE r, DESCRIPTOR(row_time), INTERVAL '5' MINUTES)) R
ON L.{KEY} = R.{KEY} AND L.window_start = R.window_start AND L.window_end = R.window_end;
`
	def := func(params ...string) map[string]string {
		t.Helper()
		// a Replacer takes the first pair for a key: overrides go first
		src := strings.NewReplacer(append(params, "{ALIAS}", "a", "{WHERE}", "id <> 'x'", "{KEY}", "num")...).Replace(tmpl)
		script, err := sql.Parse("j.sql", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		job, err := planner.Plan(script)
		if err != nil {
			t.Fatal(err)
		}
		_, _, defs := planUIDs(job.Graph)
		for i, n := range job.Graph.Nodes {
			if _, ok := n.Op.(*planner.WindowJoinOp); ok {
				return defs[i]
			}
		}
		t.Fatal("no window join in the plan")
		return nil
	}
	base := def()
	if ch := definitionChanges(base, def("{ALIAS}", "renamed")); len(ch) != 0 {
		t.Errorf("an output alias changed the definition: %v", ch)
	}
	for _, c := range []struct{ param, value, want string }{
		{"{KEY}", "code", "join changed from InnerJoin [=(num, num)] to InnerJoin [=(code, code)]"},
		{"{WHERE}", "id <> 'y'", "left input filter changed from [<>(id, 'x')] to [<>(id, 'y')]"},
	} {
		ch := strings.Join(definitionChanges(base, def(c.param, c.value)), "; ")
		if !strings.Contains(ch, c.want) {
			t.Errorf("%s = %s: changes %q, want %q", c.param, c.value, ch, c.want)
		}
	}
}
