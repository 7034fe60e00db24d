package planner

import (
	"strings"
	"testing"
)

const temporalDDL = `CREATE TABLE orders (order_id STRING, price DECIMAL(32, 2), currency STRING, order_time TIMESTAMP(3),
  WATERMARK FOR order_time AS order_time) WITH ('connector' = 'datagen');
CREATE TABLE currency_rates (currency STRING, conversion_rate DECIMAL(32, 2), update_time TIMESTAMP(3),
  WATERMARK FOR update_time AS update_time, PRIMARY KEY (currency) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'rates', 'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE rates_history (currency STRING, rate INT, rts TIMESTAMP(3),
  WATERMARK FOR rts AS rts) WITH ('connector' = 'datagen');
CREATE VIEW versioned_rates AS SELECT currency, rate, rts FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY rts DESC) AS rownum FROM rates_history)
WHERE rownum = 1;
CREATE VIEW plain_rates AS SELECT currency, rate, rts FROM rates_history WHERE rate > 0;
`

// A temporal join against an upsert table (through its
// ChangelogNormalize) and against a versioned view: EXPLAIN prints
// Flink's TemporalJoin with its __TEMPORAL_JOIN_CONDITION, both inputs
// are hashed by the key, the output is insert-only and keeps the left
// time attribute (a window may follow); a comma join with the condition
// in WHERE plans the same (Flink's documentation writes it so).
func TestExplainTemporalJoin(t *testing.T) {
	j := mustPlan(t, "SET 'parallelism.default' = '2';\n"+temporalDDL+`SELECT window_start, COUNT(*), SUM(price * conversion_rate) FROM TABLE(TUMBLE(TABLE (
  SELECT o.order_id, o.price, r.conversion_rate, o.order_time FROM orders AS o
  LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency AND r.conversion_rate > 0),
  DESCRIPTOR(order_time), INTERVAL '1' HOUR)) GROUP BY window_start, window_end;`)
	out := j.Explain()
	want := "TemporalJoin(joinType=[LeftOuterJoin], where=[AND(=(currency, currency0), >(conversion_rate, 0), __TEMPORAL_JOIN_CONDITION(order_time, update_time, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(currency0), __TEMPORAL_JOIN_LEFT_KEY(currency), __TEMPORAL_JOIN_RIGHT_KEY(currency0)))], select=[order_id, price, currency, order_time, currency0, conversion_rate, update_time], changelogMode=[I], parallelism=[2])"
	if !strings.Contains(out, want) || !strings.Contains(out, "WindowAggregate(") || !strings.Contains(out, "ChangelogNormalize(") {
		t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
	}
	if got, want := distShape(j.Graph), "TableSourceScan/2; TableSourceScan/2; ChangelogNormalize/2 hash[currency]; TemporalJoin/2 hash[currency] hash[currency]"; !strings.HasPrefix(got, want) {
		t.Errorf("got  %s\nwant %s...", got, want)
	}
	j = mustPlan(t, temporalDDL+`SELECT o.order_id, r.rate FROM orders AS o, versioned_rates FOR SYSTEM_TIME AS OF o.order_time AS r
WHERE o.currency = r.currency;`)
	out = j.Explain()
	for _, want := range []string{
		"TemporalJoin(joinType=[InnerJoin], where=[AND(=(currency, currency0), __TEMPORAL_JOIN_CONDITION(order_time, rts, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(currency0), __TEMPORAL_JOIN_LEFT_KEY(currency), __TEMPORAL_JOIN_RIGHT_KEY(currency0)))]",
		"Deduplicate(keep=[LastRow], key=[currency], order=[ROWTIME], changelogMode=[I,UB,UA,D], upsertKeys=[[currency]]) -> (currency STRING, rate INT, rts TIMESTAMP(3) *ROWTIME*)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	// a view without a unique key is no versioned table (refused in the
	// changelog rule, where the view's upsert keys are known)
	_, err := planText(t, temporalDDL+`SELECT o.order_id FROM orders AS o JOIN plain_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;`)
	if err == nil || !strings.Contains(err.Error(), "Temporal Table Join requires primary key in versioned table, but no primary key can be found: plain_rates is a view without a unique key") {
		t.Errorf("a GROUP BY view as versioned table: got %v", err)
	}
}
