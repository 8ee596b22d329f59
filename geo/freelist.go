package geo

import "sync"

// freeList keeps objects for reuse. Unlike a sync.Pool, a garbage collection does not empty it: a PROJ
// transformation or a prepared territory costs milliseconds to make again. It holds at most as many as were in
// use at once.
type freeList[T any] struct {
	mu    sync.Mutex
	items []T
}

func (l *freeList[T]) get() (T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var zero T
	if len(l.items) == 0 {
		return zero, false
	}
	x := l.items[len(l.items)-1]
	l.items[len(l.items)-1] = zero
	l.items = l.items[:len(l.items)-1]
	return x, true
}

func (l *freeList[T]) put(x T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, x)
}
