package planner

import (
	"strings"
	"testing"
)

const intervalDDL = `CREATE TABLE Orders (id INT, order_time TIMESTAMP(3), amount INT,
  WATERMARK FOR order_time AS order_time - INTERVAL '1' SECOND) WITH ('connector' = 'datagen');
CREATE TABLE Shipments (id INT, ship_time TIMESTAMP(3),
  WATERMARK FOR ship_time AS ship_time) WITH ('connector' = 'datagen');
`

// An interval join: both bounds, written as BETWEEN or as comparisons in
// either order, give Flink's leftLowerBound/leftUpperBound (a strict
// comparison moves a bound by 1 ms); EXPLAIN prints Flink's node, both
// inputs are hashed by the key, the output is insert-only and keeps the
// left time attribute. (An updating input would be refused by name, but
// no updating relation keeps a time attribute, so such a join is a
// regular one.)
func TestExplainIntervalJoin(t *testing.T) {
	for _, c := range []struct{ on, bounds string }{
		{"o.order_time BETWEEN s.ship_time - INTERVAL '4' HOUR AND s.ship_time", "leftLowerBound=-14400000, leftUpperBound=0"},
		{"s.ship_time >= o.order_time AND s.ship_time < o.order_time + INTERVAL '4' HOUR", "leftLowerBound=-14399999, leftUpperBound=0"},
		{"o.order_time > s.ship_time - INTERVAL '1' HOUR AND INTERVAL '5' MINUTE + s.ship_time >= o.order_time", "leftLowerBound=-3599999, leftUpperBound=300000"},
		{"o.order_time - INTERVAL '1' MINUTE <= s.ship_time + INTERVAL '1' MINUTE AND o.order_time >= s.ship_time + INTERVAL '2' MINUTE", "leftLowerBound=120000, leftUpperBound=120000"},
	} {
		j := mustPlan(t, "SET 'parallelism.default' = '2';\n"+intervalDDL+
			"SELECT o.id, o.order_time, s.ship_time FROM Orders o JOIN Shipments s ON o.id = s.id AND "+c.on+";")
		out := j.Explain()
		want := "IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true, " + c.bounds + ", leftTimeIndex=1, rightTimeIndex=1], where=[AND(=(id, id0), "
		if !strings.Contains(out, want) || !strings.Contains(out, "select=[id, order_time, amount, id0, ship_time], changelogMode=[I]") {
			t.Errorf("%s: EXPLAIN lacks %q:\n%s", c.on, want, out)
		}
		if got, want := distShape(j.Graph), "TableSourceScan/2; TableSourceScan/2; IntervalJoin/2 hash[id] hash[id]; Calc/2 forward; Sink/2 forward"; got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	// the printed condition, outer join types, and the left time
	// attribute kept: a window may follow
	j := mustPlan(t, intervalDDL+`SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE (
  SELECT o.id, o.order_time, s.ship_time FROM Orders o FULL JOIN Shipments s
  ON o.id = s.id AND o.order_time BETWEEN s.ship_time - INTERVAL '4' HOUR AND s.ship_time AND o.amount > 2),
  DESCRIPTOR(order_time), INTERVAL '1' HOUR)) GROUP BY window_start, window_end;`)
	out := j.Explain()
	for _, want := range []string{
		"IntervalJoin(joinType=[FullOuterJoin], windowBounds=[isRowTime=true, leftLowerBound=-14400000, leftUpperBound=0, leftTimeIndex=1, rightTimeIndex=1], where=[AND(=(id, id0), BETWEEN(order_time, -(ship_time, 14400000:INTERVAL SECOND), ship_time), >(amount, 2))], select=[id, order_time, amount, id0, ship_time], changelogMode=[I]",
		"WindowAggregate(",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
}
