// Package state will keep operator state in Badger: keyed tables per
// operator, checkpoints and restore (issue "Window state in Badger,
// checkpoints, restore after a crash"). Until then window state lives in
// memory in runtime/ops and is lost when the process stops; nothing in
// the engine imports this package yet.
package state
