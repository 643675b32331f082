package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// sessionStore is what both session stores offer.
type sessionStore interface {
	Lock(ctx context.Context, id string) (func(), error)
	Load(ctx context.Context, id string) (survey.Session, bool, error)
	Save(ctx context.Context, id string, s survey.Session) error
	Delete(ctx context.Context, id string) error
	Ping(ctx context.Context) error
}

var (
	_ sessionStore = (*store.MemorySessions)(nil)
	_ sessionStore = (*store.RedisSessions)(nil)
)

// sessionStores lists the implementations every contract test runs against.
var sessionStores = []struct {
	name string
	open func(t *testing.T) sessionStore
}{
	{"memory", func(t *testing.T) sessionStore { return store.NewMemorySessions(time.Hour) }},
	{"redis", func(t *testing.T) sessionStore {
		rdb, prefix := storetest.Redis(t)
		return store.NewRedisSessions(rdb, store.RedisOptions{Prefix: prefix, TTL: time.Hour, LockTTL: 10 * time.Second, LockWait: 10 * time.Second})
	}},
}

func forEachSessionStore(t *testing.T, fn func(t *testing.T, ss sessionStore)) {
	t.Helper()
	for _, s := range sessionStores {
		t.Run(s.name, func(t *testing.T) { fn(t, s.open(t)) })
	}
}

// redisSessions returns a Redis session store on this test's own prefix,
// with the client and prefix for a look underneath.
func redisSessions(t *testing.T, o store.RedisOptions) (*store.RedisSessions, *redis.Client, string) {
	t.Helper()
	rdb, prefix := storetest.Redis(t)
	o.Prefix = prefix
	return store.NewRedisSessions(rdb, o), rdb, prefix
}

// sampleState is a dialog in the middle of a multiple choice question.
func sampleState(t *testing.T, lang dialogs.Lang, sector string) dialogs.State {
	t.Helper()
	return dialogs.State{
		Questionnaire: coreRef(t),
		Lang:          lang,
		Phase:         dialogs.PhaseAsking,
		Current:       "cons_used",
		Draft:         []string{"chamber", "edih"},
		Answers: map[string]dialogs.Answer{
			"chamber":  {Value: "ihk_bs", Fixed: true},
			"org_type": {Value: "business"},
			"sector":   {Value: sector},
			"size":     {NA: true},
			"postcode": {Skipped: true},
		},
	}
}

func mustLoad(t *testing.T, ss sessionStore, id string) (survey.Session, bool) {
	t.Helper()
	s, ok, err := ss.Load(testCtx(t), id)
	if err != nil {
		t.Fatalf("Load(%s): %v", id, err)
	}
	return s, ok
}

func mustSave(t *testing.T, ss sessionStore, id string, s survey.Session) {
	t.Helper()
	if err := ss.Save(testCtx(t), id, s); err != nil {
		t.Fatalf("Save(%s, seq %d): %v", id, s.Seq, err)
	}
}

func TestSessionsSaveLoadDelete(t *testing.T) {
	forEachSessionStore(t, func(t *testing.T, ss sessionStore) {
		ctx := testCtx(t)
		if err := ss.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if s, ok := mustLoad(t, ss, "unknown"); ok {
			t.Fatalf("Load of an unknown id found %+v", s)
		}

		first := survey.Session{State: sampleState(t, dialogs.German, "handwerk"), Seq: 5}
		older := survey.Session{State: sampleState(t, dialogs.English, "industrie"), Seq: 4}
		newer := survey.Session{State: sampleState(t, dialogs.English, "handel"), Seq: 6}
		newer.State.Phase, newer.State.Prev = dialogs.PhasePaused, dialogs.PhaseAsking
		other := survey.Session{State: sampleState(t, dialogs.German, "other"), Seq: 1}

		steps := []struct {
			name   string
			save   *survey.Session // nil: delete instead
			id     string
			want   survey.Session
			wantOK bool
		}{
			{name: "saved session round-trips", save: &first, id: "r1", want: first, wantOK: true},
			{name: "lower seq is ignored", save: &older, id: "r1", want: first, wantOK: true},
			{name: "higher seq replaces", save: &newer, id: "r1", want: newer, wantOK: true},
			{name: "older again is still ignored", save: &first, id: "r1", want: newer, wantOK: true},
			{name: "another response is separate", save: &other, id: "r2", want: other, wantOK: true},
			{name: "delete removes", id: "r1"},
			{name: "after delete any seq may be saved", save: &older, id: "r1", want: older, wantOK: true},
			{name: "delete again", id: "r1"},
			{name: "delete of an unknown id is harmless", id: "never-saved"},
		}
		for _, st := range steps {
			if st.save != nil {
				mustSave(t, ss, st.id, *st.save)
			} else if err := ss.Delete(ctx, st.id); err != nil {
				t.Fatalf("%s: Delete: %v", st.name, err)
			}
			got, ok := mustLoad(t, ss, st.id)
			if ok != st.wantOK {
				t.Fatalf("%s: Load found = %v, want %v", st.name, ok, st.wantOK)
			}
			if ok && (got.Seq != st.want.Seq || !got.State.Equal(st.want.State)) {
				t.Errorf("%s: Load = seq %d %+v, want seq %d %+v", st.name, got.Seq, got.State, st.want.Seq, st.want.State)
			}
		}
		// r2 was never deleted.
		if got, ok := mustLoad(t, ss, "r2"); !ok || !got.State.Equal(other.State) {
			t.Errorf("other response's session = %+v, %v; want it untouched", got, ok)
		}
	})
}

func TestSessionsLockSerialises(t *testing.T) {
	forEachSessionStore(t, func(t *testing.T, ss sessionStore) {
		ctx := testCtx(t)
		const n = 50
		// The counter is read, then written after a pause: without mutual
		// exclusion updates get lost. It is atomic only so that -race stays
		// quiet for the Redis store, whose ordering the race detector
		// cannot see.
		var counter atomic.Int64
		var inside atomic.Bool
		var overlaps atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				unlock, err := ss.Lock(ctx, "busy-response")
				if err != nil {
					errs <- err
					return
				}
				defer unlock()
				if !inside.CompareAndSwap(false, true) {
					overlaps.Add(1)
				}
				v := counter.Load()
				time.Sleep(time.Millisecond)
				counter.Store(v + 1)
				inside.Store(false)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Lock: %v", err)
		}
		if got := counter.Load(); got != n {
			t.Errorf("counter = %d after %d locked increments: the lock let them overlap", got, n)
		}
		if o := overlaps.Load(); o > 0 {
			t.Errorf("%d goroutines were inside the lock at once", o)
		}
	})
}

func TestSessionsLockBusy(t *testing.T) {
	forEachSessionStore(t, func(t *testing.T, ss sessionStore) {
		unlock, err := ss.Lock(testCtx(t), "held")
		if err != nil {
			t.Fatalf("Lock: %v", err)
		}
		cancelled, cancel := context.WithCancel(context.Background())
		cancel()
		tests := []struct {
			name string
			ctx  func() (context.Context, context.CancelFunc)
		}{
			{"cancelled context", func() (context.Context, context.CancelFunc) { return cancelled, func() {} }},
			{"context expiring while waiting", func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
		}
		for _, tt := range tests {
			ctx, cancel := tt.ctx()
			start := time.Now()
			u, err := ss.Lock(ctx, "held")
			cancel()
			if err == nil {
				u()
				t.Fatalf("%s: Lock of a held lock succeeded", tt.name)
			}
			if !errors.Is(err, survey.ErrBusy) {
				t.Errorf("%s: Lock error = %v, want ErrBusy", tt.name, err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%s: Lock took %v to give up", tt.name, d)
			}
		}

		// Other responses are not held up.
		other, err := ss.Lock(testCtx(t), "not-held")
		if err != nil {
			t.Fatalf("Lock of another id while one is held: %v", err)
		}
		other()

		// Once released, the lock can be taken again.
		unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		again, err := ss.Lock(ctx, "held")
		if err != nil {
			t.Fatalf("Lock after unlock: %v", err)
		}
		again()
	})
}

func TestMemorySessionsExpire(t *testing.T) {
	const ttl = 100 * time.Millisecond
	ss := store.NewMemorySessions(ttl)
	s := survey.Session{State: sampleState(t, dialogs.German, "handwerk"), Seq: 3}
	saved := time.Now()
	mustSave(t, ss, "r", s)
	if _, ok := mustLoad(t, ss, "r"); !ok && time.Since(saved) < ttl {
		t.Fatal("fresh session not found")
	}
	mustSave(t, ss, "r2", s)
	time.Sleep(2 * ttl)
	if got, ok := mustLoad(t, ss, "r"); ok {
		t.Errorf("session past its TTL was returned: %+v", got)
	}
	// An expired session, even one not loaded since, does not stand in the
	// way of a session rebuilt with a lower seq.
	s.Seq = 1
	mustSave(t, ss, "r2", s)
	if got, ok := mustLoad(t, ss, "r2"); !ok || got.Seq != 1 {
		t.Errorf("after expiry Save(seq 1) then Load = seq %d, %v; want seq 1", got.Seq, ok)
	}
}

func TestRedisSessionsExpire(t *testing.T) {
	const ttl = 200 * time.Millisecond
	ss, _, _ := redisSessions(t, store.RedisOptions{TTL: ttl})
	saved := time.Now()
	mustSave(t, ss, "r", survey.Session{State: sampleState(t, dialogs.German, "handwerk"), Seq: 3})
	if _, ok := mustLoad(t, ss, "r"); !ok && time.Since(saved) < ttl { // on a loaded machine it may be gone already
		t.Fatal("fresh session not found")
	}
	time.Sleep(2 * ttl)
	if got, ok := mustLoad(t, ss, "r"); ok {
		t.Errorf("session past its TTL was returned: %+v", got)
	}
}

func TestRedisSessionsKeysUnderPrefix(t *testing.T) {
	ss, rdb, prefix := redisSessions(t, store.RedisOptions{TTL: time.Hour})
	ctx := testCtx(t)
	mustSave(t, ss, "r", survey.Session{State: sampleState(t, dialogs.German, "handwerk"), Seq: 1})
	key := prefix + "session:r"
	if n, err := rdb.Exists(ctx, key).Result(); err != nil || n != 1 {
		t.Fatalf("EXISTS %s = %d, %v; want the session under the configured prefix", key, n, err)
	}
	ttl, err := rdb.PTTL(ctx, key).Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Errorf("PTTL %s = %v, %v; want the session TTL of 1h", key, ttl, err)
	}
	unlock, err := ss.Lock(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	lockKey := prefix + "lock:r"
	if n, _ := rdb.Exists(ctx, lockKey).Result(); n != 1 {
		t.Errorf("held lock is not at %s", lockKey)
	}
	unlock()
	if n, _ := rdb.Exists(ctx, lockKey).Result(); n != 0 {
		t.Errorf("released lock still at %s", lockKey)
	}
}

func TestRedisSessionsUnreadableSessionIsRebuilt(t *testing.T) {
	ss, rdb, prefix := redisSessions(t, store.RedisOptions{TTL: time.Hour})
	ctx := testCtx(t)
	if err := rdb.HSet(ctx, prefix+"session:r", "seq", "7", "state", "{not json").Err(); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := ss.Load(ctx, "r"); err != nil || ok {
		t.Errorf("Load of a corrupt session = %+v, %v, %v; want not found, so it is rebuilt from SQL", got, ok, err)
	}
}

func TestRedisLockAcrossClients(t *testing.T) {
	rdb1, prefix := storetest.Redis(t)
	// A second client of its own, as a second surveybot instance would have.
	rdb2, err := store.OpenRedis(testCtx(t), os.Getenv(storetest.RedisEnv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb2.Close() })
	opts := store.RedisOptions{Prefix: prefix, TTL: time.Hour, LockTTL: 10 * time.Second, LockWait: 10 * time.Second}
	instances := []*store.RedisSessions{store.NewRedisSessions(rdb1, opts), store.NewRedisSessions(rdb2, opts)}
	const perInstance = 10
	var inside atomic.Bool
	var overlaps, done atomic.Int64
	var wg sync.WaitGroup
	ctx := testCtx(t)
	for _, ss := range instances {
		for range perInstance {
			wg.Go(func() {
				unlock, err := ss.Lock(ctx, "shared")
				if err != nil {
					t.Errorf("Lock: %v", err)
					return
				}
				defer unlock()
				if !inside.CompareAndSwap(false, true) {
					overlaps.Add(1)
				}
				time.Sleep(2 * time.Millisecond)
				done.Add(1)
				inside.Store(false)
			})
		}
	}
	wg.Wait()
	if o := overlaps.Load(); o > 0 {
		t.Errorf("two instances held the lock at once %d times", o)
	}
	if got := done.Load(); got != 2*perInstance {
		t.Errorf("%d of %d critical sections ran", got, 2*perInstance)
	}
}

func TestRedisLockOfDeadHolderExpires(t *testing.T) {
	ss, _, _ := redisSessions(t, store.RedisOptions{TTL: time.Hour, LockTTL: time.Second, LockWait: 3 * time.Second})
	ctx := testCtx(t)
	if _, err := ss.Lock(ctx, "r"); err != nil { // never released: its holder "died"
		t.Fatal(err)
	}
	start := time.Now()
	unlock, err := ss.Lock(ctx, "r")
	if err != nil {
		t.Fatalf("Lock after the holder died: %v; want the lock once its TTL ran out", err)
	}
	defer unlock()
	if d := time.Since(start); d < 800*time.Millisecond {
		t.Errorf("got the lock after %v, while the dead holder's 1s TTL still ran", d)
	}
}

func TestRedisLockWaitRunsOut(t *testing.T) {
	ss, _, _ := redisSessions(t, store.RedisOptions{TTL: time.Hour, LockTTL: 10 * time.Second, LockWait: 300 * time.Millisecond})
	ctx := testCtx(t)
	unlock, err := ss.Lock(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	start := time.Now()
	if u, err := ss.Lock(ctx, "r"); !errors.Is(err, survey.ErrBusy) {
		if err == nil {
			u()
		}
		t.Fatalf("Lock of a held lock = %v, want ErrBusy after the lock wait", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
		t.Errorf("Lock gave up after %v, want about the 300ms lock wait", d)
	}
}

func TestRedisUnlockAfterExpiryKeepsNewHoldersLock(t *testing.T) {
	slow, rdb, prefix := redisSessions(t, store.RedisOptions{TTL: time.Hour, LockTTL: time.Second, LockWait: 3 * time.Second})
	// The new holder's own lock must not run out during the test.
	ss := store.NewRedisSessions(rdb, store.RedisOptions{Prefix: prefix, TTL: time.Hour, LockTTL: 30 * time.Second, LockWait: 5 * time.Second})
	ctx := testCtx(t)
	slowUnlock, err := slow.Lock(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	// The slow holder's lock runs out after 1s; another input takes it.
	unlock, err := ss.Lock(ctx, "r")
	if err != nil {
		t.Fatalf("Lock after expiry: %v", err)
	}
	slowUnlock() // late: must not free the new holder's lock
	if n, _ := rdb.Exists(ctx, prefix+"lock:r").Result(); n != 1 {
		t.Fatal("a late unlock deleted another holder's lock")
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if u, err := ss.Lock(short, "r"); !errors.Is(err, survey.ErrBusy) {
		if err == nil {
			u()
		}
		t.Fatalf("Lock while the new holder holds it = %v, want ErrBusy", err)
	}
	unlock()
	again, err := ss.Lock(ctx, "r")
	if err != nil {
		t.Fatalf("Lock after the new holder released it: %v", err)
	}
	again()
}
