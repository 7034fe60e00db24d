package sql

import (
	"strconv"

	"github.com/streamsql/streamsql/sql/types"
)

func (p *tparser) create() (Statement, *Error) {
	first := p.i
	t := p.next() // CREATE
	temporary := p.acceptKw("TEMPORARY")
	switch {
	case p.acceptKw("TABLE"):
		return p.createTable(t, temporary)
	case p.acceptKw("VIEW"):
		return p.createView(t, temporary)
	}
	what := p.peek()
	if what.kind == tIdent {
		return nil, &Error{Pos: p.s.tokPos(t), Msg: statementName(p.toks[first:]) + " is not supported", Near: what.text}
	}
	return nil, p.errAt(what, "expected TABLE or VIEW after CREATE")
}

func (p *tparser) ifNotExists() bool {
	if p.peek().is("IF") && p.peekAt(1).is("NOT") && p.peekAt(2).is("EXISTS") {
		p.i += 3
		return true
	}
	return false
}

func (p *tparser) createView(start token, temporary bool) (Statement, *Error) {
	v := &CreateView{Pos: p.s.tokPos(start), Temporary: temporary, IfNotExists: p.ifNotExists()}
	name, _, err := p.qualifiedName("view name")
	if err != nil {
		return nil, err
	}
	v.Name = name
	if p.acceptOp("(") {
		for {
			c, _, err := p.ident("column name")
			if err != nil {
				return nil, err
			}
			v.Columns = append(v.Columns, c)
			if p.acceptOp(",") {
				continue
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			break
		}
	}
	if p.peek().is("COMMENT") {
		p.next()
		if _, _, err := p.stringLit("view comment"); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("AS"); err != nil {
		return nil, err
	}
	if p.peek().kind == tEOF {
		return nil, p.errAt(p.peek(), "expected a query after AS")
	}
	q, err := p.queryRest()
	if err != nil {
		return nil, err
	}
	v.Query = q
	return v, nil
}

func (p *tparser) createTable(start token, temporary bool) (Statement, *Error) {
	ct := &CreateTable{Pos: p.s.tokPos(start), Temporary: temporary, IfNotExists: p.ifNotExists()}
	name, _, err := p.qualifiedName("table name")
	if err != nil {
		return nil, err
	}
	ct.Name = name
	if p.peek().is("WITH") || p.peek().is("AS") || p.peek().is("LIKE") {
		// CREATE TABLE t [WITH (...)] AS SELECT | LIKE src: refused by name
		if p.acceptKw("WITH") {
			if _, err := p.withOptions(); err != nil {
				return nil, err
			}
		}
		if err := p.refuseTableTail(); err != nil {
			return nil, err
		}
	}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for {
		if err := p.tableElement(ct); err != nil {
			return nil, err
		}
		if p.acceptOp(",") {
			continue
		}
		if err := p.expectOp(")"); err != nil {
			return nil, p.errAt(p.peek(), "expected ',' or ')' in the column list")
		}
		break
	}
	if p.acceptKw("COMMENT") {
		if _, _, err := p.stringLit("table comment"); err != nil {
			return nil, err
		}
	}
	if p.peek().is("PARTITIONED") {
		return nil, p.errAt(p.peek(), "PARTITIONED BY is not supported")
	}
	if p.acceptKw("WITH") {
		opts, err := p.withOptions()
		if err != nil {
			return nil, err
		}
		ct.Options = opts
	}
	if err := p.refuseTableTail(); err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected text after CREATE TABLE (missing ';'?)")
	}
	return ct, nil
}

// refuseTableTail refuses CREATE TABLE ... LIKE and CREATE TABLE ... AS
// SELECT by name.
func (p *tparser) refuseTableTail() *Error {
	switch t := p.peek(); {
	case t.is("LIKE"):
		return p.errAt(t, "CREATE TABLE ... LIKE is not supported")
	case t.is("AS"):
		return p.errAt(t, "CREATE TABLE ... AS SELECT is not supported")
	}
	return nil
}

// withOptions parses ('k' = 'v', ...).
func (p *tparser) withOptions() ([]Option, *Error) {
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	var opts []Option
	if p.acceptOp(")") {
		return opts, nil
	}
	for {
		key, kt, err := p.stringLit("option key")
		if err != nil {
			return nil, err
		}
		if !p.acceptOp("=") {
			return nil, p.errAt(p.peek(), "expected '=' after option key '%s'", key)
		}
		vt := p.peek()
		if vt.kind != tString {
			return nil, p.errAt(vt, "missing value for option '%s' (values are quoted strings: '%s' = '...')", key, key)
		}
		p.next()
		opts = append(opts, Option{Pos: p.s.tokPos(kt), Key: key, Value: vt.val, ValuePos: p.s.tokPos(vt)})
		if p.acceptOp(",") {
			continue
		}
		if !p.acceptOp(")") {
			return nil, p.errAt(p.peek(), "expected ',' or ')' after option '%s'", key)
		}
		return opts, nil
	}
}

// exprRange returns the tokens of an expression running to the next
// depth-0 ',' or ')' (or a depth-0 COMMENT 'x'), and moves past them.
func (p *tparser) exprRange(what string) ([]token, token, *Error) {
	start := p.i
	end := skipBalanced(p.toks, start, func(t token) bool { return t.isOp(",") })
	// A computed column may end in COMMENT 'text'.
	for k := start; k+1 < end; k++ {
		if p.toks[k].is("COMMENT") && p.toks[k+1].kind == tString && k+2 == end {
			end = k
			break
		}
	}
	if end == start {
		return nil, p.peek(), p.errAt(p.peek(), "expected %s", what)
	}
	p.i = end
	return p.toks[start:end], p.toks[end], nil
}

func (p *tparser) tableElement(ct *CreateTable) *Error {
	t := p.peek()
	switch {
	case t.is("WATERMARK") && p.peekAt(1).is("FOR"):
		p.i += 2
		col, _, err := p.qualifiedName("rowtime column")
		if err != nil {
			return err
		}
		if err := p.expectKw("AS"); err != nil {
			return err
		}
		toks, after, err := p.exprRange("watermark expression")
		if err != nil {
			return err
		}
		e, err := parseExprToks(p.s, toks, after)
		if err != nil {
			return err
		}
		if ct.Watermark != nil {
			return p.errAt(t, "only one WATERMARK is allowed per table")
		}
		ct.Watermark = &WatermarkDef{Pos: p.s.tokPos(t), Column: col, Expr: e}
		return nil
	case t.is("PRIMARY") || t.is("CONSTRAINT"):
		if p.acceptKw("CONSTRAINT") {
			if _, _, err := p.ident("constraint name"); err != nil {
				return err
			}
		}
		if err := p.expectKw("PRIMARY"); err != nil {
			return err
		}
		if err := p.expectKw("KEY"); err != nil {
			return err
		}
		if err := p.expectOp("("); err != nil {
			return err
		}
		var cols []string
		for {
			c, _, err := p.ident("primary key column")
			if err != nil {
				return err
			}
			cols = append(cols, c)
			if p.acceptOp(",") {
				continue
			}
			if err := p.expectOp(")"); err != nil {
				return err
			}
			break
		}
		if err := p.notEnforced(); err != nil {
			return err
		}
		if ct.PrimaryKey != nil {
			return p.errAt(t, "only one PRIMARY KEY is allowed per table")
		}
		ct.PrimaryKey = cols
		return nil
	}
	name, nt, err := p.ident("column name")
	if err != nil {
		return err
	}
	col := ColumnDef{Pos: p.s.tokPos(nt), Name: name}
	if p.acceptKw("AS") {
		toks, after, err := p.exprRange("computed column expression")
		if err != nil {
			return err
		}
		e, err := parseExprToks(p.s, toks, after)
		if err != nil {
			return err
		}
		col.Kind, col.Expr = ComputedColumn, e
		if p.acceptKw("COMMENT") {
			c, _, err := p.stringLit("column comment")
			if err != nil {
				return err
			}
			col.Comment = c
		}
		ct.Columns = append(ct.Columns, col)
		return nil
	}
	typ, err := p.parseType()
	if err != nil {
		return err
	}
	col.Type = typ
	for {
		c := p.peek()
		switch {
		case c.is("METADATA"):
			p.next()
			col.Kind = MetadataColumn
			col.MetadataKey = name
			if p.acceptKw("FROM") {
				k, _, err := p.stringLit("metadata key")
				if err != nil {
					return err
				}
				col.MetadataKey = k
			}
			if p.acceptKw("VIRTUAL") {
				col.Virtual = true
			}
		case c.is("PRIMARY"):
			p.next()
			if err := p.expectKw("KEY"); err != nil {
				return err
			}
			if err := p.notEnforced(); err != nil {
				return err
			}
			if ct.PrimaryKey != nil {
				return p.errAt(c, "only one PRIMARY KEY is allowed per table")
			}
			ct.PrimaryKey = []string{name}
		case c.is("COMMENT"):
			p.next()
			s, _, err := p.stringLit("column comment")
			if err != nil {
				return err
			}
			col.Comment = s
		default:
			if !(c.isOp(",") || c.isOp(")")) {
				return p.errAt(c, "unexpected text after column %s (expected METADATA, PRIMARY KEY, COMMENT, ',' or ')')", name)
			}
			ct.Columns = append(ct.Columns, col)
			return nil
		}
	}
}

func (p *tparser) notEnforced() *Error {
	if p.peek().is("NOT") && p.peekAt(1).is("ENFORCED") {
		p.i += 2
		return nil
	}
	return p.errAt(p.peek(), "PRIMARY KEY must be declared NOT ENFORCED (Flink does not enforce keys)")
}

// ---------------------------------------------------------------- types

// ParseType parses a Flink type such as "DECIMAL(10, 2)", "TIMESTAMP_LTZ(3)"
// or "ROW<a INT, b ARRAY<STRING>> NOT NULL".
func ParseType(file string, src string) (types.Type, error) {
	s := newSource(file, src)
	toks, lerr := lex(s)
	if lerr != nil {
		return types.Type{}, lerr
	}
	t, err := parseTypeToks(s, toks)
	if err != nil {
		return types.Type{}, err
	}
	return t, nil
}

// parseTypeToks parses toks (ending in tEOF) as exactly one type.
func parseTypeToks(s *source, toks []token) (types.Type, *Error) {
	p := &tparser{s: s, toks: toks}
	t, err := p.parseType()
	if err != nil {
		return types.Type{}, err
	}
	if c := p.peek(); c.kind != tEOF {
		return types.Type{}, p.errAt(c, "unexpected text after type %s", t)
	}
	return t, nil
}

// intParam reads (n) or returns def when absent.
func (p *tparser) intParam(def, lo, hi int, what string) (int, *Error) {
	if !p.acceptOp("(") {
		return def, nil
	}
	n, err := p.intLit(lo, hi, what)
	if err != nil {
		return 0, err
	}
	if err := p.expectOp(")"); err != nil {
		return 0, err
	}
	return n, nil
}

func (p *tparser) intLit(lo, hi int, what string) (int, *Error) {
	t := p.peek()
	if t.kind != tNumber {
		return 0, p.errAt(t, "expected %s as a number", what)
	}
	n, err := strconv.Atoi(t.val)
	if err != nil || n < lo || n > hi {
		return 0, p.errAt(t, "%s must be between %d and %d", what, lo, hi)
	}
	p.next()
	return n, nil
}

const maxLength = 2147483647

func (p *tparser) parseType() (types.Type, *Error) {
	t := p.peek()
	if t.kind != tIdent {
		return types.Type{}, p.errAt(t, "expected a type")
	}
	if p.typeDepth >= MaxTypeDepth {
		return types.Type{}, p.errAt(t, "type nested more than %d levels deep", MaxTypeDepth)
	}
	p.typeDepth++
	defer func() { p.typeDepth-- }()
	p.next()
	var typ types.Type
	var err *Error
	switch t.upper() {
	case "STRING":
		typ = types.Type{Kind: types.String}
	case "VARCHAR", "CHAR", "CHARACTER":
		if t.is("CHARACTER") || t.is("CHAR") {
			if p.acceptKw("VARYING") {
				t.val = "VARCHAR"
			}
		}
		typ.Kind = types.String
		typ.Precision, err = p.intParam(1, 1, maxLength, "length")
		if typ.Precision == maxLength && t.is("VARCHAR") {
			typ.Precision = 0 // VARCHAR(2147483647) is STRING
		}
	case "BOOLEAN", "BOOL":
		typ.Kind = types.Boolean
	case "TINYINT":
		typ.Kind = types.TinyInt
	case "SMALLINT":
		typ.Kind = types.SmallInt
	case "INT", "INTEGER":
		typ.Kind = types.Int
	case "BIGINT":
		typ.Kind = types.BigInt
	case "FLOAT", "REAL":
		typ.Kind = types.Float
	case "DOUBLE":
		p.acceptKw("PRECISION")
		typ.Kind = types.Double
	case "DECIMAL", "DEC", "NUMERIC":
		typ = types.DecimalType(10, 0)
		if p.acceptOp("(") {
			if typ.Precision, err = p.intLit(1, types.MaxDecimalPrecision, "DECIMAL precision"); err != nil {
				return typ, err
			}
			typ.Scale = 0
			if p.acceptOp(",") {
				st := p.peek()
				if typ.Scale, err = p.intLit(0, types.MaxDecimalPrecision, "DECIMAL scale"); err != nil {
					return typ, err
				}
				if typ.Scale > typ.Precision {
					return typ, p.errAt(st, "DECIMAL scale %d exceeds precision %d", typ.Scale, typ.Precision)
				}
			}
			err = p.expectOp(")")
		}
	case "DATE":
		typ.Kind = types.Date
	case "TIME":
		typ.Kind = types.Time
		typ.Precision, err = p.intParam(0, 0, 9, "TIME precision")
		if err == nil && p.peek().is("WITHOUT") {
			err = p.timeZoneSuffix(false)
		}
	case "TIMESTAMP":
		typ.Kind = types.Timestamp
		if typ.Precision, err = p.intParam(6, 0, 9, "TIMESTAMP precision"); err != nil {
			return typ, err
		}
		if p.peek().is("WITH") {
			if err = p.timeZoneSuffix(true); err != nil {
				return typ, err
			}
			typ.Kind = types.TimestampLTZ
		} else if p.peek().is("WITHOUT") {
			err = p.timeZoneSuffix(false)
		}
	case "TIMESTAMP_LTZ":
		typ.Kind = types.TimestampLTZ
		typ.Precision, err = p.intParam(6, 0, 9, "TIMESTAMP_LTZ precision")
	case "BYTES":
		typ.Kind = types.Bytes
	case "VARBINARY":
		typ.Kind = types.Bytes
		typ.Precision, err = p.intParam(1, 1, maxLength, "length")
		if typ.Precision == maxLength {
			typ.Precision = 0
		}
	case "BINARY":
		typ.Kind = types.Bytes
		typ.Precision, err = p.intParam(1, 1, maxLength, "length")
	case "ARRAY":
		if err = p.expectOp("<"); err != nil {
			return typ, err
		}
		elem, err := p.parseType()
		if err != nil {
			return typ, err
		}
		typ = types.Type{Kind: types.Array, Elem: &elem}
		err = p.expectOp(">")
		if err != nil {
			return typ, err
		}
	case "MAP":
		if err = p.expectOp("<"); err != nil {
			return typ, err
		}
		key, err := p.parseType()
		if err != nil {
			return typ, err
		}
		if err := p.expectOp(","); err != nil {
			return typ, err
		}
		val, err := p.parseType()
		if err != nil {
			return typ, err
		}
		typ = types.Type{Kind: types.Map, Key: &key, Elem: &val}
		if err := p.expectOp(">"); err != nil {
			return typ, err
		}
	case "ROW":
		closer := ">"
		if p.acceptOp("(") {
			closer = ")"
		} else if err := p.expectOp("<"); err != nil {
			return typ, err
		}
		typ.Kind = types.Row
		if !p.acceptOp(closer) {
			for {
				name, _, err := p.ident("ROW field name")
				if err != nil {
					return typ, err
				}
				ft, err := p.parseType()
				if err != nil {
					return typ, err
				}
				if p.acceptKw("COMMENT") {
					if _, _, err := p.stringLit("field comment"); err != nil {
						return typ, err
					}
				}
				typ.Fields = append(typ.Fields, types.Field{Name: name, Type: ft})
				if p.acceptOp(",") {
					continue
				}
				if err := p.expectOp(closer); err != nil {
					return typ, err
				}
				break
			}
		}
	default:
		return typ, &Error{Pos: p.s.tokPos(t), Msg: "unknown type " + strconv.Quote(t.val), Near: t.text}
	}
	if err != nil {
		return typ, err
	}
	if p.peek().is("NOT") && p.peekAt(1).is("NULL") {
		p.i += 2
		typ.NotNull = true
	} else if p.peek().is("NULL") {
		p.next()
	}
	return typ, nil
}

// timeZoneSuffix parses WITH LOCAL TIME ZONE (local=true) or WITHOUT TIME ZONE.
func (p *tparser) timeZoneSuffix(local bool) *Error {
	if local {
		p.next() // WITH
		if err := p.expectKw("LOCAL"); err != nil {
			return err
		}
	} else {
		p.next() // WITHOUT
	}
	if err := p.expectKw("TIME"); err != nil {
		return err
	}
	return p.expectKw("ZONE")
}
