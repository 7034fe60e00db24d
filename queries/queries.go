// Package queries holds the example jobs of the README. The founding CTR
// query is built into the streamsql binary, so that 'streamsql demo' runs
// from any directory.
package queries

import _ "embed"

// CTR is queries/ctr.sql: click-through rate per campaign over 10-second
// tumbling windows of the Kafka topic ad-events-2, written to results.
//
//go:embed ctr.sql
var CTR []byte

// CTRName is how the built-in CTR query is named in messages and errors.
const CTRName = "queries/ctr.sql"
