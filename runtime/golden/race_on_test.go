//go:build race

package golden

// raceEnabled: under the race detector (make test's race pass) the
// parallel restore and rescale tests run a reduced matrix, so the
// package stays within go test's 10-minute limit; the full matrix runs
// without -race.
const raceEnabled = true
