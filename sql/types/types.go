// Package types defines streamsql's SQL data types and the Value that
// carries one datum through the engine. It is a leaf package: the parser,
// planner and runtime all speak in these terms, and it imports none of them.
package types

import (
	"fmt"
	"strings"
)

// Kind is the logical type family, named as Flink names it.
type Kind uint8

const (
	Null Kind = iota // the type of an untyped NULL literal; as a Value kind, SQL NULL
	Boolean
	TinyInt
	SmallInt
	Int
	BigInt
	Float
	Double
	Decimal
	String // CHAR, VARCHAR, STRING
	Bytes  // BINARY, VARBINARY, BYTES
	Date
	Time
	Timestamp    // TIMESTAMP(p): wall-clock, held as epoch millis of that wall clock in UTC
	TimestampLTZ // TIMESTAMP_LTZ(p): an instant, held as epoch millis
	IntervalDayTime
	IntervalYearMonth
	Array
	Map
	Row
)

var kindNames = [...]string{
	Null: "NULL", Boolean: "BOOLEAN", TinyInt: "TINYINT", SmallInt: "SMALLINT", Int: "INT",
	BigInt: "BIGINT", Float: "FLOAT", Double: "DOUBLE", Decimal: "DECIMAL", String: "STRING",
	Bytes: "BYTES", Date: "DATE", Time: "TIME", Timestamp: "TIMESTAMP", TimestampLTZ: "TIMESTAMP_LTZ",
	IntervalDayTime: "INTERVAL SECOND", IntervalYearMonth: "INTERVAL MONTH", Array: "ARRAY", Map: "MAP", Row: "ROW",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// IsInteger reports TINYINT, SMALLINT, INT and BIGINT.
func (k Kind) IsInteger() bool { return k >= TinyInt && k <= BigInt }

// IsNumeric reports the integer kinds, FLOAT, DOUBLE and DECIMAL.
func (k Kind) IsNumeric() bool { return k >= TinyInt && k <= Decimal }

// IsTimestamp reports TIMESTAMP and TIMESTAMP_LTZ.
func (k Kind) IsTimestamp() bool { return k == Timestamp || k == TimestampLTZ }

// MaxDecimalPrecision is Flink's limit for DECIMAL(p, s).
const MaxDecimalPrecision = 38

// Type is a full SQL type: kind plus parameters.
type Type struct {
	Kind      Kind
	Precision int // DECIMAL precision; TIMESTAMP fractional digits; VARCHAR/CHAR length (0 = unbounded STRING)
	Scale     int // DECIMAL scale
	NotNull   bool
	Rowtime   bool    // an event-time attribute (Flink prints *ROWTIME*)
	Elem      *Type   // ARRAY element type; MAP value type
	Key       *Type   // MAP key type
	Fields    []Field // ROW fields
}

// Field is one named field of a ROW type.
type Field struct {
	Name string
	Type Type
}

// Common types.
var (
	TBoolean      = Type{Kind: Boolean}
	TInt          = Type{Kind: Int}
	TBigInt       = Type{Kind: BigInt}
	TDouble       = Type{Kind: Double}
	TString       = Type{Kind: String}
	TTimestamp3   = Type{Kind: Timestamp, Precision: 3}
	TTimestampLTZ = Type{Kind: TimestampLTZ, Precision: 3}
	TNull         = Type{Kind: Null}
)

// DecimalType returns DECIMAL(p, s).
func DecimalType(p, s int) Type { return Type{Kind: Decimal, Precision: p, Scale: s} }

// Nullable returns t without NOT NULL.
func (t Type) Nullable() Type { t.NotNull = false; return t }

// WithoutRowtime returns t as a plain (materialized) timestamp.
func (t Type) WithoutRowtime() Type { t.Rowtime = false; return t }

// String prints the type as Flink prints it in EXPLAIN and errors.
func (t Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t Type) write(b *strings.Builder) {
	switch t.Kind {
	case Decimal:
		fmt.Fprintf(b, "DECIMAL(%d, %d)", t.Precision, t.Scale)
	case String:
		if t.Precision > 0 {
			fmt.Fprintf(b, "VARCHAR(%d)", t.Precision)
		} else {
			b.WriteString("STRING")
		}
	case Timestamp, TimestampLTZ:
		fmt.Fprintf(b, "%s(%d)", t.Kind, t.Precision)
	case Array:
		b.WriteString("ARRAY<")
		t.Elem.write(b)
		b.WriteString(">")
	case Map:
		b.WriteString("MAP<")
		t.Key.write(b)
		b.WriteString(", ")
		t.Elem.write(b)
		b.WriteString(">")
	case Row:
		b.WriteString("ROW<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "`%s` ", f.Name)
			f.Type.write(b)
		}
		b.WriteString(">")
	default:
		b.WriteString(t.Kind.String())
	}
	if t.NotNull {
		b.WriteString(" NOT NULL")
	}
	if t.Rowtime {
		b.WriteString(" *ROWTIME*")
	}
}
