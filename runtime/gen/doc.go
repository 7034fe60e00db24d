// Package gen generates the ad events of the founding CTR pipeline: the
// JSON objects {user_id, page_id, ad_id, ad_type, event_type, event_time,
// campaign_id, ip_address} that `streamsql gen` writes to Kafka or a file,
// that `streamsql demo` feeds to queries/ctr.sql, and that tests and
// benchmarks use as input.
//
// Design:
//   - Deterministic: a Config (seed included) fixes the whole stream. The
//     random source is a splitmix64 defined here, so the bytes do not change
//     with the Go version. Event i is nominally at Start + i*1000/EventRate
//     ms; its event_time is that minus a random delay (up to OutOfOrderMs,
//     or LateMinMs..LateMaxMs for the LateFraction of late events). Event
//     time therefore never depends on the wall clock: a test can regenerate
//     the same events and count views and clicks per window and campaign on
//     its own to check what the engine computed.
//   - Fast: campaign and ad fragments of the JSON are prebuilt, UUIDs are
//     hex-encoded from two random words, and AppendJSON appends into the
//     caller's buffer without allocating (BenchmarkGenerate: several
//     million events per second on one core).
//   - Campaign ids are campaign-01 .. campaign-NN and do not depend on the
//     seed; each campaign has AdsPerCampaign ads whose ids are fixed UUIDs.
//     The mix of event types is 85 % view, 12 % click, 3 % purchase by
//     default.
//   - Drive paces a generator against a schedule measured from the start
//     time (event k is due at k/Rate s) and hands events to a sink in
//     batches, so the rate stays steady when a batch is slow; the clock is
//     injectable for tests.
package gen
