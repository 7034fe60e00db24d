// Package testflag defines the -update flag shared by every test package,
// so that `go test ./... -update` works in all of them: packages with
// golden files rewrite them, the others accept and ignore the flag.
// Every package's tests import it (see flags_test.go in each package).
package testflag

import "flag"

// Update is set by `go test -update`: rewrite golden files from what the
// code produces. Review `git diff testdata/` before committing.
var Update = flag.Bool("update", false, "rewrite golden files from the current output")
