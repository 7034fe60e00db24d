-- The CTR query without a window (a dynamic table: Flink's GroupAggregate,
-- one changing row per campaign) over the benchmark's recorded stream,
-- results discarded (blackhole takes the changelog). Issue 11's target:
-- at least half the windowed query's events/s on one core. Run by
-- BenchmarkCTRGroupFile (runtime/ctrbench_test.go), with and without
-- table.exec.mini-batch.*; figures in docs/performance.md.
CREATE TABLE ad_events (
  user_id     STRING,
  page_id     STRING,
  ad_id       STRING,
  ad_type     STRING,
  event_type  STRING,
  event_time  BIGINT,
  campaign_id STRING,
  ip_address  STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'bench/data/events-10m.jsonl',
  'format' = 'json'
);

CREATE TABLE results (
  campaign_id   STRING,
  views         BIGINT,
  clicks        BIGINT,
  ctr           DOUBLE,
  max_event_ts  TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO results
SELECT
  campaign_id,
  COUNT(*) FILTER (WHERE event_type = 'view')  AS views,
  COUNT(*) FILTER (WHERE event_type = 'click') AS clicks,
  CAST(COUNT(*) FILTER (WHERE event_type = 'click') AS DOUBLE)
    / NULLIF(COUNT(*) FILTER (WHERE event_type = 'view'), 0) AS ctr,
  MAX(ts) AS max_event_ts
FROM ad_events
GROUP BY campaign_id;
