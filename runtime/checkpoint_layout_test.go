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

// The keyed operators without a window (GroupAggregate, Rank, Deduplicate,
// OverAggregate) record a layout and a definition, so a restore into a
// query whose GROUP BY, PARTITION BY, ORDER BY or aggregates changed is
// refused instead of mixing both keyings in one state.
func TestKeyedOperatorDefinitions(t *testing.T) {
	const tmpl = `
CREATE TABLE ev (ts TIMESTAMP(3), k STRING, j STRING, n BIGINT, m BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'ev.json', 'format' = 'json');
CREATE TABLE o1 (k {KT}, c BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'print');
CREATE TABLE o2 (k STRING, n BIGINT, rn BIGINT) WITH ('connector' = 'print');
CREATE TABLE o3 (k STRING, n BIGINT, s BIGINT) WITH ('connector' = 'print');
INSERT INTO o1 SELECT {GK}, COUNT(*), SUM({ARG}) FROM ev WHERE {WHERE} GROUP BY {GK};
INSERT INTO o2 SELECT k, n, rn FROM (
  SELECT k, n, ROW_NUMBER() OVER (PARTITION BY {GK} ORDER BY {ARG} DESC) AS rn FROM ev) WHERE rn <= 3;
INSERT INTO o3 SELECT k, n, SUM({ARG}) OVER (PARTITION BY {GK} ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM ev;
`
	plan := func(params ...string) (defs map[string]map[string]string, layouts map[string]string) {
		t.Helper()
		src := strings.NewReplacer(append(params, "{GK}", "k", "{ARG}", "n", "{WHERE}", "n > 0", "{KT}", "STRING")...).Replace(tmpl)
		script, err := sql.Parse("k.sql", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		job, err := planner.Plan(script)
		if err != nil {
			t.Fatal(err)
		}
		_, ls, ds := planUIDs(job.Graph)
		defs, layouts = map[string]map[string]string{}, map[string]string{}
		for i, n := range job.Graph.Nodes {
			switch n.Op.(type) {
			case *planner.GroupAggOp, *planner.RankOp, *planner.OverAggOp:
				defs[n.Name()], layouts[n.Name()] = ds[i], ls[i]
			}
		}
		return defs, layouts
	}
	base, layouts := plan()
	for _, name := range []string{"GroupAggregate", "Rank", "OverAggregate"} {
		if base[name] == nil {
			t.Fatalf("%s has no state definition (plan has %v)", name, layouts)
		}
		if strings.Contains(layouts[name], "stateless") {
			t.Errorf("%s's layout says %q", name, layouts[name])
		}
	}
	for _, c := range []struct{ param, value, op, want string }{
		{"{GK}", "j", "GroupAggregate", "group keys changed from [k] to [j]"},
		{"{ARG}", "m", "GroupAggregate", "aggregates changed from [COUNT(*), SUM(n)] to [COUNT(*), SUM(m)]"},
		{"{WHERE}", "n > 1", "GroupAggregate", "input filter changed from [>(n, 0)] to [>(n, 1)]"},
		{"{GK}", "j", "Rank", "partition keys changed from [k] to [j]"},
		{"{ARG}", "m", "Rank", "order keys changed from [n DESC] to [m DESC]"},
		{"{GK}", "j", "OverAggregate", "partition keys changed from [k] to [j]"},
		{"{ARG}", "m", "OverAggregate", "aggregates changed from [SUM(n)] to [SUM(m)]"},
	} {
		got, _ := plan(c.param, c.value)
		ch := strings.Join(definitionChanges(base[c.op], got[c.op]), "; ")
		if !strings.Contains(ch, c.want) {
			t.Errorf("%s %s = %s: changes %q, want %q", c.op, c.param, c.value, ch, c.want)
		}
	}
	// a type change of the group key changes the layout
	if _, l2 := plan("{GK}", "n", "{KT}", "BIGINT"); l2["GroupAggregate"] == layouts["GroupAggregate"] {
		t.Errorf("GroupAggregate layout did not change with the key's type: %s", l2["GroupAggregate"])
	}
}
