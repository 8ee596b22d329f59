package store

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned (wrapped) when a dataset is not in the catalogue. Any other error of a store means
// the store is broken, not that the dataset is missing.
var ErrNotFound = errors.New("dataset not found")

// ErrBadQuery wraps errors in a Query that the user must correct (unknown field, value of the wrong type).
var ErrBadQuery = errors.New("bad query")

// ErrVersionChanged is returned (wrapped) when a store holds another version of a dataset than the one asked
// for: an import committed in between. Read the dataset again and retry.
var ErrVersionChanged = errors.New("dataset changed since it was read")

// NotFound is the error of a store that has no dataset id.
func NotFound(id string) error { return fmt.Errorf("%q: %w", id, ErrNotFound) }
