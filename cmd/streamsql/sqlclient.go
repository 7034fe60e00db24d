package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/chzyer/readline"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func sqlCommand() *cli.Command {
	return &cli.Command{
		Name:  "sql",
		Usage: "the interactive SQL client: declare tables, watch queries live, start and stop jobs",
		Description: `An interactive shell modelled on Flink's SQL client. Statements end with ';' and
may span lines. CREATE / DROP / ALTER tables and views, SET / RESET options, SHOW
TABLES | VIEWS | FUNCTIONS | JOBS, DESCRIBE, EXPLAIN. A SELECT runs in this process
and shows its result live (SET 'sql-client.execution.result-mode' = 'table',
'changelog' or 'tableau'); q or Ctrl-C stops it. INSERT INTO (and EXECUTE
STATEMENT SET) starts a detached job; SHOW JOBS lists them and STOP JOB 'id'
[WITH SAVEPOINT] stops one. HELP; lists everything, QUIT; leaves (stopping the
session's jobs with savepoints).

Line editing, Tab completion of keywords, tables and columns, and history kept
across sessions in ~/.streamsql_history.

   streamsql sql                      the shell
   streamsql sql -i init.sql          run init.sql first (tables, settings), then the shell
   streamsql sql -f job.sql           run job.sql without a shell: results printed,
                                      then wait for its jobs (Ctrl-C stops them)`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "init", Aliases: []string{"i"}, Usage: "run this SQL file before the session starts (its errors are reported, the session still starts)"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "run this SQL file non-interactively, then wait for the jobs it started"},
			&cli.StringFlag{Name: "history", Usage: "history file (default ~/.streamsql_history)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return cli.Exit("sql takes no arguments, only flags: -i FILE, -f FILE (see 'streamsql sql --help')", 2)
			}
			out := c.App.Writer
			if out == nil {
				out = os.Stdout
			}
			s := newSession(c.Context, out, errorWriter(c.App.ErrWriter))
			if p := c.String("init"); p != "" {
				src, err := readSQLFile(p)
				if err != nil {
					return cli.Exit(err.Error(), 1)
				}
				s.runScript(p, string(src), false)
			}
			if p := c.String("file"); p != "" {
				src, err := readSQLFile(p)
				if err != nil {
					return cli.Exit(err.Error(), 1)
				}
				err = s.runScript(p, string(src), true)
				if err == nil {
					s.waitJobs(c.Context)
				}
				s.stopAll()
				if err != nil {
					return cli.Exit("", 1)
				}
				return nil
			}
			in := c.App.Reader
			if in == nil {
				in = os.Stdin
			}
			tin, okIn := in.(*os.File)
			tout, okOut := out.(*os.File)
			if !okIn || !okOut || !term.IsTerminal(int(tin.Fd())) || !term.IsTerminal(int(tout.Fd())) {
				// Not a terminal: statements from standard input, results printed.
				src, err := io.ReadAll(in)
				if err != nil {
					return cli.Exit(err.Error(), 1)
				}
				s.runScript(stdinName, string(src), false)
				s.waitJobs(c.Context)
				s.stopAll()
				return nil
			}
			hist := c.String("history")
			if hist == "" {
				if home, err := os.UserHomeDir(); err == nil {
					hist = filepath.Join(home, ".streamsql_history")
				}
			}
			err := s.interactive(tin, tout, hist)
			s.stopAll()
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			return nil
		},
	}
}

const (
	sqlPrompt  = "streamsql> "
	sqlPrompt2 = "         > "
)

const sqlWelcome = `streamsql SQL client. Statements end with ';'. HELP; lists the commands, QUIT; leaves.
`

// interactive runs the shell on a terminal.
func (s *session) interactive(in, out *os.File, history string) error {
	t := newTerminal(in, out)
	defer t.close()
	s.screen = t
	if history != "" {
		// Kept private: statements may hold credentials ('properties.sasl.jaas.config').
		if f, err := os.OpenFile(history, os.O_CREATE|os.O_RDONLY, 0o600); err == nil {
			f.Close()
			os.Chmod(history, 0o600)
		}
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 sqlPrompt,
		HistoryFile:            history,
		HistoryLimit:           1000,
		DisableAutoSaveHistory: true,
		AutoComplete:           &completer{s: s},
		InterruptPrompt:        "^C",
		EOFPrompt:              "quit",
		Stdin:                  t.lineInput(),
		Stdout:                 out,
		Stderr:                 out,
		FuncIsTerminal:         func() bool { return true },
		FuncMakeRaw:            t.enterRaw,
		FuncExitRaw:            t.exitRaw,
		FuncGetWidth:           func() int { w, _ := t.size(); return w },
	})
	if err != nil {
		return err
	}
	defer rl.Close()
	// Jobs report failures while a statement is being typed: through the
	// line editor, which redraws the prompt after them (the terminal is
	// in raw mode then, so lines need \r\n).
	errw := s.err
	s.err = crlf{rl}
	defer func() { s.err = errw }()
	s.out = out
	io.WriteString(out, sqlWelcome)
	var pending []string
	for !s.quit && s.ctx.Err() == nil {
		if len(pending) == 0 {
			rl.SetPrompt(sqlPrompt)
		} else {
			rl.SetPrompt(sqlPrompt2)
		}
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			pending = nil // Ctrl-C drops the statement being typed
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		pending = append(pending, line)
		text := strings.Join(pending, "\n")
		stmts, rest := splitStatements(text)
		if len(stmts) == 0 {
			// QUIT, EXIT and HELP also work without ';' on a line of their own.
			switch strings.ToUpper(strings.TrimSpace(text)) {
			case "QUIT", "EXIT", "HELP":
				stmts, rest = []stmtText{{Text: strings.TrimSpace(text), Line: 1, Col: 1}}, ""
			case "":
				pending = nil
				continue
			default:
				continue
			}
		}
		rl.SaveHistory(strings.Join(strings.Fields(text), " "))
		pending = nil
		if strings.TrimSpace(rest) != "" {
			pending = []string{rest}
		}
		for _, st := range stmts {
			if err := s.execute(st); err != nil {
				s.errorf(err)
			}
			if s.quit {
				break
			}
		}
	}
	io.WriteString(out, "Shutting down the session...\n")
	return nil
}

// ---------------------------------------------------------------- the terminal

// terminal owns the client's input: one goroutine reads it and hands it
// either to the line editor or, while a result is shown, to the result
// view (keys such as q, arrows, PgUp). The line editor never reads the
// terminal directly, so the two never race for a key.
type terminal struct {
	in, out *os.File
	fd      int

	mu       sync.Mutex
	view     chan []byte // the result view's keys while it is shown
	lineW    *io.PipeWriter
	lineR    *io.PipeReader
	rawState *term.State
}

func newTerminal(in, out *os.File) *terminal {
	t := &terminal{in: in, out: out, fd: int(in.Fd())}
	t.lineR, t.lineW = io.Pipe()
	go t.pump()
	return t
}

func (t *terminal) pump() {
	buf := make([]byte, 256)
	for {
		n, err := t.in.Read(buf)
		if n > 0 {
			b := append([]byte(nil), buf[:n]...)
			t.mu.Lock()
			view := t.view
			t.mu.Unlock()
			if view != nil {
				select {
				case view <- b:
				default: // a key the view is too busy for is dropped
				}
			} else if _, werr := t.lineW.Write(b); werr != nil {
				return
			}
		}
		if err != nil {
			t.lineW.CloseWithError(err)
			return
		}
	}
}

// lineInput is what the line editor reads.
func (t *terminal) lineInput() io.ReadCloser { return t.lineR }

func (t *terminal) close() { t.lineR.Close() }

// keys routes input to the caller until release is called.
func (t *terminal) keys() (<-chan []byte, func()) {
	ch := make(chan []byte, 64)
	t.mu.Lock()
	t.view = ch
	t.mu.Unlock()
	return ch, func() {
		t.mu.Lock()
		t.view = nil
		t.mu.Unlock()
	}
}

func (t *terminal) enterRaw() error {
	st, err := term.MakeRaw(t.fd)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.rawState = st
	t.mu.Unlock()
	return nil
}

func (t *terminal) exitRaw() error {
	t.mu.Lock()
	st := t.rawState
	t.rawState = nil
	t.mu.Unlock()
	if st == nil {
		return nil
	}
	return term.Restore(t.fd, st)
}

// raw puts the terminal in raw mode (keys arrive one by one, Ctrl-C as a
// key) and returns the function that restores it.
func (t *terminal) raw() func() {
	st, err := term.MakeRaw(t.fd)
	if err != nil {
		return func() {}
	}
	return func() { term.Restore(t.fd, st) }
}

// size is the terminal's width and height (80x24 when unknown).
func (t *terminal) size() (int, int) {
	w, h, err := term.GetSize(int(t.out.Fd()))
	if err != nil || w <= 0 || h <= 0 {
		return 80, 24
	}
	return w, h
}

// ---------------------------------------------------------------- completion

// sqlKeywords are completed at the start of a statement and after it.
var sqlKeywords = []string{
	"SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "AS", "AND", "OR", "NOT", "IN",
	"CREATE TABLE", "CREATE VIEW", "DROP TABLE", "DROP VIEW", "ALTER TABLE", "ALTER VIEW", "RENAME TO", "IF NOT EXISTS", "IF EXISTS",
	"INSERT INTO", "EXECUTE STATEMENT SET", "BEGIN", "END", "WITH", "WATERMARK FOR", "INTERVAL", "SECOND", "MINUTE", "HOUR",
	"SET", "RESET", "SHOW TABLES", "SHOW VIEWS", "SHOW FUNCTIONS", "SHOW JOBS", "DESCRIBE", "EXPLAIN",
	"STOP JOB", "WITH SAVEPOINT", "HELP", "QUIT", "EXIT", "CLEAR",
	"TABLE", "TUMBLE", "HOP", "CUMULATE", "SESSION", "DESCRIPTOR", "COUNT", "SUM", "MIN", "MAX", "AVG", "CAST", "FILTER",
	"JOIN", "LEFT JOIN", "ON", "UNION ALL", "CASE", "WHEN", "THEN", "ELSE", "DISTINCT", "NULL", "TRUE", "FALSE",
	"window_start", "window_end", "window_time",
}

// completer completes keywords, table and view names, and column names
// of the session's tables.
type completer struct{ s *session }

func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && (isWordByte(byte(min(line[start-1], 0x7f))) || line[start-1] == '.') {
		start--
	}
	prefix := string(line[start:pos])
	if prefix == "" {
		return nil, 0
	}
	seen := map[string]bool{}
	var out [][]rune
	add := func(cand string, keyword bool) {
		if !strings.HasPrefix(strings.ToUpper(cand), strings.ToUpper(prefix)) || seen[cand] {
			return
		}
		seen[cand] = true
		rest := cand[len(prefix):]
		if keyword && prefix == strings.ToLower(prefix) {
			rest = strings.ToLower(rest)
		}
		out = append(out, []rune(rest+" "))
	}
	// Multi-word keywords continue after their first words: "SHOW J"
	// completes to JOBS only. Otherwise names, then keywords (a
	// multi-word one as a whole: "SHO" to "SHOW TABLES", ...).
	before := strings.ToUpper(strings.Join(strings.Fields(string(line[:start])), " "))
	for _, k := range sqlKeywords {
		if i := strings.LastIndexByte(k, ' '); i > 0 && (before == k[:i] || strings.HasSuffix(before, " "+k[:i])) {
			add(k[i+1:], true)
		}
	}
	if len(out) == 0 {
		for _, name := range c.names() {
			add(name, false)
		}
		for _, k := range sqlKeywords {
			add(k, true)
		}
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i]) < string(out[j]) })
	return out, len([]rune(prefix))
}

// names lists the session's tables, views and their columns.
func (c *completer) names() []string {
	var out []string
	job, err := c.s.plan()
	if err != nil {
		return c.s.names()
	}
	for _, t := range job.Catalog.Tables {
		out = append(out, t.Name)
		for _, col := range t.Columns {
			out = append(out, col.Name)
		}
	}
	for _, v := range job.Catalog.Views {
		out = append(out, v.Name)
		for _, col := range v.Schema {
			out = append(out, col.Name)
		}
	}
	return out
}

const sqlHelp = `The SQL client runs these statements (each ends with ';', lines may be broken anywhere):

  CREATE TABLE name (col TYPE, ..., WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = '...', ...);
  CREATE VIEW name AS SELECT ...;
  DROP TABLE | VIEW [IF EXISTS] name;
  ALTER TABLE name RENAME TO new | SET ('key' = 'value', ...) | RESET ('key', ...);
  ALTER VIEW name RENAME TO new | AS SELECT ...;
  SHOW TABLES; SHOW VIEWS; SHOW FUNCTIONS; SHOW JOBS;
  DESCRIBE name;            the columns of a table or view, with types, keys, computed columns, watermark
  EXPLAIN SELECT ... | INSERT ...;
  SET 'key' = 'value';      a job option (e.g. 'execution.checkpointing.interval' = '10 s'); SET; lists them
  RESET 'key'; RESET;

  SELECT ...;               runs the query here and shows its result live; q or Ctrl-C stops it.
                            Bounded queries (files, datagen with a row count) end by themselves.
  SET 'sql-client.execution.result-mode' = 'table';      a scrollable view of the result table (default)
  SET 'sql-client.execution.result-mode' = 'changelog';  every change with its kind (+I, -U, +U, -D)
  SET 'sql-client.execution.result-mode' = 'tableau';    rows printed as they come

  INSERT INTO table SELECT ...;                          starts a detached job and prints its id
  EXECUTE STATEMENT SET BEGIN INSERT ...; INSERT ...; END;   several INSERTs as one job
  SHOW JOBS;                                             the session's jobs, state and progress
  STOP JOB 'id' [WITH SAVEPOINT];                        stops a job (an id prefix of 4+ characters will do);
                                                         WITH SAVEPOINT prints the savepoint's path. To resume:
                                                         SET 'execution.savepoint.path' = '<path>'; then the INSERT again

  HELP;  CLEAR;  QUIT; (EXIT;)  QUIT stops the session's jobs, each with a savepoint.

Keys: Tab completes keywords, tables and columns; Up/Down and Ctrl-R search the history
(~/.streamsql_history); Ctrl-C drops the statement being typed; Ctrl-D leaves.
Relative paths ('path' of a filesystem table) resolve against the working directory.
`
