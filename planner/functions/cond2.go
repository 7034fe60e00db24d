package functions

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"unicode"

	"github.com/streamsql/streamsql/sql/types"
)

// Conditional functions beyond COALESCE, NULLIF and IF (cond.go), the
// hash functions, and TYPEOF / CURRENT_DATABASE.

func init() {
	Register(&Spec{Name: "IFNULL", Category: "conditional", Syntax: "IFNULL(input, null_replacement)", MinArgs: 2, MaxArgs: 2,
		Doc: "null_replacement when input is NULL, else input; the result has their common type and is nullable only if null_replacement is.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			t, ok := commonOf(a)
			if !ok {
				return types.Type{}, &ArgError{-1, "cannot find a common type for IFNULL(" + typeList(a) + ")"}
			}
			t.NotNull = a[1].T.NotNull
			return t, nil
		},
		Build:    buildCoalesce,
		Examples: []Example{{"IFNULL(ns, 'x')", "x"}, {"IFNULL(s, 'x')", "hello"}, {"IFNULL(CAST(NULL AS INT), 5)", "5"}, {"IFNULL(ns, ns)", "NULL"}, {"IFNULL(i, 'x')", "error: cannot find a common type"}}})
	for _, greatest := range []bool{true, false} {
		name, word := "GREATEST", "greatest"
		if !greatest {
			name, word = "LEAST", "least"
		}
		ex := []Example{{"GREATEST(1, 5, 3)", "5"}, {"GREATEST('a', 'c', 'b')", "c"}, {"GREATEST(1, 2.5)", "2.5"}, {"GREATEST(1, CAST(NULL AS INT))", "NULL"},
			{"GREATEST(TIMESTAMP '2020-01-01 00:00:00', ts)", "2023-11-14 22:13:20.123"}, {"GREATEST(1, 'a')", "error: cannot find a common type"}}
		if !greatest {
			ex = []Example{{"LEAST(1, 5, 3)", "1"}, {"LEAST('a', 'c', 'b')", "a"}, {"LEAST(n, i)", "-3"}, {"LEAST(1, CAST(NULL AS INT))", "NULL"}}
		}
		Register(&Spec{Name: name, Category: "conditional", Syntax: name + "(value1[, value2]*)", MinArgs: 1, MaxArgs: -1,
			Doc: "The " + word + " of the arguments (in their common type); NULL if any argument is NULL.",
			Infer: func(a []Operand) (types.Type, *ArgError) {
				t, ok := commonOf(a)
				if !ok {
					return types.Type{}, &ArgError{-1, "cannot find a common type for " + name + "(" + typeList(a) + ")"}
				}
				switch t.Kind {
				case types.Array, types.Map, types.Row, types.Boolean:
					return types.Type{}, &ArgError{-1, name + " cannot order values of type " + t.String()}
				}
				return t, nil
			},
			Build: buildGreatest(greatest), Examples: ex})
	}
	isStr := func(name, doc string, ok func(string) bool, ex ...Example) {
		Register(&Spec{Name: name, Category: "conditional", Syntax: name + "(string)", Doc: doc, MinArgs: 1, MaxArgs: 1,
			Infer: func(a []Operand) (types.Type, *ArgError) {
				if e := wantString(a, 0); e != nil {
					return types.Type{}, e
				}
				return types.Type{Kind: types.Boolean, NotNull: true}, nil
			},
			Build: func(env *Env, call *Call, args []Arg) (Eval, error) {
				fs, err := env.Strings(args)
				if err != nil {
					return nil, err
				}
				f := fs[0]
				return func(ctx *Ctx, row []types.Value) types.Value {
					v := f(ctx, row)
					return BoolV(v.K != types.Null && v.S != "" && ok(v.S))
				}, nil
			}, Examples: ex})
	}
	all := func(pred func(rune) bool) func(string) bool {
		return func(s string) bool {
			for _, r := range s {
				if !pred(r) {
					return false
				}
			}
			return true
		}
	}
	isStr("IS_ALPHA", "TRUE if string is not empty and all its characters are letters; FALSE otherwise (also for NULL).", all(unicode.IsLetter),
		Example{"IS_ALPHA('abcÉ')", "TRUE"}, Example{"IS_ALPHA('ab1')", "FALSE"}, Example{"IS_ALPHA('')", "FALSE"}, Example{"IS_ALPHA(ns)", "FALSE"})
	isStr("IS_DIGIT", "TRUE if string is not empty and all its characters are digits; FALSE otherwise (also for NULL).", all(unicode.IsDigit),
		Example{"IS_DIGIT('0123')", "TRUE"}, Example{"IS_DIGIT('-1')", "FALSE"}, Example{"IS_DIGIT('1.5')", "FALSE"}, Example{"IS_DIGIT('')", "FALSE"}, Example{"IS_DIGIT(ns)", "FALSE"})
	isStr("IS_DECIMAL", "TRUE if string is a number (sign, digits, fraction, exponent); FALSE otherwise (also for NULL).", isDecimal,
		Example{"IS_DECIMAL('-1.5e3')", "TRUE"}, Example{"IS_DECIMAL('42')", "TRUE"}, Example{"IS_DECIMAL('.5')", "TRUE"}, Example{"IS_DECIMAL('1.2.3')", "FALSE"},
		Example{"IS_DECIMAL('abc')", "FALSE"}, Example{"IS_DECIMAL('')", "FALSE"}, Example{"IS_DECIMAL(ns)", "FALSE"})

	hashFn := func(name string, bits int, h func() hash.Hash, abc string) {
		Register(&Spec{Name: name, Category: "hash", Syntax: name + "(string)", MinArgs: 1, MaxArgs: 1,
			Doc:   fmt.Sprintf("The %s hash of the string's UTF-8 bytes as %d lower-case hexadecimal digits.", name, bits/4),
			Infer: StringFunc, Build: stringFn(func(s string) string { return hexHash(h, s) }),
			Examples: []Example{{name + "('abc')", abc}, {name + "(ns)", "NULL"}}})
	}
	hashFn("MD5", 128, md5.New, "900150983cd24fb0d6963f7d28e17f72")
	hashFn("SHA1", 160, sha1.New, "a9993e364706816aba3e25717850c26c9cd0d89d")
	hashFn("SHA224", 224, sha256.New224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")
	hashFn("SHA256", 256, sha256.New, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
	hashFn("SHA384", 384, sha512.New384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
	hashFn("SHA512", 512, sha512.New, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
	Register(&Spec{Name: "SHA2", Category: "hash", Syntax: "SHA2(string, bit_length)", MinArgs: 2, MaxArgs: 2,
		Doc:   "The SHA-2 hash (bit_length 224, 256, 384 or 512) of the string's UTF-8 bytes in lower-case hexadecimal.",
		Infer: sig(types.TString, wantString, wantInteger),
		Build: strict(func(ctx *Ctx, v [4]types.Value) types.Value {
			var h func() hash.Hash
			switch v[1].I {
			case 224:
				h = sha256.New224
			case 256:
				h = sha256.New
			case 384:
				h = sha512.New384
			case 512:
				h = sha512.New
			default:
				return Fail(ctx, fmt.Errorf("SHA2: the bit length must be 224, 256, 384 or 512, not %d", v[1].I))
			}
			return types.StringValue(hexHash(h, v[0].S))
		}, "si"),
		Examples: []Example{{"SHA2('abc', 256)", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
			{"SHA2('', 224)", "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"}, {"SHA2(ns, 256)", "NULL"}, {"SHA2('abc', 100)", "error: the bit length must be"}}})

	Register(&Spec{Name: "TYPEOF", Category: "conversion", Syntax: "TYPEOF(input[, force_serializable])", MinArgs: 1, MaxArgs: 2,
		Doc:   "The name of the input's data type.",
		Infer: func([]Operand) (types.Type, *ArgError) { return types.Type{Kind: types.String, NotNull: true}, nil },
		Build: func(env *Env, call *Call, args []Arg) (Eval, error) {
			v := types.StringValue(args[0].T.WithoutRowtime().String())
			return func(*Ctx, []types.Value) types.Value { return v }, nil
		},
		Examples: []Example{{"TYPEOF(i)", "INT"}, {"TYPEOF(d)", "DOUBLE"}, {"TYPEOF(CAST(1 AS BIGINT))", "BIGINT NOT NULL"}}})
	Register(&Spec{Name: "CURRENT_DATABASE", Category: "catalog", Syntax: "CURRENT_DATABASE()", MinArgs: 0, MaxArgs: 0,
		Doc:   "The current database: always default_database (streamsql has one catalog and database).",
		Infer: func([]Operand) (types.Type, *ArgError) { return types.Type{Kind: types.String, NotNull: true}, nil },
		Build: func(*Env, *Call, []Arg) (Eval, error) {
			v := types.StringValue("default_database")
			return func(*Ctx, []types.Value) types.Value { return v }, nil
		},
		Examples: []Example{{"CURRENT_DATABASE()", "default_database"}}})
}

func hexHash(h func() hash.Hash, s string) string {
	x := h()
	x.Write([]byte(s))
	return hex.EncodeToString(x.Sum(nil))
}

// isDecimal reports whether s is a number as Java's BigDecimal parses it.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func buildGreatest(greatest bool) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		if call.T.Kind == types.Null {
			return func(*Ctx, []types.Value) types.Value { return nullV }, nil
		}
		fs := make([]Eval, len(args))
		for i, a := range args {
			f, err := env.Coerce(a, call.T)
			if err != nil {
				return nil, err
			}
			fs[i] = f
		}
		cmp, err := env.Compare(call.T, call.T)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row []types.Value) types.Value {
			var best types.Value
			for i, f := range fs {
				v := f(ctx, row)
				if v.K == types.Null {
					return nullV
				}
				if i == 0 {
					best = v
				} else if c := cmp(ctx, v, best); (greatest && c > 0) || (!greatest && c < 0) {
					best = v
				}
			}
			return best
		}, nil
	}
}
