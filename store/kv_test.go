package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

type raiser interface {
	Raise(ctx context.Context, key string, val int64, ttl time.Duration) (int64, error)
	Get(ctx context.Context, key string) (string, bool, error)
}

// TestRaise checks that Raise keeps the largest value, also when many
// callers race, in process and in Redis.
func TestRaise(t *testing.T) {
	kvs := map[string]raiser{"memory": store.NewMemoryKV()}
	t.Run("memory", func(t *testing.T) { checkRaise(t, kvs["memory"]) })
	t.Run("redis", func(t *testing.T) {
		rdb, prefix := storetest.Redis(t)
		checkRaise(t, store.NewRedisKV(rdb, prefix))
	})
}

func checkRaise(t *testing.T, kv raiser) {
	ctx := context.Background()
	if prev, err := kv.Raise(ctx, "k", 10, time.Minute); err != nil || prev != 0 {
		t.Fatalf("first raise: %d %v", prev, err)
	}
	if prev, _ := kv.Raise(ctx, "k", 7, time.Minute); prev != 10 {
		t.Errorf("raise to 7 saw %d, want 10", prev)
	}
	if v, _, _ := kv.Get(ctx, "k"); v != "10" {
		t.Errorf("value %q after a smaller raise, want 10", v)
	}
	var wg sync.WaitGroup
	lates := make([]bool, 101)
	for i := int64(11); i <= 100; i++ {
		wg.Go(func() {
			prev, err := kv.Raise(ctx, "k", i, time.Minute)
			if err != nil {
				t.Error(err)
			}
			lates[i] = prev > i
		})
	}
	wg.Wait()
	if v, _, _ := kv.Get(ctx, "k"); v != "100" {
		t.Errorf("value %q after racing raises, want 100", v)
	}
}

// TestPruneInputKeys forgets old input keys and keeps recent ones.
func TestPruneInputKeys(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := now.Add(-10 * 24 * time.Hour)
	db := storetest.SQLite(t, store.WithClock(func() time.Time { return clock }))
	q, _ := dialogs.LoadCore()
	rid, _ := db.EnsureRespondent(ctx, survey.Identity{Channel: "test", External: "p"})
	resp, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: q.Ref(), Lang: dialogs.German, Channel: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{"old", "new"} {
		if i == 1 {
			clock = now
		}
		if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: resp.ID, Seq: int64(i), Channel: "test", Lang: dialogs.German, Phase: dialogs.PhaseConsent, InputKey: key}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.PruneInputKeys(ctx, now.Add(-7*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want the old key", n, err)
	}
	if old, _ := db.InputApplied(ctx, "old"); old {
		t.Error("the old key is still there")
	}
	if recent, _ := db.InputApplied(ctx, "new"); !recent {
		t.Error("the recent key is gone")
	}
}
