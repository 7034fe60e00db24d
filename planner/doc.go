// Package planner turns a parsed streamsql script (sql.Script) into a Job:
// the catalog of its tables and views, its SET/RESET settings, and one
// physical operator Graph (plan.go) holding every INSERT of the file, which
// the runtime executes. All errors are *sql.Error with the user's position.
//
// Design
//
//   - catalog (job.go): CREATE TABLE becomes a TableDesc; computed columns
//     are typed by binding their expression over the physical and metadata
//     columns; WATERMARK FOR marks its column Rowtime. Views keep their
//     query, bound once at definition to report errors early and re-planned
//     at every use.
//   - binding (bind.go, typesys.go, functions.go): AST expressions resolve
//     against a scope of (qualifier, name) columns into typed Expr values
//     (ColRef, Const, Call) by Flink's type rules. functions.go is the one
//     registry of scalar functions and aggregates: name, arity, argument
//     checks, result type. Unknown names get Levenshtein suggestions
//     (suggest.go).
//   - planning (query.go, aggregate.go, join.go): each FROM item becomes a
//     relation (a physical node plus its scope and logical tree). A window
//     TVF stays pending until we know whether a window aggregation, a join
//     or nothing follows; only then is it planned (as part of a
//     WindowAggregate, or as a WindowTableFunction node). Consecutive Calcs
//     are merged as they are built. A GROUP BY without a window (or
//     aggregates without GROUP BY) and SELECT DISTINCT plan to a
//     GroupAggregate, whose result is updating; the changelog rule
//     (changelog.go) then sets every node's changelog mode and upsert
//     keys and refuses an insert-only sink fed updates. Other updating
//     constructs (regular joins, ORDER BY, LIMIT, OVER) are rejected
//     with a message saying so.
//     A top-level WHERE conjunct x [NOT] IN (subquery) / [NOT] EXISTS
//     (subquery) correlated on window_start and window_end plans to a
//     WindowJoin of type LeftSemiJoin / LeftAntiJoin (semijoin.go; NOT IN
//     is NULL-aware). GROUP BY window_start, window_end over a subquery or
//     view that is a window TVF re-opens the TVF below its Calc
//     (reopenTVF) and becomes a window aggregation, as in Flink.
//   - finishing (job.go): projection pushdown below window TVFs that are
//     not aggregated (pruneTVF); every use of a table with the same
//     watermark shares ONE TableSourceScan (shareSources: a topic is read
//     and decoded once, skipped records count once; EXPLAIN prints later
//     uses as Reused(reference_id=[N])); each source reads the union of
//     the columns its Calcs need plus what computed columns and the
//     watermark need; identity Calcs are dropped; nodes are numbered in
//     topological order.
//   - EXPLAIN (explain.go): a logical and a physical tree, indented as
//     Flink indents them, each node with its columns and types; option
//     values whose key names a secret print as ******.
//
// Example: the founding CTR query (queries/ctr.sql)
//
//	INSERT INTO results
//	SELECT window_start, window_end, campaign_id,
//	  COUNT(*) FILTER (WHERE event_type = 'view') AS views, ...
//	FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
//	GROUP BY window_start, window_end, campaign_id;
//
// plans to (abridged; see testdata/ctr_explain.txt for the full text):
//
//	Sink(table=[results], fields=[window_start, window_end, campaign_id, views, clicks, ctr, max_kafka_ts])
//	+- Calc(select=[window_start, window_end, campaign_id, views, clicks, /(CAST(clicks AS DOUBLE), NULLIF(views, 0)) AS ctr, max_kafka_ts])
//	   +- WindowAggregate(groupBy=[campaign_id], window=[TUMBLE(time_col=[ts], size=[10 s])],
//	   |    select=[campaign_id, COUNT(*) FILTER $f2 AS views, COUNT(*) FILTER $f3 AS clicks, MAX(kafka_ts) AS max_kafka_ts,
//	   |            start('w$) AS window_start, end('w$) AS window_end, rowtime('w$) AS window_time])
//	      +- Calc(select=[campaign_id, ts, =(event_type, 'view') AS $f2, =(event_type, 'click') AS $f3, kafka_ts])
//	         +- TableSourceScan(table=[ad_events], project=[event_type, event_time, campaign_id, ts, kafka_ts],
//	              watermark=[-(ts, 1000:INTERVAL SECOND)], computed=[TO_TIMESTAMP_LTZ(event_time, 3) AS ts])
//
// The legacy form (GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), campaign_id
// with TUMBLE_START/TUMBLE_END) plans to the same shape. A window join
// (queries/ctr_spark_style.sql) is a WindowJoin over two such
// WindowAggregate branches.
package planner
