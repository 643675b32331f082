package store

import (
	"context"
	"sync"
	"time"

	"github.com/surveybot/surveybot/survey"
)

// MemorySessions keeps sessions in this process: the embedded default, for
// a single instance. A restart loses them; the next input rebuilds each
// session from SQL.
type MemorySessions struct {
	ttl time.Duration
	now func() time.Time

	mu       sync.Mutex
	sessions map[string]memSession
	locks    map[string]*memLock
}

type memSession struct {
	s       survey.Session
	expires time.Time
}

type memLock struct {
	ch      chan struct{} // holds one token while the lock is free
	waiters int
}

// NewMemorySessions returns an empty in-process session store whose
// sessions expire after ttl without use.
func NewMemorySessions(ttl time.Duration) *MemorySessions {
	return &MemorySessions{ttl: ttl, now: time.Now, sessions: map[string]memSession{}, locks: map[string]*memLock{}}
}

// Lock serialises the inputs of one response. It waits until the lock is
// free or ctx ends, and returns the function that releases it.
func (m *MemorySessions) Lock(ctx context.Context, id string) (func(), error) {
	m.mu.Lock()
	l, ok := m.locks[id]
	if !ok {
		l = &memLock{ch: make(chan struct{}, 1)}
		l.ch <- struct{}{}
		m.locks[id] = l
	}
	l.waiters++
	m.mu.Unlock()

	release := func() {
		m.mu.Lock()
		l.waiters--
		if l.waiters == 0 {
			delete(m.locks, id)
		}
		m.mu.Unlock()
	}
	select {
	case <-l.ch:
		return func() { l.ch <- struct{}{}; release() }, nil
	case <-ctx.Done():
		release()
		return nil, survey.ErrBusy
	}
}

// Load returns the session of a response, if there is a live one.
func (m *MemorySessions) Load(ctx context.Context, id string) (survey.Session, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, ok := m.sessions[id]
	if !ok || m.now().After(ms.expires) {
		delete(m.sessions, id)
		return survey.Session{}, false, nil
	}
	return ms.s, true, nil
}

// Save stores a session unless a newer one (higher seq) is already stored.
func (m *MemorySessions) Save(ctx context.Context, id string, s survey.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.sessions[id]; ok && cur.s.Seq > s.Seq && !m.now().After(cur.expires) {
		return nil
	}
	m.sessions[id] = memSession{s: s, expires: m.now().Add(m.ttl)}
	m.sweep()
	return nil
}

// Delete drops a session.
func (m *MemorySessions) Delete(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
	return nil
}

// Ping always succeeds: the sessions are in this process.
func (m *MemorySessions) Ping(ctx context.Context) error { return nil }

// sweep drops a few expired sessions, so the map does not grow forever.
func (m *MemorySessions) sweep() {
	now, n := m.now(), 0
	for id, ms := range m.sessions {
		if now.After(ms.expires) {
			delete(m.sessions, id)
		}
		if n++; n >= 8 {
			return
		}
	}
}
