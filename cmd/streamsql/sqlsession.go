package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/state"
)

// A session of 'streamsql sql' (docs/sql-client.md): the catalog built
// statement by statement, the settings, and the jobs started from it.
//
// The planner plans whole scripts (sql.Parse, planner.Plan). The session
// keeps the CREATE statements that make up its catalog, in order, and
// plans each new statement after them as one script: a CREATE is kept
// only if that plan succeeds, DROP removes the statement (refused while
// a view still needs it), ALTER edits it. Errors are at the line and
// column of the statement as typed (of the file with -i and -f).
type session struct {
	ctx      context.Context // ends the session's jobs when done
	out, err io.Writer
	file     string // name in error positions: "" interactive, the file with -i / -f
	catalog  []*catalogEntry
	settings map[string]string // job settings (SET), passed to every job
	client   map[string]string // sql-client.* settings
	jobs     []*sessionJob
	screen   *terminal // nil when not interactive: results are printed (tableau)
	quit     bool
}

// catalogEntry is a CREATE TABLE or CREATE VIEW of the session.
type catalogEntry struct {
	name string
	view bool
	stmt sql.Statement // *sql.CreateTable or *sql.CreateView
	src  []byte        // the statement's text, padded to its position
}

func newSession(ctx context.Context, out, errw io.Writer) *session {
	return &session{ctx: ctx, out: out, err: errw, settings: map[string]string{},
		client: map[string]string{resultModeKey: "table"}}
}

const (
	resultModeKey    = "sql-client.execution.result-mode"
	savepointDirKey  = "state.savepoints.dir"
	savepointPathKey = "execution.savepoint.path"
)

var resultModes = []string{"table", "changelog", "tableau"}

func (s *session) infof(format string, args ...any) {
	fmt.Fprintf(s.out, "[INFO] "+format+"\n", args...)
}

func (s *session) errorf(err error) {
	fmt.Fprintf(s.out, "[ERROR] %v\n", err)
}

// runScript executes every statement of a file (-i, -f); it stops at the
// first error when stopOnError.
func (s *session) runScript(name string, src string, stopOnError bool) error {
	stmts, rest := splitStatements(src)
	if strings.TrimSpace(stripComments(rest)) != "" {
		// The last statement may go without its ';'.
		before := src[:len(src)-len(rest)+leadingBlank(rest)]
		line := 1 + strings.Count(before, "\n")
		col := 1 + utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])
		stmts = append(stmts, stmtText{Text: strings.TrimSpace(rest[leadingBlank(rest):]), Line: line, Col: col})
	}
	prev := s.file
	s.file = name
	defer func() { s.file = prev }()
	for _, st := range stmts {
		if s.quit || s.ctx.Err() != nil {
			return nil
		}
		if err := s.execute(st); err != nil {
			s.errorf(err)
			if stopOnError {
				return err
			}
		}
	}
	return nil
}

// execute runs one statement.
func (s *session) execute(st stmtText) error {
	words := clientWords(st)
	if len(words) == 0 {
		return nil
	}
	kw := func(i int) string {
		if i < len(words) && !words[i].quoted {
			return strings.ToUpper(words[i].text)
		}
		return ""
	}
	switch kw(0) {
	case "HELP":
		io.WriteString(s.out, sqlHelp)
		return nil
	case "QUIT", "EXIT":
		s.quit = true
		return nil
	case "CLEAR":
		if s.screen != nil {
			io.WriteString(s.out, "\x1b[H\x1b[2J")
		}
		return nil
	case "SHOW":
		return s.show(words)
	case "DESCRIBE", "DESC":
		return s.describe(words)
	case "DROP":
		return s.drop(words)
	case "ALTER":
		return s.alter(st, words)
	case "STOP":
		return s.stopJob(words)
	}
	script, err := sql.Parse(s.file, st.padded())
	if err != nil {
		return err
	}
	for _, stmt := range script.Statements {
		if err := s.executeParsed(st, stmt); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) executeParsed(st stmtText, stmt sql.Statement) error {
	switch stmt := stmt.(type) {
	case *sql.CreateTable:
		return s.create(&catalogEntry{name: stmt.Name, stmt: stmt, src: st.padded()}, stmt.IfNotExists)
	case *sql.CreateView:
		return s.create(&catalogEntry{name: stmt.Name, view: true, stmt: stmt, src: st.padded()}, stmt.IfNotExists)
	case *sql.Set:
		return s.set(stmt)
	case *sql.Reset:
		switch {
		case stmt.Key == "":
			s.settings = map[string]string{}
			s.client = map[string]string{resultModeKey: "table"}
			s.infof("All session properties have been set to their default values.")
		case strings.HasPrefix(stmt.Key, "sql-client."):
			delete(s.client, stmt.Key)
			if stmt.Key == resultModeKey {
				s.client[resultModeKey] = "table"
			}
			s.infof("Session property has been reset.")
		default:
			delete(s.settings, stmt.Key)
			s.infof("Session property has been reset.")
		}
		return nil
	case *sql.Explain:
		job, err := s.plan(stmt)
		if err != nil {
			return err
		}
		io.WriteString(s.out, job.ExplainStatements())
		return nil
	case *sql.Insert, *sql.StatementSet:
		return s.submit(st, stmt)
	case *sql.QueryStatement:
		return s.query(st, stmt)
	}
	return sql.Errorf(stmt.Position(), "unsupported statement here (HELP lists what the client runs)")
}

// plan plans the session's catalog followed by extra statements.
func (s *session) plan(extra ...sql.Statement) (*planner.Job, error) {
	var stmts []sql.Statement
	for _, k := range sortedKeys(s.settings) {
		stmts = append(stmts, &sql.Set{Option: sql.Option{Key: k, Value: s.settings[k]}})
	}
	for _, e := range s.catalog {
		stmts = append(stmts, e.stmt)
	}
	return planner.Plan(&sql.Script{File: s.file, Statements: append(stmts, extra...)})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *session) entry(name string) (int, *catalogEntry) {
	for i, e := range s.catalog {
		if e.name == name {
			return i, e
		}
	}
	return -1, nil
}

func (s *session) create(e *catalogEntry, ifNotExists bool) error {
	if _, old := s.entry(e.name); old != nil && ifNotExists {
		s.infof("Execute statement succeeded (%s already exists; kept as it was).", e.name)
		return nil
	}
	if _, err := s.plan(e.stmt); err != nil {
		return err
	}
	s.catalog = append(s.catalog, e)
	what := "Table"
	if e.view {
		what = "View"
	}
	s.infof("%s has been created.", what)
	return nil
}

func (s *session) set(st *sql.Set) error {
	if st.Key == "" {
		for _, k := range sortedKeys(s.settings) {
			fmt.Fprintf(s.out, "'%s' = '%s'\n", k, s.settings[k])
		}
		for _, k := range sortedKeys(s.client) {
			fmt.Fprintf(s.out, "'%s' = '%s'\n", k, s.client[k])
		}
		return nil
	}
	if strings.HasPrefix(st.Key, "sql-client.") {
		switch st.Key {
		case resultModeKey:
			v := strings.ToLower(strings.TrimSpace(st.Value))
			if !slices.Contains(resultModes, v) {
				return sql.Errorf(st.ValuePos, "'%s' = '%s': want one of %s", st.Key, st.Value, strings.Join(resultModes, ", "))
			}
			s.client[st.Key] = v
		default:
			return sql.Errorf(st.Pos, "unknown client option '%s'%s (the client knows '%s')", st.Key, suggestion(st.Key, []string{resultModeKey}), resultModeKey)
		}
	} else {
		if err := planner.CheckSetting(st); err != nil {
			return err
		}
		s.settings[st.Key] = st.Value
	}
	s.infof("Execute statement succeeded.")
	return nil
}

func suggestion(s string, candidates []string) string {
	if c := connector.Suggest(s, candidates); c != "" {
		return fmt.Sprintf(" (did you mean '%s'?)", c)
	}
	return ""
}

// ---------------------------------------------------------------- client commands

// word is a token of a client command: a word, a quoted string or a
// punctuation character, with its place.
type word struct {
	text   string
	quoted bool
	pos    sql.Pos
}

// clientWords tokenizes a statement for the commands the client parses
// itself (SHOW, DESCRIBE, DROP, ALTER, STOP JOB, HELP, QUIT).
func clientWords(st stmtText) []word {
	src := stripComments(st.Text)
	var out []word
	line, col := st.Line, st.Col
	i := 0
	adv := func(n int) {
		for _, r := range src[i : i+n] {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		i += n
	}
	for i < len(src) {
		c := src[i]
		pos := sql.Pos{Line: line, Col: col}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			adv(1)
		case c == '\'' || c == '`' || c == '"':
			j := i + 1
			for j < len(src) && src[j] != c {
				j++
			}
			text := src[i+1 : min(j, len(src))]
			out = append(out, word{text: text, quoted: c == '\'', pos: pos})
			adv(min(j+1, len(src)) - i)
		case isWordByte(c):
			j := i
			for j < len(src) && (isWordByte(src[j]) || src[j] == '.') {
				j++
			}
			out = append(out, word{text: src[i:j], pos: pos})
			adv(j - i)
		default:
			out = append(out, word{text: string(c), pos: pos})
			adv(1)
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func (s *session) at(w word, format string, args ...any) error {
	p := w.pos
	p.File = s.file
	return sql.Errorf(p, format, args...)
}

// expect checks the keywords of a command; the first word that does not
// fit is the error's place.
func (s *session) expectEnd(words []word, n int, usage string) error {
	if len(words) > n {
		return s.at(words[n], "unexpected %q: %s", words[n].text, usage)
	}
	return nil
}

func (s *session) show(words []word) error {
	const usage = "SHOW TABLES | VIEWS | FUNCTIONS | JOBS"
	if len(words) < 2 {
		return s.at(words[0], "SHOW what? %s", usage)
	}
	if err := s.expectEnd(words, 2, usage); err != nil {
		return err
	}
	var names []string
	head := ""
	switch strings.ToUpper(words[1].text) {
	case "TABLES":
		head = "table name"
		for _, e := range s.catalog {
			names = append(names, e.name) // Flink lists views among the tables
		}
	case "VIEWS":
		head = "view name"
		for _, e := range s.catalog {
			if e.view {
				names = append(names, e.name)
			}
		}
	case "FUNCTIONS":
		head = "function name"
		names = functions.Names()
	case "JOBS":
		s.showJobs()
		return nil
	default:
		return s.at(words[1], "SHOW %s is not supported%s: %s", words[1].text, suggestion(strings.ToUpper(words[1].text), []string{"TABLES", "VIEWS", "FUNCTIONS", "JOBS"}), usage)
	}
	sort.Strings(names)
	rows := make([][]string, len(names))
	for i, n := range names {
		rows[i] = []string{n}
	}
	io.WriteString(s.out, renderBox([]string{head}, rows))
	fmt.Fprintf(s.out, "%s in set\n", plural(len(rows), "row"))
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// describe prints a table's or view's columns as Flink's DESCRIBE does:
// name, type, null, key, extras (computed and metadata columns) and
// watermark.
func (s *session) describe(words []word) error {
	if len(words) < 2 {
		return s.at(words[0], "DESCRIBE needs a table or view name")
	}
	if err := s.expectEnd(words, 2, "DESCRIBE name"); err != nil {
		return err
	}
	name := words[1].text
	_, e := s.entry(name)
	if e == nil {
		return s.at(words[1], "unknown table or view %q%s", name, suggestionNames(name, s.names()))
	}
	job, err := s.plan()
	if err != nil {
		return err
	}
	var rows [][]string
	if e.view {
		for _, v := range job.Catalog.Views {
			if v.Name == name {
				for _, c := range v.Schema {
					rows = append(rows, []string{c.Name, c.Type.Nullable().String(), nullText(!c.Type.NotNull), "", "", ""})
				}
			}
		}
	} else {
		ct := e.stmt.(*sql.CreateTable)
		t, _ := job.Catalog.Table(name)
		for i, c := range t.Columns {
			key, extras, wm := "", "", ""
			if slices.Contains(ct.PrimaryKey, c.Name) {
				key = "PRI(" + strings.Join(ct.PrimaryKey, ", ") + ")"
			}
			switch t.Kinds[i] {
			case sql.ComputedColumn:
				extras = "AS " + exprText(e.src, ct.Columns[i].Expr.Position())
			case sql.MetadataColumn:
				extras = "METADATA FROM '" + t.MetadataKeys[i] + "'"
				if t.Virtual[i] {
					extras += " VIRTUAL"
				}
			}
			if ct.Watermark != nil && ct.Watermark.Column == c.Name {
				wm = exprText(e.src, ct.Watermark.Expr.Position())
			}
			typ := c.Type.Nullable()
			typText := typ.String()
			if typ.Rowtime {
				typText += " *ROWTIME*"
			}
			rows = append(rows, []string{c.Name, typText, nullText(!c.Type.NotNull), key, extras, wm})
		}
	}
	io.WriteString(s.out, renderBox([]string{"name", "type", "null", "key", "extras", "watermark"}, rows))
	fmt.Fprintf(s.out, "%s in set\n", plural(len(rows), "row"))
	return nil
}

func nullText(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// exprText cuts an expression's text out of its statement: from its
// start to the next comma or closing parenthesis at its own depth.
func exprText(src []byte, p sql.Pos) string {
	off := offsetOf(src, p)
	if off < 0 {
		return "?"
	}
	depth := 0
	quote := byte(0)
	for i := off; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '`' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')' && depth == 0, c == ',' && depth == 0:
			return strings.Join(strings.Fields(string(src[off:i])), " ")
		case c == ')':
			depth--
		}
	}
	return strings.Join(strings.Fields(string(src[off:])), " ")
}

func offsetOf(src []byte, p sql.Pos) int {
	line, col := 1, 1
	for i, c := range src {
		if line == p.Line && col == p.Col {
			return i
		}
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return -1
}

func (s *session) names() []string {
	var n []string
	for _, e := range s.catalog {
		n = append(n, e.name)
	}
	return n
}

func suggestionNames(name string, names []string) string {
	if c := connector.Suggest(name, names); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	if len(names) > 0 {
		return " (the session has " + strings.Join(names, ", ") + ")"
	}
	return " (the session has no tables yet: CREATE TABLE ...)"
}

// drop is DROP TABLE | VIEW [IF EXISTS] name. A statement the rest of the
// catalog needs (a view over the table) is refused, naming what needs it.
func (s *session) drop(words []word) error {
	const usage = "DROP TABLE | VIEW [IF EXISTS] name"
	if len(words) < 3 {
		return s.at(words[0], "%s", usage)
	}
	kind := strings.ToUpper(words[1].text)
	if kind == "TEMPORARY" && len(words) > 3 {
		words = append(words[:1], words[2:]...)
		kind = strings.ToUpper(words[1].text)
	}
	if kind != "TABLE" && kind != "VIEW" {
		return s.at(words[1], "DROP %s is not supported: %s", words[1].text, usage)
	}
	i, ifExists := 2, false
	if strings.EqualFold(words[2].text, "IF") && len(words) > 4 && strings.EqualFold(words[3].text, "EXISTS") {
		i, ifExists = 4, true
	}
	if err := s.expectEnd(words, i+1, usage); err != nil {
		return err
	}
	name := words[i].text
	idx, e := s.entry(name)
	if e == nil || e.view != (kind == "VIEW") {
		if ifExists && e == nil {
			s.infof("Execute statement succeeded (%s does not exist).", name)
			return nil
		}
		if e != nil {
			return s.at(words[i], "%s is a %s, not a %s: DROP %s %s", name, kindName(e), strings.ToLower(kind), strings.ToUpper(kindName(e)), name)
		}
		return s.at(words[i], "unknown %s %q%s", strings.ToLower(kind), name, suggestionNames(name, s.names()))
	}
	rest := append(append([]*catalogEntry(nil), s.catalog[:idx]...), s.catalog[idx+1:]...)
	if err := s.checkCatalog(rest, name); err != nil {
		return s.at(words[i], "cannot drop %s %s: %v", kindName(e), name, err)
	}
	s.catalog = rest
	s.infof("Execute statement succeeded.")
	return nil
}

func kindName(e *catalogEntry) string {
	if e.view {
		return "view"
	}
	return "table"
}

// checkCatalog plans a changed catalog; an error names the view that
// no longer plans.
func (s *session) checkCatalog(entries []*catalogEntry, changed string) error {
	saved := s.catalog
	defer func() { s.catalog = saved }()
	for k := range entries {
		s.catalog = entries[:k+1]
		if _, err := s.plan(); err != nil {
			return fmt.Errorf("%s %s uses it (%v); drop or change %s first", kindName(entries[k]), entries[k].name, errText(err), entries[k].name)
		}
	}
	return nil
}

// errText is an error's message without its position.
func errText(err error) string {
	var se *sql.Error
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// alter is ALTER TABLE name RENAME TO new | SET ('k' = 'v', ...) |
// RESET ('k', ...), and ALTER VIEW name RENAME TO new | AS query.
func (s *session) alter(st stmtText, words []word) error {
	const usage = "ALTER TABLE name RENAME TO new | SET ('key' = 'value', ...) | RESET ('key', ...); ALTER VIEW name RENAME TO new | AS query"
	if len(words) < 4 {
		return s.at(words[0], "%s", usage)
	}
	kind := strings.ToUpper(words[1].text)
	if kind != "TABLE" && kind != "VIEW" {
		return s.at(words[1], "ALTER %s is not supported: %s", words[1].text, usage)
	}
	name := words[2].text
	idx, e := s.entry(name)
	if e == nil || e.view != (kind == "VIEW") {
		return s.at(words[2], "unknown %s %q%s", strings.ToLower(kind), name, suggestionNames(name, s.names()))
	}
	changed := *e
	op := strings.ToUpper(words[3].text)
	switch {
	case op == "RENAME" && len(words) >= 6 && strings.EqualFold(words[4].text, "TO"):
		if err := s.expectEnd(words, 6, usage); err != nil {
			return err
		}
		newName := words[5].text
		if _, taken := s.entry(newName); taken != nil {
			return s.at(words[5], "table or view %q already exists", newName)
		}
		changed.name = newName
		switch stmt := e.stmt.(type) {
		case *sql.CreateTable:
			c := *stmt
			c.Name = newName
			changed.stmt = &c
		case *sql.CreateView:
			c := *stmt
			c.Name = newName
			changed.stmt = &c
		}
	case kind == "TABLE" && (op == "SET" || op == "RESET"):
		c := *e.stmt.(*sql.CreateTable)
		c.Options = append([]sql.Option(nil), c.Options...)
		opts, err := s.optionList(words[4:], op == "SET")
		if err != nil {
			return err
		}
		for _, o := range opts {
			found := false
			for k := range c.Options {
				if c.Options[k].Key == o.Key {
					found = true
					if op == "SET" {
						c.Options[k].Value, c.Options[k].ValuePos = o.Value, o.ValuePos
					} else {
						c.Options = append(c.Options[:k], c.Options[k+1:]...)
					}
					break
				}
			}
			switch {
			case !found && op == "SET":
				c.Options = append(c.Options, o)
			case !found:
				return sql.Errorf(o.Pos, "table %s has no option '%s'", name, o.Key)
			}
		}
		changed.stmt = &c
	case kind == "VIEW" && op == "AS":
		// The new definition, parsed as the CREATE VIEW it amounts to
		// (ALTER becomes CREATE: columns after it on that line shift by one).
		text := st.padded()
		at := offsetOf(text, words[0].pos)
		src := append(append(append([]byte(nil), text[:at]...), "CREATE"...), text[at+len(words[0].text):]...)
		script, err := sql.Parse(s.file, src)
		if err != nil {
			return err
		}
		if len(script.Statements) != 1 {
			return s.at(words[3], "ALTER VIEW %s AS takes one query", name)
		}
		cv, ok := script.Statements[0].(*sql.CreateView)
		if !ok {
			return s.at(words[3], "ALTER VIEW %s AS takes a query", name)
		}
		changed.stmt, changed.src = cv, src
	default:
		return s.at(words[3], "unexpected %q: %s", words[3].text, usage)
	}
	entries := append([]*catalogEntry(nil), s.catalog...)
	entries[idx] = &changed
	if err := s.checkCatalog(entries, name); err != nil {
		return s.at(words[2], "cannot alter %s %s: %v", kindName(e), name, err)
	}
	s.catalog = entries
	s.infof("Execute statement succeeded.")
	return nil
}

// optionList reads ('k' = 'v', ...) (withValues) or ('k', ...).
func (s *session) optionList(words []word, withValues bool) ([]sql.Option, error) {
	form := "('key' = 'value', ...)"
	if !withValues {
		form = "('key', ...)"
	}
	if len(words) < 2 || words[0].text != "(" || words[len(words)-1].text != ")" {
		at := words
		if len(at) == 0 {
			return nil, errors.New("missing " + form)
		}
		return nil, s.at(at[0], "want %s", form)
	}
	var out []sql.Option
	inner := words[1 : len(words)-1]
	for len(inner) > 0 {
		k := inner[0]
		if !k.quoted {
			return nil, s.at(k, "want a quoted option key, got %q (%s)", k.text, form)
		}
		o := sql.Option{Key: k.text, Pos: sql.Pos{File: s.file, Line: k.pos.Line, Col: k.pos.Col}}
		inner = inner[1:]
		if withValues {
			if len(inner) < 2 || inner[0].text != "=" || !inner[1].quoted {
				return nil, s.at(k, "option '%s' needs = 'value'", k.text)
			}
			o.Value, o.ValuePos = inner[1].text, sql.Pos{File: s.file, Line: inner[1].pos.Line, Col: inner[1].pos.Col}
			inner = inner[2:]
		}
		out = append(out, o)
		if len(inner) > 0 {
			if inner[0].text != "," {
				return nil, s.at(inner[0], "want ',' or ')' after option '%s'", k.text)
			}
			inner = inner[1:]
		}
	}
	return out, nil
}

// ---------------------------------------------------------------- jobs

// sessionJob is an INSERT (or statement set) running detached in this
// process.
type sessionJob struct {
	ID, Name  string
	Statement string
	Started   time.Time
	StateDir  string
	rj        *runtime.Job
	cancel    context.CancelFunc
	done      chan struct{}

	mu        sync.Mutex
	state     string // RUNNING, FINISHED, FAILED, CANCELED
	err       error
	stopped   bool
	savepoint string
}

func (j *sessionJob) status() (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state, j.err
}

func newJobID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// submit starts an INSERT or a statement set as a detached job. Session
// jobs always keep a state directory (state.savepoints.dir/<job id>,
// default .streamsql/sql-client/<job id>) with checkpointing on, so that
// STOP JOB ... WITH SAVEPOINT works without more settings; periodic
// checkpoints are taken only when 'execution.checkpointing.interval' is
// set. SET 'execution.savepoint.path' restores a savepoint.
func (s *session) submit(st stmtText, stmt sql.Statement) error {
	job, err := s.plan(stmt)
	if err != nil {
		return err
	}
	if job.Graph == nil {
		return sql.Errorf(stmt.Position(), "nothing to run")
	}
	id := newJobID()
	name := strings.TrimSpace(job.Graph.Settings["pipeline.name"])
	if name == "" {
		name = "insert-into_" + strings.Join(sinkTables(job.Graph), ",")
	}
	base := s.settings[savepointDirKey]
	if base == "" {
		base = filepath.Join(".streamsql", "sql-client")
	}
	// A detached job's print output and warnings go to the session's
	// error stream, each line marked with the job.
	jobOut := &prefixWriter{w: s.err, prefix: "[job " + id[:8] + "] "}
	opts := runtime.Options{Stdout: jobOut, Stderr: jobOut, JobName: name,
		StateDir: filepath.Join(base, id), CheckpointEveryRecords: math.MaxInt64}
	if p := s.settings[savepointPathKey]; p != "" {
		opts.FromCheckpoint = p
		opts.StateDir = filepath.Dir(filepath.Dir(p))
	}
	if err := checkRelativePaths(job.Graph); err != nil {
		return err
	}
	if from, to := rereads(job.Graph); from != nil && opts.FromCheckpoint == "" {
		fmt.Fprintf(s.out, "[WARNING] %s is read from 'earliest-offset' and this job starts without a savepoint: "+
			"results an earlier job wrote to %s are written again. To continue a stopped job instead, "+
			"SET '%s' = '<the path STOP JOB ... WITH SAVEPOINT printed>'; before the INSERT.\n",
			strings.Join(from, ", "), strings.Join(to, ", "), savepointPathKey)
	}
	rj, err := runtime.Build(job.Graph, opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(s.ctx))
	sj := &sessionJob{ID: id, Name: name, Statement: st.Text, Started: time.Now(), StateDir: opts.StateDir,
		rj: rj, cancel: cancel, done: make(chan struct{}), state: "RUNNING"}
	s.jobs = append(s.jobs, sj)
	go func() {
		err := rj.Run(ctx)
		sj.mu.Lock()
		switch {
		case err != nil:
			sj.state, sj.err = "FAILED", err
			fmt.Fprintf(s.err, "\n[ERROR] job %s (%s) failed: %v\n", id, name, err)
		case sj.stopped:
			sj.state = "CANCELED"
			if last := rj.Progress().LastCheckpoint; last != nil {
				sj.savepoint = filepath.Join(opts.StateDir, "checkpoints", state.ManifestName(last.ID))
			}
		default:
			sj.state = "FINISHED"
		}
		sj.mu.Unlock()
		close(sj.done)
	}()
	s.infof("Submitting SQL update statement to the cluster...")
	s.infof("SQL update statement has been successfully submitted to the cluster:")
	fmt.Fprintf(s.out, "Job ID: %s\n", id)
	return nil
}

func sinkTables(g *planner.Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		if sk, ok := n.Op.(*planner.SinkOp); ok {
			out = append(out, sk.Table.Name)
		}
	}
	return out
}

func (s *session) showJobs() {
	var rows [][]string
	for _, j := range s.jobs {
		state, _ := j.status()
		sum := j.rj.Summary()
		rows = append(rows, []string{j.ID, j.Name, state, j.Started.Format("2006-01-02T15:04:05.000"),
			fmt.Sprintf("%d read, %d written", sum.RecordsRead, sum.RowsWritten)})
	}
	io.WriteString(s.out, renderBox([]string{"job id", "job name", "status", "start time", "progress"}, rows))
	fmt.Fprintf(s.out, "%s in set\n", plural(len(rows), "row"))
}

// stopJob is STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]: it cancels the
// job, which takes a final checkpoint (a savepoint) and stops; with WITH
// SAVEPOINT the savepoint's path is printed, to be given to SET
// 'execution.savepoint.path' before the INSERT that resumes it.
func (s *session) stopJob(words []word) error {
	const usage = "STOP JOB 'job id' [WITH SAVEPOINT]"
	if len(words) < 3 || !strings.EqualFold(words[1].text, "JOB") || !words[2].quoted {
		at := words[0]
		if len(words) > 1 {
			at = words[len(words)-1]
		}
		return s.at(at, "%s (SHOW JOBS lists the ids)", usage)
	}
	withSavepoint := false
	for k := 3; k < len(words); k += 2 {
		if k+1 >= len(words) || !strings.EqualFold(words[k].text, "WITH") {
			return s.at(words[k], "unexpected %q: %s", words[k].text, usage)
		}
		switch strings.ToUpper(words[k+1].text) {
		case "SAVEPOINT":
			withSavepoint = true
		case "DRAIN":
		default:
			return s.at(words[k+1], "unexpected %q: %s", words[k+1].text, usage)
		}
	}
	id := words[2].text
	var match []*sessionJob
	for _, j := range s.jobs {
		if j.ID == id || len(id) >= 4 && strings.HasPrefix(j.ID, id) {
			match = append(match, j)
		}
	}
	switch {
	case len(match) == 0:
		return s.at(words[2], "no job %q in this session (SHOW JOBS lists them)", id)
	case len(match) > 1:
		return s.at(words[2], "%q is the start of %d job ids: give more of it", id, len(match))
	}
	j := match[0]
	if state, _ := j.status(); state != "RUNNING" {
		return s.at(words[2], "job %s is not running (%s)", j.ID, state)
	}
	j.mu.Lock()
	j.stopped = true
	j.mu.Unlock()
	j.cancel()
	<-j.done
	state, err := j.status()
	if err != nil {
		return fmt.Errorf("job %s: %w", j.ID, err)
	}
	if withSavepoint {
		if j.savepoint == "" {
			return fmt.Errorf("job %s stopped (%s) but took no savepoint", j.ID, state)
		}
		fmt.Fprintf(s.out, "Savepoint path: %s\n", j.savepoint)
		fmt.Fprintf(s.out, "(resume it with SET '%s' = '%s'; then the same INSERT)\n", savepointPathKey, j.savepoint)
		return nil
	}
	s.infof("Job %s has been stopped.", j.ID)
	return nil
}

// stopAll stops every running job (the session ends), each with a
// savepoint, and says where they are.
func (s *session) stopAll() {
	for _, j := range s.jobs {
		if state, _ := j.status(); state != "RUNNING" {
			continue
		}
		j.mu.Lock()
		j.stopped = true
		j.mu.Unlock()
		j.cancel()
		<-j.done
		if j.savepoint != "" {
			fmt.Fprintf(s.err, "[INFO] job %s (%s) stopped with savepoint %s\n", j.ID, j.Name, j.savepoint)
		}
	}
}

// waitJobs waits for the session's jobs to end by themselves, or for ctx.
func (s *session) waitJobs(ctx context.Context) {
	for _, j := range s.jobs {
		select {
		case <-j.done:
		case <-ctx.Done():
			return
		}
	}
}

// prefixWriter prefixes every line a job writes to standard error.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := strings.TrimSuffix(string(b), "\n")
	_, err := io.WriteString(p.w, p.prefix+strings.ReplaceAll(text, "\n", "\n"+p.prefix)+"\n")
	return len(b), err
}
