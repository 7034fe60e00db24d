package functions

// Every test package imports testflag so that `go test ./... -update`
// is accepted everywhere (see sql/testflag).
import _ "github.com/streamsql/streamsql/sql/testflag"
