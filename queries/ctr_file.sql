-- The CTR query of ctr.sql over a small recorded stream shipped in
-- testdata/ (600 ad events over one minute, some out of order and a few
-- late), printed to standard output. A file has no Kafka timestamps, so
-- the last column is the largest event time of the window instead.
-- Run from the repository root: streamsql run queries/ctr_file.sql
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
  'path' = 'testdata/ad_events_sample.jsonl',
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
  'connector' = 'print'
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
