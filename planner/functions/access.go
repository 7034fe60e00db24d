package functions

import (
	"fmt"
	"strconv"

	"github.com/streamsql/streamsql/sql/types"
)

// Value access and the ROW constructor: x[i] and map[key] (the parser's
// ITEM), row.field (FIELD, the field named by a string constant), and
// ROW(...) / (a, b, ...).

func init() {
	Register(&Spec{Name: "ITEM", Category: "collection", Syntax: "array[index] | map[key]", MinArgs: 2, MaxArgs: 2, Internal: true,
		Doc:   "The element at the 1-based index (NULL when the index is out of range) or the value of the key (NULL when absent).",
		Infer: inferItem, Build: buildItem,
		Examples: []Example{{"ARRAY[10, 20, 30][2]", "20"}, {"ARRAY[10, 20][3]", "NULL"}, {"ARRAY[10, 20][0]", "NULL"}, {"ARRAY[10, 20][-1]", "NULL"},
			{"ARRAY['a', 'b'][i - 6]", "a"}, {"ARRAY[1][CAST(NULL AS INT)]", "NULL"}, {"MAP['a', 1, 'b', 2]['b']", "2"}, {"MAP['a', 1]['z']", "NULL"},
			{"MAP[1, 'x'][1]", "x"}, {"ARRAY[ARRAY[1, 2], ARRAY[3]][1][2]", "2"}, {"ARRAY[1]['a']", "error: index"}, {"s[1]", "error: subscript"},
			{"CAST(NULL AS ARRAY<INT>)[1]", "NULL"}}})
	Register(&Spec{Name: "FIELD", Category: "valueaccess", Syntax: "composite.field", MinArgs: 2, MaxArgs: 2, Internal: true,
		Doc:   "The named field of a ROW value (NULL when the row is NULL).",
		Infer: inferField, Build: buildField,
		Examples: []Example{{"ROW(1, 'a').EXPR$1", "a"}, {"ROW(i, s).EXPR$0", "7"}, {"ROW(ROW(1, 2), 'x').EXPR$0.EXPR$1", "2"},
			{"CAST(NULL AS ROW<a INT>).a", "NULL"}, {"ROW(1).nope", "error: no field"}}})
	Register(&Spec{Name: "ROW", Category: "valueconstruction", Syntax: "ROW(value1 [, value2]*), (value1, value2 [, value]*)", MinArgs: 1, MaxArgs: -1,
		Doc: "A row of the values, its fields named EXPR$0, EXPR$1, ... (the implicit form needs two values or more).",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			fs := make([]types.Field, len(a))
			for i, o := range a {
				fs[i] = types.Field{Name: "EXPR$" + strconv.Itoa(i), Type: o.T.WithoutRowtime()}
			}
			return types.Type{Kind: types.Row, Fields: fs, NotNull: true}, nil
		},
		Build: func(_ *Env, _ *Call, args []Arg) (Eval, error) {
			fs := make([]Eval, len(args))
			for i, a := range args {
				fs[i] = a.F
			}
			return evalAll(fs, types.Row), nil
		},
		Examples: []Example{{"ROW(1, 'a')", "(1, a)"}, {"ROW(ns)", "(NULL)"}, {"ROW(i, s, b)", "(7, hello, TRUE)"}, {"ROW(ROW(1), ARRAY[2])", "((1), [2])"}}})
}

func inferItem(a []Operand) (types.Type, *ArgError) {
	t, k := a[0].T.WithoutRowtime(), a[1].T.WithoutRowtime()
	switch t.Kind {
	case types.Array:
		if !k.Kind.IsInteger() && k.Kind != types.Null {
			return types.Type{}, &ArgError{1, fmt.Sprintf("an array index must be an integer, not %s", k)}
		}
		return t.Elem.Nullable(), nil
	case types.Map:
		if k.Kind != types.Null && !Comparable(k, *t.Key) {
			return types.Type{}, &ArgError{1, fmt.Sprintf("a key of %s cannot be %s", t, k)}
		}
		return t.Elem.Nullable(), nil
	case types.Null:
		return types.Type{Kind: types.Null}, nil
	}
	return types.Type{}, &ArgError{0, fmt.Sprintf("a subscript [...] needs an array or a map, not %s", t)}
}

func buildItem(env *Env, call *Call, args []Arg) (Eval, error) {
	if args[0].T.Kind == types.Map {
		eq, err := env.Equal(*args[0].T.Key, args[1].T)
		if err != nil {
			return nil, err
		}
		return collectionFn(func(ctx *Ctx, v types.Value, k []types.Value) types.Value {
			m, _ := v.X.(*types.MapValue)
			for i, key := range m.Keys {
				if key.K != types.Null && eq(ctx, key, k[0]) {
					return m.Values[i]
				}
			}
			return nullV
		})(env, call, args)
	}
	return collectionFn(func(_ *Ctx, v types.Value, k []types.Value) types.Value {
		es := v.Elems()
		if i := k[0].I; i >= 1 && i <= int64(len(es)) {
			return es[i-1]
		}
		return nullV // out of range, as Flink
	})(env, call, args)
}

// inferField types FIELD(row, 'name').
func inferField(a []Operand) (types.Type, *ArgError) {
	t := a[0].T.WithoutRowtime()
	name := a[1].V.S
	if t.Kind != types.Row {
		return types.Type{}, &ArgError{0, fmt.Sprintf("field access .%s needs a ROW value, not %s", name, t)}
	}
	for _, f := range t.Fields {
		if f.Name == name {
			r := f.Type
			r.NotNull = r.NotNull && t.NotNull
			return r, nil
		}
	}
	return types.Type{}, &ArgError{1, fmt.Sprintf("%s has no field %q", t, name)}
}

func buildField(_ *Env, _ *Call, args []Arg) (Eval, error) {
	name := args[1].V.S
	idx := -1
	for i, f := range args[0].T.Fields {
		if f.Name == name {
			idx = i
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("%s has no field %q", args[0].T, name)
	}
	f := args[0].F
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if es, ok := v.X.([]types.Value); ok && v.K == types.Row && idx < len(es) {
			return es[idx]
		}
		return nullV
	}, nil
}
