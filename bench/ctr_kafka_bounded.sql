-- The founding CTR query (queries/ctr.sql) reading a topic preloaded by
-- `streamsql gen`, bounded at the end offsets taken when the job starts,
-- with the results discarded so that only the engine's reading, decoding
-- and windowing are measured. The Kafka bench driver (bench/kafka) points
-- the bootstrap servers at its own broker process:
--   go run ./bench/kafka -mode preload
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
  kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'ad-events-2',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json'
);

CREATE TABLE results (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  campaign_id  STRING,
  views        BIGINT,
  clicks       BIGINT,
  ctr          DOUBLE,
  max_kafka_ts TIMESTAMP_LTZ(3)
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
  MAX(kafka_ts) AS max_kafka_ts
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;
