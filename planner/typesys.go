package planner

import (
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/sql/types"
)

// Flink's type rules live in planner/functions (typesys.go), where the
// function specs use them too; these are the planner's short names.

func arithType(op string, a, b types.Type) (types.Type, bool) { return functions.ArithType(op, a, b) }
func comparable(a, b types.Type) bool                         { return functions.Comparable(a, b) }
func commonType(ts ...types.Type) (types.Type, bool)          { return functions.CommonType(ts...) }
func implicitCast(from, to types.Type) bool                   { return functions.ImplicitCast(from, to) }
func sameStorage(a, b types.Type) bool                        { return functions.SameStorage(a, b) }
func isStringy(t types.Type) bool                             { return functions.IsStringy(t) }
