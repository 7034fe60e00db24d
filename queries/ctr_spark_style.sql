-- The founding CTR pipeline written the way a Spark Structured Streaming
-- job computes it: views and clicks are aggregated separately per 10-second
-- window and campaign, then joined per window and campaign. It gives the
-- same numbers as ctr.sql (a FULL OUTER join keeps windows that have only
-- views or only clicks). Reads the Kafka topic ad-events-2, writes results.
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
  'properties.group.id' = 'streamsql-ctr-spark-style',
  'scan.startup.mode' = 'earliest-offset',
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
  'connector' = 'kafka',
  'topic' = 'results',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'format' = 'json'
);

CREATE VIEW views_per_window AS
SELECT window_start, window_end, campaign_id, COUNT(*) AS views, MAX(kafka_ts) AS max_ts
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE event_type = 'view'
GROUP BY window_start, window_end, campaign_id;

CREATE VIEW clicks_per_window AS
SELECT window_start, window_end, campaign_id, COUNT(*) AS clicks, MAX(kafka_ts) AS max_ts
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE event_type = 'click'
GROUP BY window_start, window_end, campaign_id;

INSERT INTO results
SELECT
  COALESCE(v.window_start, c.window_start),
  COALESCE(v.window_end, c.window_end),
  COALESCE(v.campaign_id, c.campaign_id),
  COALESCE(v.views, 0),
  COALESCE(c.clicks, 0),
  CAST(COALESCE(c.clicks, 0) AS DOUBLE) / NULLIF(COALESCE(v.views, 0), 0),
  CASE WHEN c.max_ts IS NULL OR v.max_ts > c.max_ts THEN v.max_ts ELSE c.max_ts END
FROM views_per_window v
FULL OUTER JOIN clicks_per_window c
  ON v.campaign_id = c.campaign_id
 AND v.window_start = c.window_start
 AND v.window_end = c.window_end;
