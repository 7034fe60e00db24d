package main

import (
	"fmt"
	"io"
	goruntime "runtime"
	"runtime/debug"
	"strings"

	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/urfave/cli/v2"
)

// version is set at link time by release builds
// (-ldflags '-X main.version=v1.2.3'); otherwise the module version from
// the build information is used ("(devel)" for a build from a checkout).
var version = ""

// buildInfo describes this binary: version, the commit it was built from
// (from the Go toolchain's VCS stamping) and the Go version.
type buildInfo struct {
	Version, Commit, CommitTime, Go string
	Modified                        bool
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Go: goruntime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "unknown"
		}
		return b
	}
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.CommitTime = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func (b buildInfo) String() string {
	commit := "unknown (built without version control information)"
	if b.Commit != "" {
		commit = b.Commit
		if b.CommitTime != "" {
			commit += " (" + b.CommitTime + ")"
		}
		if b.Modified {
			commit += ", with uncommitted changes"
		}
	}
	return fmt.Sprintf("streamsql %s\ncommit: %s\ngo: %s %s/%s\n", b.Version, commit, b.Go, goruntime.GOOS, goruntime.GOARCH)
}

func printVersion(w io.Writer) { io.WriteString(w, readBuildInfo().String()) }

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, the commit it was built from and the Go version",
		Action: func(c *cli.Context) error {
			printVersion(c.App.Writer)
			return nil
		},
	}
}

// rootAction runs for `streamsql` without a command (the help) and for
// an unknown command, which it names with the nearest known one.
func rootAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowAppHelp(c)
	}
	name := c.Args().First()
	var names []string
	for _, cmd := range c.App.Commands {
		if !cmd.Hidden {
			names = append(names, cmd.Name)
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if s := connector.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return cli.Exit(msg+"; the commands are "+strings.Join(names, ", ")+" (see 'streamsql --help')", 2)
}
