package functions

import (
	"fmt"
	"regexp"

	"github.com/streamsql/streamsql/sql/types"
)

// Value construction (ARRAY[...], MAP[...], which the parser turns into
// ARRAY(...) and MAP(...) calls) and the collection functions.

func init() {
	Register(&Spec{Name: "ARRAY", Category: "valueconstruction", Syntax: "ARRAY[value1 [, value2]*]", MinArgs: 1, MaxArgs: -1,
		Doc: "An array of the values, in their common type.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			et, ok := commonOf(a)
			if !ok {
				return types.Type{}, &ArgError{-1, "the elements of ARRAY[" + typeList(a) + "] have no common type"}
			}
			return types.Type{Kind: types.Array, Elem: &et, NotNull: true}, nil
		},
		Build:    buildArray,
		Examples: []Example{{"ARRAY[1, 2, 3]", "[1, 2, 3]"}, {"ARRAY['a', ns]", "[a, NULL]"}, {"ARRAY[1, 2.5]", "[1.0, 2.5]"}, {"ARRAY[1, 'a']", "error: no common type"}}})
	Register(&Spec{Name: "MAP", Category: "valueconstruction", Syntax: "MAP[key1, value1 [, key2, value2]*]", MinArgs: 2, MaxArgs: -1,
		Doc: "A map of the key-value pairs (a repeated key keeps its last value).",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if len(a)%2 != 0 {
				return types.Type{}, &ArgError{-1, "MAP[...] takes key, value pairs"}
			}
			var ks, vs []Operand
			for i := 0; i < len(a); i += 2 {
				ks, vs = append(ks, a[i]), append(vs, a[i+1])
			}
			kt, ok1 := commonOf(ks)
			vt, ok2 := commonOf(vs)
			if !ok1 || !ok2 {
				return types.Type{}, &ArgError{-1, "the keys or the values of MAP[" + typeList(a) + "] have no common type"}
			}
			return types.Type{Kind: types.Map, Key: &kt, Elem: &vt, NotNull: true}, nil
		},
		Build:    buildMap,
		Examples: []Example{{"MAP['a', 1, 'b', 2]", "{a=1, b=2}"}, {"MAP['a', 1, 'a', 2]", "{a=2}"}, {"MAP['a']", "error: takes at least 2 arguments"}, {"MAP['a', 1, 'b']", "error: key, value pairs"}}})
	Register(&Spec{Name: "CARDINALITY", Category: "collection", Syntax: "CARDINALITY(array | map)", MinArgs: 1, MaxArgs: 1,
		Doc:   "The number of elements of an array or entries of a map.",
		Infer: collectionArg(func(t types.Type) types.Type { return types.TInt }, types.Array, types.Map),
		Build: collectionFn(func(_ *Ctx, v types.Value, _ []types.Value) types.Value {
			if m, ok := v.X.(*types.MapValue); ok {
				return types.IntValue(int64(len(m.Keys)))
			}
			return types.IntValue(int64(len(v.Elems())))
		}),
		Examples: []Example{{"CARDINALITY(ARRAY[1, 2, 3])", "3"}, {"CARDINALITY(MAP['a', 1])", "1"}, {"CARDINALITY(CAST(NULL AS ARRAY<INT>))", "NULL"}, {"CARDINALITY(1)", "error: an array or a map"}}})
	Register(&Spec{Name: "ELEMENT", Category: "collection", Syntax: "ELEMENT(array)", MinArgs: 1, MaxArgs: 1,
		Doc:   "The sole element of the array; NULL when it is empty; an error when it has more than one.",
		Infer: collectionArg(func(t types.Type) types.Type { return t.Elem.Nullable() }, types.Array),
		Build: collectionFn(func(ctx *Ctx, v types.Value, _ []types.Value) types.Value {
			switch es := v.Elems(); len(es) {
			case 0:
				return nullV
			case 1:
				return es[0]
			default:
				return Fail(ctx, fmt.Errorf("ELEMENT: the array has %d elements, not one", len(es)))
			}
		}),
		Examples: []Example{{"ELEMENT(ARRAY[7])", "7"}, {"ELEMENT(ARRAY[1, 2])", "error: the array has 2 elements"}}})
	Register(&Spec{Name: "ARRAY_CONTAINS", Category: "collection", Syntax: "ARRAY_CONTAINS(haystack, needle)", MinArgs: 2, MaxArgs: 2,
		Doc:   "Whether the array contains the element (a NULL needle finds a NULL element); NULL when the array is NULL.",
		Infer: needleFn(types.TBoolean, false), Build: buildNeedle("ARRAY_CONTAINS"),
		Examples: []Example{{"ARRAY_CONTAINS(ARRAY[1, 2, 3], 2)", "TRUE"}, {"ARRAY_CONTAINS(ARRAY[1, 2], 5)", "FALSE"},
			{"ARRAY_CONTAINS(ARRAY[1, NULL], CAST(NULL AS INT))", "TRUE"}, {"ARRAY_CONTAINS(CAST(NULL AS ARRAY<INT>), 1)", "NULL"}, {"ARRAY_CONTAINS(ARRAY[1], 'a')", "error: cannot compare"}}})
	Register(&Spec{Name: "ARRAY_POSITION", Category: "collection", Syntax: "ARRAY_POSITION(haystack, needle)", MinArgs: 2, MaxArgs: 2,
		Doc:   "The 1-based position of the first occurrence of the element, 0 if absent; NULL when either argument is NULL.",
		Infer: needleFn(types.TInt, true), Build: buildNeedle("ARRAY_POSITION"),
		Examples: []Example{{"ARRAY_POSITION(ARRAY[5, 6, 6], 6)", "2"}, {"ARRAY_POSITION(ARRAY[5], 1)", "0"}, {"ARRAY_POSITION(ARRAY[5], CAST(NULL AS INT))", "NULL"}}})
	Register(&Spec{Name: "ARRAY_REMOVE", Category: "collection", Syntax: "ARRAY_REMOVE(haystack, needle)", MinArgs: 2, MaxArgs: 2,
		Doc:   "The array without the elements equal to needle (a NULL needle removes NULLs); NULL when the array is NULL.",
		Infer: needleFn(types.Type{}, false), Build: buildNeedle("ARRAY_REMOVE"),
		Examples: []Example{{"ARRAY_REMOVE(ARRAY[1, 2, 1], 1)", "[2]"}, {"ARRAY_REMOVE(ARRAY[1, NULL], CAST(NULL AS INT))", "[1]"}}})
	Register(&Spec{Name: "ARRAY_DISTINCT", Category: "collection", Syntax: "ARRAY_DISTINCT(haystack)", MinArgs: 1, MaxArgs: 1,
		Doc:   "The array without repeated elements, in order of first occurrence.",
		Infer: collectionArg(func(t types.Type) types.Type { return t }, types.Array), Build: buildArrayDistinct,
		Examples: []Example{{"ARRAY_DISTINCT(ARRAY[1, 2, 1, NULL, NULL])", "[1, 2, NULL]"}, {"ARRAY_DISTINCT(CAST(NULL AS ARRAY<INT>))", "NULL"}}})
	Register(&Spec{Name: "ARRAY_REVERSE", Category: "collection", Syntax: "ARRAY_REVERSE(haystack)", MinArgs: 1, MaxArgs: 1,
		Doc:   "The array in reverse order.",
		Infer: collectionArg(func(t types.Type) types.Type { return t }, types.Array),
		Build: collectionFn(func(_ *Ctx, v types.Value, _ []types.Value) types.Value {
			es := v.Elems()
			out := make([]types.Value, len(es))
			for i, e := range es {
				out[len(es)-1-i] = e
			}
			return types.Value{K: types.Array, X: out}
		}),
		Examples: []Example{{"ARRAY_REVERSE(ARRAY[1, 2, 3])", "[3, 2, 1]"}}})
	Register(&Spec{Name: "MAP_KEYS", Category: "collection", Syntax: "MAP_KEYS(map)", MinArgs: 1, MaxArgs: 1,
		Doc:   "The keys of the map as an array.",
		Infer: collectionArg(func(t types.Type) types.Type { return types.Type{Kind: types.Array, Elem: t.Key} }, types.Map),
		Build: collectionFn(func(_ *Ctx, v types.Value, _ []types.Value) types.Value {
			m, _ := v.X.(*types.MapValue)
			return types.Value{K: types.Array, X: append([]types.Value(nil), m.Keys...)}
		}),
		Examples: []Example{{"MAP_KEYS(MAP['a', 1, 'b', 2])", "[a, b]"}}})
	Register(&Spec{Name: "MAP_VALUES", Category: "collection", Syntax: "MAP_VALUES(map)", MinArgs: 1, MaxArgs: 1,
		Doc:   "The values of the map as an array.",
		Infer: collectionArg(func(t types.Type) types.Type { return types.Type{Kind: types.Array, Elem: t.Elem} }, types.Map),
		Build: collectionFn(func(_ *Ctx, v types.Value, _ []types.Value) types.Value {
			m, _ := v.X.(*types.MapValue)
			return types.Value{K: types.Array, X: append([]types.Value(nil), m.Values...)}
		}),
		Examples: []Example{{"MAP_VALUES(MAP['a', 1, 'b', 2])", "[1, 2]"}}})
	Register(&Spec{Name: "MAP_FROM_ARRAYS", Category: "collection", Syntax: "MAP_FROM_ARRAYS(array_of_keys, array_of_values)", MinArgs: 2, MaxArgs: 2,
		Doc: "A map of the keys and values at the same positions; the arrays must have the same length.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			for i := range a {
				if a[i].T.Kind != types.Array {
					return types.Type{}, &ArgError{i, fmt.Sprintf("argument %d must be an array, not %s", i+1, a[i].T.WithoutRowtime())}
				}
			}
			return withNull(types.Type{Kind: types.Map, Key: a[0].T.Elem, Elem: a[1].T.Elem}, a), nil
		},
		Build: collectionFn(func(ctx *Ctx, v types.Value, rest []types.Value) types.Value {
			ks, vs := v.Elems(), rest[0].Elems()
			if len(ks) != len(vs) {
				return Fail(ctx, fmt.Errorf("MAP_FROM_ARRAYS: %d keys but %d values", len(ks), len(vs)))
			}
			return types.Value{K: types.Map, X: &types.MapValue{Keys: append([]types.Value(nil), ks...), Values: append([]types.Value(nil), vs...)}}
		}),
		Examples: []Example{{"MAP_FROM_ARRAYS(ARRAY['a', 'b'], ARRAY[1, 2])", "{a=1, b=2}"}, {"MAP_FROM_ARRAYS(ARRAY['a'], ARRAY[1, 2])", "error: 1 keys but 2 values"}}})
	strMap := types.Type{Kind: types.Map, Key: &types.TString, Elem: &types.TString}
	Register(&Spec{Name: "STR_TO_MAP", Category: "string", Syntax: "STR_TO_MAP(string[, pair_delimiter, key_value_delimiter])", MinArgs: 1, MaxArgs: 3,
		Doc:      "A MAP<STRING, STRING> of string split into pairs at pair_delimiter (default ',') and into key and value at key_value_delimiter (default '='); both are regular expressions.",
		Infer:    func(a []Operand) (types.Type, *ArgError) { _, e := StringFunc(a); return withNull(strMap, a), e },
		Build:    buildStrToMap,
		Examples: []Example{{"STR_TO_MAP('a=1,b=2')", "{a=1, b=2}"}, {"STR_TO_MAP('a:1;b', ';', ':')", "{a=1, b=NULL}"}, {"STR_TO_MAP(ns)", "NULL"}}})
}

// collectionArg types a function of an array or map (the first argument)
// with the result type ret of its type.
func collectionArg(ret func(types.Type) types.Type, kinds ...types.Kind) func([]Operand) (types.Type, *ArgError) {
	return func(a []Operand) (types.Type, *ArgError) {
		t := a[0].T.WithoutRowtime()
		for _, k := range kinds {
			if t.Kind == k {
				r := ret(t)
				r.NotNull = t.NotNull
				if r.Kind == types.Null || t.Kind == types.Array && r.Kind == t.Elem.Kind && r.Elem == nil {
					r.NotNull = false
				}
				return r, nil
			}
		}
		what := "an array"
		if len(kinds) == 2 {
			what = "an array or a map"
		} else if kinds[0] == types.Map {
			what = "a map"
		}
		return types.Type{}, &ArgError{0, fmt.Sprintf("argument 1 must be %s, not %s", what, t)}
	}
}

// collectionFn builds a function of a collection (and further arguments)
// that is NULL when any argument is.
func collectionFn(g func(ctx *Ctx, v types.Value, rest []types.Value) types.Value) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		f := args[0].F
		fs := make([]Eval, len(args)-1)
		for i, a := range args[1:] {
			fs[i] = a.F
		}
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			var rest [2]types.Value
			for i, f := range fs {
				if rest[i] = f(ctx, row); rest[i].K == types.Null {
					return nullV
				}
			}
			return g(ctx, v, rest[:len(fs)])
		}, nil
	}
}

func buildArray(env *Env, call *Call, args []Arg) (Eval, error) {
	fs := make([]Eval, len(args))
	for i, a := range args {
		f, err := env.Coerce(a, *call.T.Elem)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	return evalAll(fs, types.Array), nil
}

// evalAll is a value of kind k (ARRAY or ROW) holding the values of fs.
func evalAll(fs []Eval, k types.Kind) Eval {
	return func(ctx *Ctx, row []types.Value) types.Value {
		out := make([]types.Value, len(fs))
		for i, f := range fs {
			out[i] = f(ctx, row)
		}
		return types.Value{K: k, X: out}
	}
}

func buildMap(env *Env, call *Call, args []Arg) (Eval, error) {
	fs := make([]Eval, len(args))
	for i, a := range args {
		t := *call.T.Key
		if i%2 == 1 {
			t = *call.T.Elem
		}
		f, err := env.Coerce(a, t)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	eq, err := env.Equal(*call.T.Key, *call.T.Key)
	if err != nil {
		return nil, err
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		m := &types.MapValue{}
	next:
		for i := 0; i < len(fs); i += 2 {
			k, v := fs[i](ctx, row), fs[i+1](ctx, row)
			for j, x := range m.Keys {
				if x.K == types.Null && k.K == types.Null || x.K != types.Null && k.K != types.Null && eq(ctx, x, k) {
					m.Values[j] = v
					continue next
				}
			}
			m.Keys, m.Values = append(m.Keys, k), append(m.Values, v)
		}
		return types.Value{K: types.Map, X: m}
	}, nil
}

// needleFn types ARRAY_CONTAINS / ARRAY_POSITION / ARRAY_REMOVE: ret
// (the array's type when ret is the zero type); strict: NULL when the
// needle is NULL too.
func needleFn(ret types.Type, strict bool) func([]Operand) (types.Type, *ArgError) {
	return func(a []Operand) (types.Type, *ArgError) {
		t := a[0].T.WithoutRowtime()
		if t.Kind != types.Array {
			return types.Type{}, &ArgError{0, "argument 1 must be an array, not " + t.String()}
		}
		if !Comparable(*t.Elem, a[1].T) {
			return types.Type{}, &ArgError{1, fmt.Sprintf("cannot compare %s elements with %s", t.Elem, a[1].T.WithoutRowtime())}
		}
		r := ret
		if r.Kind == types.Null {
			r = t
		}
		r.NotNull = t.NotNull && (!strict || a[1].T.NotNull)
		return r, nil
	}
}

func buildNeedle(name string) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		et := *args[0].T.Elem
		eq, err := env.Equal(et, args[1].T)
		if err != nil {
			return nil, err
		}
		fa, fx := args[0].F, args[1].F
		return func(ctx *Ctx, row []types.Value) types.Value {
			a := fa(ctx, row)
			if a.K == types.Null {
				return nullV
			}
			x := fx(ctx, row)
			if x.K == types.Null && name == "ARRAY_POSITION" {
				return nullV
			}
			same := func(e types.Value) bool {
				if e.K == types.Null || x.K == types.Null {
					return e.K == x.K
				}
				return eq(ctx, e, x)
			}
			es := a.Elems()
			switch name {
			case "ARRAY_CONTAINS":
				for _, e := range es {
					if same(e) {
						return BoolV(true)
					}
				}
				return BoolV(false)
			case "ARRAY_POSITION":
				for i, e := range es {
					if same(e) {
						return types.IntValue(int64(i + 1))
					}
				}
				return types.IntValue(0)
			}
			out := make([]types.Value, 0, len(es))
			for _, e := range es {
				if !same(e) {
					out = append(out, e)
				}
			}
			return types.Value{K: types.Array, X: out}
		}, nil
	}
}

func buildArrayDistinct(env *Env, call *Call, args []Arg) (Eval, error) {
	et := *args[0].T.Elem
	eq, err := env.Equal(et, et)
	if err != nil {
		return nil, err
	}
	return collectionFn(func(ctx *Ctx, v types.Value, _ []types.Value) types.Value {
		var out []types.Value
	next:
		for _, e := range v.Elems() {
			for _, o := range out {
				if o.K == types.Null && e.K == types.Null || o.K != types.Null && e.K != types.Null && eq(ctx, o, e) {
					continue next
				}
			}
			out = append(out, e)
		}
		return types.Value{K: types.Array, X: out}
	})(env, call, args)
}

func buildStrToMap(env *Env, call *Call, args []Arg) (Eval, error) {
	fs, err := env.Strings(args)
	if err != nil {
		return nil, err
	}
	delim := func(i int, def string) (func(*Ctx, []types.Value) (*regexp.Regexp, bool), error) {
		if i >= len(args) {
			re := regexp.MustCompile(regexp.QuoteMeta(def))
			return func(*Ctx, []types.Value) (*regexp.Regexp, bool) { return re, true }, nil
		}
		return regexArg(args[i], fs[i])
	}
	pairs, err := delim(1, ",")
	if err != nil {
		return nil, err
	}
	kvs, err := delim(2, "=")
	if err != nil {
		return nil, err
	}
	f := fs[0]
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		pr, ok1 := pairs(ctx, row)
		kr, ok2 := kvs(ctx, row)
		if !ok1 || !ok2 {
			return nullV
		}
		m := &types.MapValue{}
		for _, p := range pr.Split(v.S, -1) {
			kv := kr.Split(p, 2)
			val := nullV
			if len(kv) == 2 {
				val = types.StringValue(kv[1])
			}
			k := types.StringValue(kv[0])
			found := false
			for j, x := range m.Keys {
				if x.S == k.S {
					m.Values[j], found = val, true
				}
			}
			if !found {
				m.Keys, m.Values = append(m.Keys, k), append(m.Values, val)
			}
		}
		return types.Value{K: types.Map, X: m}
	}, nil
}
