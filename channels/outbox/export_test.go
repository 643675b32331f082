package outbox

import "time"

// ActiveLanes returns how many keys have a lane, for tests that check that
// an idle queue keeps nothing per key.
func (q *Queue) ActiveLanes() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// Keys returns how many per-key buckets the limiter keeps.
func (m *MemoryLimiter) Keys() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// SetSweepEvery changes how often the limiter looks for idle keys.
func (m *MemoryLimiter) SetSweepEvery(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweepEvery = d
}
