//go:build race

package runtime_test

// raceEnabled: under the race detector (make test's race pass) the
// slow tests run smaller.
const raceEnabled = true
