-- The CTR query of queries/ctr_file.sql over the benchmark's recorded
-- stream (10 million generated ad events, made by `make bench`), with the
-- results discarded so that only the engine is measured. The bench driver
-- runs it from the repository root: streamsql run --quiet bench/ctr_bench.sql
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
  window_start  TIMESTAMP(3),
  window_end    TIMESTAMP(3),
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
  window_start,
  window_end,
  campaign_id,
  COUNT(*) FILTER (WHERE event_type = 'view')  AS views,
  COUNT(*) FILTER (WHERE event_type = 'click') AS clicks,
  CAST(COUNT(*) FILTER (WHERE event_type = 'click') AS DOUBLE)
    / NULLIF(COUNT(*) FILTER (WHERE event_type = 'view'), 0) AS ctr,
  MAX(ts) AS max_event_ts
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;
