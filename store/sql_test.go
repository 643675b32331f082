package store_test

import (
	"context"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/store"
	"github.com/surveybot/surveybot/store/storetest"
	"github.com/surveybot/surveybot/survey"
)

// forEachDB runs fn once per database of storetest.DBs, each in a subtest
// named after its dialect. PostgreSQL, when disabled, shows up as a skip.
func forEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	dbs := storetest.DBs(t)
	names := slices.Sorted(maps.Keys(dbs))
	if _, ok := dbs["postgres"]; !ok {
		names = append(names, "postgres")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			db, ok := dbs[name]
			if !ok {
				t.Skipf("PostgreSQL tests disabled: set %s", storetest.PostgresEnv)
			}
			fn(t, db)
		})
	}
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func coreRef(t *testing.T) dialogs.Ref {
	t.Helper()
	q, err := dialogs.LoadCore()
	if err != nil {
		t.Fatal(err)
	}
	// The items these tests answer must exist, or they test nothing real.
	for _, id := range []string{"org_type", "sector", "size", "chamber", "cons_used", "cons_useful"} {
		if _, ok := q.Item(id); !ok {
			t.Fatalf("the shared questionnaire has no item %s", id)
		}
	}
	return q.Ref()
}

// newResponse makes a respondent for who and starts a response for them.
func newResponse(t *testing.T, db *store.DB, who survey.Identity, fixed map[string]dialogs.Answer) survey.Response {
	t.Helper()
	ctx := testCtx(t)
	rid, err := db.EnsureRespondent(ctx, who)
	if err != nil {
		t.Fatalf("EnsureRespondent(%s): %v", who, err)
	}
	r, err := db.CreateResponse(ctx, survey.NewResponse{
		RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: who.Channel, Fixed: fixed,
	})
	if err != nil {
		t.Fatalf("CreateResponse: %v", err)
	}
	return r
}

// apply applies a step and fails the test on error; it returns the new seq.
func apply(t *testing.T, db *store.DB, s survey.Step) int64 {
	t.Helper()
	if s.Channel == "" {
		s.Channel = "telegram"
	}
	if s.Lang == "" {
		s.Lang = dialogs.German
	}
	seq, err := db.ApplyStep(testCtx(t), s)
	if err != nil {
		t.Fatalf("ApplyStep(%s, phase %s, seq %d): %v", s.ResponseID, s.Phase, s.Seq, err)
	}
	return seq
}

func answers(t *testing.T, db *store.DB, responseID string) map[string]dialogs.Answer {
	t.Helper()
	got, err := db.Answers(testCtx(t), responseID)
	if err != nil {
		t.Fatalf("Answers: %v", err)
	}
	return got
}

func scores(t *testing.T, db *store.DB, responseID string) map[string]float64 {
	t.Helper()
	got, err := db.Scores(testCtx(t), responseID)
	if err != nil {
		t.Fatalf("Scores: %v", err)
	}
	return got
}

func response(t *testing.T, db *store.DB, id string) survey.Response {
	t.Helper()
	r, err := db.Response(testCtx(t), id)
	if err != nil {
		t.Fatalf("Response(%s): %v", id, err)
	}
	return r
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func sameScores(a, b map[string]float64) bool { return maps.EqualFunc(a, b, near) }

func ptr[T any](v T) *T { return &v }

func ident(channel survey.Channel, external string) survey.Identity {
	return survey.Identity{Channel: channel, External: external}
}

func TestOpenRejectsUnusableDSNs(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want []string // each must appear in the error
	}{
		{name: "empty", dsn: "", want: []string{"empty"}},
		{name: "in-memory", dsn: ":memory:", want: []string{":memory:", "in-memory", "file"}},
		{name: "in-memory with sqlite prefix", dsn: "sqlite::memory:", want: []string{"in-memory"}},
		{name: "in-memory file URI", dsn: "file::memory:?cache=shared", want: []string{"in-memory"}},
		{name: "memory mode", dsn: "file:surveybot.db?mode=memory", want: []string{"in-memory"}},
		{name: "sqlite prefix without file", dsn: "sqlite:", want: []string{"name a file"}},
		{name: "mysql", dsn: "mysql://root:hunter2@localhost:3306/surveybot", want: []string{"unsupported", `"mysql"`}},
		{name: "redis URL by mistake", dsn: "redis://127.0.0.1:6379/0", want: []string{"unsupported", `"redis"`}},
		{name: "unparsable URL", dsn: "mysql://root:hunter2@db:port/x", want: []string{"unsupported", `"mysql"`}},
	}
	dir := t.TempDir()
	t.Chdir(dir) // a wrongly accepted DSN would leave a SQLite file here
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(testCtx(t), tt.dsn)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.dsn)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open(%q) error %q does not contain %q", tt.dsn, err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Open(%q) error %q shows the password", tt.dsn, err)
			}
		})
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("rejected DSNs left files behind: %v", left)
	}
}

func TestMigrate(t *testing.T) {
	dsns := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "fresh.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, d := range dsns {
		t.Run(d.name+"/fresh", func(t *testing.T) {
			ctx := testCtx(t)
			db, err := store.Open(ctx, d.dsn(t))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if got := db.Dialect(); string(got) != d.name {
				t.Errorf("Dialect() = %q, want %q", got, d.name)
			}
			n, err := db.Migrate(ctx)
			if err != nil || n == 0 {
				t.Fatalf("first Migrate = %d, %v; want some migrations applied", n, err)
			}
			n, err = db.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
			}
			if err := db.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
	forEachDB(t, func(t *testing.T, db *store.DB) {
		n, err := db.Migrate(testCtx(t))
		if err != nil || n != 0 {
			t.Fatalf("Migrate of a migrated database = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestRegisterQuestionnaire(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		ref := coreRef(t)
		src := dialogs.CoreSource()
		changed := append(dialogs.CoreSource(), []byte("\n# a comment is a change too\n")...)
		tests := []struct {
			name    string
			ref     dialogs.Ref
			src     []byte
			wantErr string // "" = accepted
		}{
			{name: "same content again", ref: ref, src: src},
			{name: "same content a third time", ref: ref, src: src},
			{name: "changed content, same version", ref: ref, src: changed, wantErr: "new version"},
			{name: "changed content, new version", ref: dialogs.Ref{ID: ref.ID, Version: ref.Version + 1}, src: changed},
			{name: "new version again", ref: dialogs.Ref{ID: ref.ID, Version: ref.Version + 1}, src: changed},
			{name: "original content under the new version", ref: dialogs.Ref{ID: ref.ID, Version: ref.Version + 1}, src: src, wantErr: "new version"},
		}
		for _, tt := range tests {
			err := db.RegisterQuestionnaire(ctx, tt.ref, tt.src)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s: RegisterQuestionnaire(%s) = %v, want nil", tt.name, tt.ref, err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("%s: RegisterQuestionnaire(%s) accepted changed content", tt.name, tt.ref)
			case tt.wantErr != "" && (!strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.ref.String())):
				t.Errorf("%s: RegisterQuestionnaire(%s) error %q, want it to name %s and say %q", tt.name, tt.ref, err, tt.ref, tt.wantErr)
			}
		}
	})
}

func TestEnsureRespondent(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		tests := []struct {
			name     string
			a, b     survey.Identity
			sameWant bool
		}{
			{name: "same identity", a: ident("telegram", "1001"), b: ident("telegram", "1001"), sameWant: true},
			{name: "other user, same channel", a: ident("telegram", "1001"), b: ident("telegram", "1002")},
			{name: "same external id on another channel", a: ident("telegram", "1001"), b: ident("slack", "1001")},
			{name: "e-mail addresses", a: ident("email", "a@example.org"), b: ident("email", "b@example.org")},
		}
		for _, tt := range tests {
			ida, err := db.EnsureRespondent(ctx, tt.a)
			if err != nil {
				t.Fatalf("%s: EnsureRespondent(%s): %v", tt.name, tt.a, err)
			}
			idb, err := db.EnsureRespondent(ctx, tt.b)
			if err != nil {
				t.Fatalf("%s: EnsureRespondent(%s): %v", tt.name, tt.b, err)
			}
			if ida == "" || idb == "" {
				t.Fatalf("%s: empty respondent id", tt.name)
			}
			if (ida == idb) != tt.sameWant {
				t.Errorf("%s: %s → %s, %s → %s; same = %v, want %v", tt.name, tt.a, ida, tt.b, idb, ida == idb, tt.sameWant)
			}
			if got, err := db.RespondentByIdentity(ctx, tt.a); err != nil || got != ida {
				t.Errorf("%s: RespondentByIdentity(%s) = %q, %v; want %q", tt.name, tt.a, got, err, ida)
			}
		}
		if _, err := db.RespondentByIdentity(ctx, ident("telegram", "never-seen")); !errors.Is(err, survey.ErrNotFound) {
			t.Errorf("RespondentByIdentity(unknown) error = %v, want ErrNotFound", err)
		}
	})
}

func TestEnsureRespondentRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		who := survey.Identity{Channel: "telegram", External: "race-" + t.Name()}
		const n = 16
		ids := make([]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				ids[i], errs[i] = db.EnsureRespondent(ctx, who)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("goroutine %d: EnsureRespondent: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("racing callers got different respondents for one identity: %v", ids)
			}
		}
		if got, err := db.RespondentByIdentity(ctx, who); err != nil || got != ids[0] {
			t.Errorf("RespondentByIdentity = %q, %v; want %q", got, err, ids[0])
		}
	})
}

func TestLinkIdentity(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		tg := survey.Identity{Channel: "telegram", External: "42"}
		slack := survey.Identity{Channel: "slack", External: "U042"}
		mail := survey.Identity{Channel: "email", External: "owner@example.org"}
		rid, err := db.EnsureRespondent(ctx, tg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RespondentByIdentity(ctx, slack); !errors.Is(err, survey.ErrNotFound) {
			t.Fatalf("before linking: RespondentByIdentity(%s) error = %v, want ErrNotFound", slack, err)
		}
		for _, who := range []survey.Identity{slack, mail, slack} { // linking twice is harmless
			if err := db.LinkIdentity(ctx, rid, who); err != nil {
				t.Fatalf("LinkIdentity(%s): %v", who, err)
			}
		}
		for _, who := range []survey.Identity{tg, slack, mail} {
			if got, err := db.RespondentByIdentity(ctx, who); err != nil || got != rid {
				t.Errorf("RespondentByIdentity(%s) = %q, %v; want %q", who, got, err, rid)
			}
			if got, err := db.EnsureRespondent(ctx, who); err != nil || got != rid {
				t.Errorf("EnsureRespondent(%s) = %q, %v; want the linked %q", who, got, err, rid)
			}
		}
	})
}

func TestCreateResponse(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		ref := coreRef(t)
		tests := []struct {
			name  string
			lang  dialogs.Lang
			fixed map[string]dialogs.Answer
			want  map[string]dialogs.Answer
		}{
			{name: "no fixed answers", lang: dialogs.German, want: map[string]dialogs.Answer{}},
			{
				name:  "chamber of the invitation",
				lang:  dialogs.English,
				fixed: map[string]dialogs.Answer{"chamber": {Value: "ihk_h", Fixed: true}},
				want:  map[string]dialogs.Answer{"chamber": {Value: "ihk_h", Fixed: true}},
			},
			{
				name:  "fixed answers are stored as fixed even if not flagged",
				lang:  dialogs.German,
				fixed: map[string]dialogs.Answer{"chamber": {Value: "hwk_os"}, "org_type": {Value: "business"}},
				want:  map[string]dialogs.Answer{"chamber": {Value: "hwk_os", Fixed: true}, "org_type": {Value: "business", Fixed: true}},
			},
		}
		for i, tt := range tests {
			rid, err := db.EnsureRespondent(ctx, survey.Identity{Channel: "web", External: string(rune('a' + i))})
			if err != nil {
				t.Fatal(err)
			}
			created, err := db.CreateResponse(ctx, survey.NewResponse{
				RespondentID: rid, Questionnaire: ref, Lang: tt.lang, Channel: "web", Fixed: tt.fixed,
			})
			if err != nil {
				t.Fatalf("%s: CreateResponse: %v", tt.name, err)
			}
			if created.ID == "" || created.Status != survey.StatusStarted || created.Seq != 0 || created.RespondentID != rid {
				t.Errorf("%s: CreateResponse returned %+v, want status started, seq 0, respondent %s", tt.name, created, rid)
			}
			got := response(t, db, created.ID)
			if got.Status != survey.StatusStarted || got.Lang != tt.lang || got.Questionnaire != ref ||
				got.RespondentID != rid || got.Seq != 0 || got.CompletedAt != nil || got.Composite != nil || got.TechCount != nil {
				t.Errorf("%s: stored response %+v, want started, %s, %s, respondent %s, seq 0, not completed", tt.name, got, tt.lang, ref, rid)
			}
			if d := got.StartedAt.Sub(created.StartedAt); d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("%s: stored start %v, CreateResponse said %v", tt.name, got.StartedAt, created.StartedAt)
			}
			if a := answers(t, db, created.ID); !maps.Equal(a, tt.want) {
				t.Errorf("%s: Answers = %v, want %v", tt.name, a, tt.want)
			}
		}
		if _, err := db.Response(ctx, "no-such-response"); !errors.Is(err, survey.ErrNotFound) {
			t.Errorf("Response(unknown) error = %v, want ErrNotFound", err)
		}
	})
}

func TestApplyStep(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		fields := map[string]float64{"consulting": 0.5, "maturity": 0.75, "skills": 1.0 / 3}
		// Each case is one step on the response named by resp, in order;
		// the responses' seqs carry over from case to case.
		tests := []struct {
			name        string
			resp        string // "a" or "b"
			stale       bool   // send the seq before the last one
			phase       dialogs.Phase
			lang        dialogs.Lang
			changes     []dialogs.Change
			scores      *dialogs.Scores
			wantErr     error
			wantStatus  survey.Status
			wantLang    dialogs.Lang
			wantAnswers map[string]dialogs.Answer
		}{
			{
				name: "consent given", resp: "a", phase: dialogs.PhaseAsking,
				wantStatus: survey.StatusConsented, wantAnswers: map[string]dialogs.Answer{},
			},
			{
				name: "value, keine Angabe and skipped stored", resp: "a", phase: dialogs.PhaseAsking,
				changes: []dialogs.Change{
					{Item: "org_type", Answer: dialogs.Answer{Value: "business"}},
					{Item: "sector", Answer: dialogs.Answer{NA: true}},
					{Item: "cons_used", Answer: dialogs.Answer{Skipped: true}},
				},
				wantStatus: survey.StatusConsented,
				wantAnswers: map[string]dialogs.Answer{
					"org_type": {Value: "business"}, "sector": {NA: true}, "cons_used": {Skipped: true},
				},
			},
			{
				name: "stale seq changes nothing", resp: "a", stale: true, phase: dialogs.PhaseDone, lang: dialogs.English,
				changes: []dialogs.Change{{Item: "org_type", Answer: dialogs.Answer{Value: "education"}}, {Item: "sector", Dropped: true}},
				scores:  &dialogs.Scores{Fields: fields, Composite: ptr(0.5), TechCount: ptr(2)},
				wantErr: survey.ErrConflict, wantStatus: survey.StatusConsented,
				wantAnswers: map[string]dialogs.Answer{
					"org_type": {Value: "business"}, "sector": {NA: true}, "cons_used": {Skipped: true},
				},
			},
			{
				name: "answer changed and language switched", resp: "a", phase: dialogs.PhaseAsking, lang: dialogs.English,
				changes: []dialogs.Change{
					{Item: "sector", Answer: dialogs.Answer{Value: "handwerk"}},
					{Item: "cons_used", Answer: dialogs.Answer{Value: "chamber,mdz"}},
				},
				wantStatus: survey.StatusConsented, wantLang: dialogs.English,
				wantAnswers: map[string]dialogs.Answer{
					"org_type": {Value: "business"}, "sector": {Value: "handwerk"}, "cons_used": {Value: "chamber,mdz"},
				},
			},
			{
				name: "dropped answer deleted", resp: "a", phase: dialogs.PhaseAsking,
				changes: []dialogs.Change{
					{Item: "sector", Dropped: true},
					{Item: "size", Dropped: true}, // never answered: dropping it is harmless
					{Item: "cons_useful", Answer: dialogs.Answer{Value: "4"}},
				},
				wantStatus: survey.StatusConsented,
				wantAnswers: map[string]dialogs.Answer{
					"org_type": {Value: "business"}, "cons_used": {Value: "chamber,mdz"}, "cons_useful": {Value: "4"},
				},
			},
			{
				name: "paused still counts as consented", resp: "a", phase: dialogs.PhasePaused,
				wantStatus: survey.StatusConsented,
				wantAnswers: map[string]dialogs.Answer{
					"org_type": {Value: "business"}, "cons_used": {Value: "chamber,mdz"}, "cons_useful": {Value: "4"},
				},
			},
			{
				name: "completed with scores", resp: "a", phase: dialogs.PhaseDone,
				changes:    []dialogs.Change{{Item: "size", Answer: dialogs.Answer{Value: "s10_49"}}},
				scores:     &dialogs.Scores{Fields: fields, Composite: ptr(0.625), TechCount: ptr(3)},
				wantStatus: survey.StatusCompleted,
				wantAnswers: map[string]dialogs.Answer{
					"org_type": {Value: "business"}, "cons_used": {Value: "chamber,mdz"}, "cons_useful": {Value: "4"}, "size": {Value: "s10_49"},
				},
			},
			{
				name: "declined", resp: "b", phase: dialogs.PhaseDeclined,
				wantStatus: survey.StatusDeclined, wantAnswers: map[string]dialogs.Answer{},
			},
			{
				name: "stale seq after decline", resp: "b", stale: true, phase: dialogs.PhaseAsking,
				wantErr: survey.ErrConflict, wantStatus: survey.StatusDeclined, wantAnswers: map[string]dialogs.Answer{},
			},
		}
		resps := map[string]survey.Response{
			"a": newResponse(t, db, survey.Identity{Channel: "telegram", External: "step-a"}, nil),
			"b": newResponse(t, db, survey.Identity{Channel: "telegram", External: "step-b"}, nil),
		}
		seqs := map[string]int64{"a": 0, "b": 0}
		langs := map[string]dialogs.Lang{"a": dialogs.German, "b": dialogs.German}
		for _, tt := range tests {
			id := resps[tt.resp].ID
			seq := seqs[tt.resp]
			if tt.stale {
				seq--
			}
			lang := tt.lang
			if lang == "" {
				lang = dialogs.German
			}
			got, err := db.ApplyStep(ctx, survey.Step{
				ResponseID: id, Seq: seq, Channel: "telegram", Lang: lang, Phase: tt.phase, Changes: tt.changes, Scores: tt.scores,
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("%s: ApplyStep error = %v, want %v", tt.name, err, tt.wantErr)
			}
			if err == nil {
				if got != seq+1 {
					t.Errorf("%s: ApplyStep = seq %d, want %d", tt.name, got, seq+1)
				}
				seqs[tt.resp] = got
				langs[tt.resp] = lang
			}
			r := response(t, db, id)
			if r.Seq != seqs[tt.resp] || r.Status != tt.wantStatus || r.Lang != langs[tt.resp] {
				t.Errorf("%s: response has seq %d, status %s, lang %s; want %d, %s, %s",
					tt.name, r.Seq, r.Status, r.Lang, seqs[tt.resp], tt.wantStatus, langs[tt.resp])
			}
			if a := answers(t, db, id); !maps.Equal(a, tt.wantAnswers) {
				t.Errorf("%s: Answers = %v, want %v", tt.name, a, tt.wantAnswers)
			}
			if r.Status != survey.StatusCompleted {
				if r.CompletedAt != nil || r.Composite != nil || r.TechCount != nil {
					t.Errorf("%s: unfinished response has completion data: %+v", tt.name, r)
				}
				if s := scores(t, db, id); len(s) != 0 {
					t.Errorf("%s: unfinished response has scores %v", tt.name, s)
				}
			}
		}

		done := response(t, db, resps["a"].ID)
		if done.CompletedAt == nil || done.CompletedAt.Before(done.StartedAt) {
			t.Errorf("completed response: CompletedAt = %v, started %v", done.CompletedAt, done.StartedAt)
		}
		if done.Composite == nil || !near(*done.Composite, 0.625) {
			t.Errorf("completed response: Composite = %v, want 0.625", done.Composite)
		}
		if done.TechCount == nil || *done.TechCount != 3 {
			t.Errorf("completed response: TechCount = %v, want 3", done.TechCount)
		}
		if s := scores(t, db, resps["a"].ID); !sameScores(s, fields) {
			t.Errorf("completed response: Scores = %v, want %v", s, fields)
		}

		// A step on a response that does not exist is a conflict, not a success.
		if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: "no-such-response", Seq: 0, Channel: "web", Lang: dialogs.German, Phase: dialogs.PhaseAsking}); !errors.Is(err, survey.ErrConflict) {
			t.Errorf("ApplyStep on an unknown response: error = %v, want ErrConflict", err)
		}
	})
}

func TestApplyStepCompletionWithoutComposite(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		r := newResponse(t, db, survey.Identity{Channel: "web", External: "nothing-scored"}, nil)
		seq := apply(t, db, survey.Step{ResponseID: r.ID, Seq: 0, Phase: dialogs.PhaseAsking})
		apply(t, db, survey.Step{ResponseID: r.ID, Seq: seq, Phase: dialogs.PhaseDone, Scores: &dialogs.Scores{Fields: map[string]float64{}}})
		got := response(t, db, r.ID)
		if got.Status != survey.StatusCompleted || got.Composite != nil || got.TechCount != nil || got.CompletedAt == nil {
			t.Errorf("response completed without any score: %+v; want completed, no composite, no tech count", got)
		}
		if s := scores(t, db, r.ID); len(s) != 0 {
			t.Errorf("Scores = %v, want none", s)
		}
	})
}

func TestEraseRespondent(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx(t)
		fields := map[string]float64{"consulting": 0.5, "maturity": 0.25}

		// Respondent A: known on two channels, one completed response and
		// one in progress.
		tg := survey.Identity{Channel: "telegram", External: "erase-me"}
		mail := survey.Identity{Channel: "email", External: "erase-me@example.org"}
		a1 := newResponse(t, db, tg, map[string]dialogs.Answer{"chamber": {Value: "ihk_os", Fixed: true}})
		rid := a1.RespondentID
		if err := db.LinkIdentity(ctx, rid, mail); err != nil {
			t.Fatal(err)
		}
		seq := apply(t, db, survey.Step{ResponseID: a1.ID, Seq: 0, Phase: dialogs.PhaseAsking,
			Changes: []dialogs.Change{{Item: "org_type", Answer: dialogs.Answer{Value: "business"}}}})
		apply(t, db, survey.Step{ResponseID: a1.ID, Seq: seq, Phase: dialogs.PhaseDone,
			Changes: []dialogs.Change{{Item: "sector", Answer: dialogs.Answer{Value: "handel"}}},
			Scores:  &dialogs.Scores{Fields: fields, Composite: ptr(0.375), TechCount: ptr(5)}})
		// The same firm in a second wave: erasure takes every wave.
		w2 := newWave(t, db, "erase-2", time.Now().Add(-time.Hour))
		a2, err := db.CreateResponse(ctx, survey.NewResponse{RespondentID: rid, Questionnaire: coreRef(t), Lang: dialogs.German, Channel: "email", WaveID: w2.ID})
		if err != nil {
			t.Fatal(err)
		}
		a2seq := apply(t, db, survey.Step{ResponseID: a2.ID, Seq: 0, Phase: dialogs.PhaseAsking,
			Changes: []dialogs.Change{{Item: "org_type", Answer: dialogs.Answer{Value: "education"}}}})

		// Respondent B, who must not be touched.
		bWho := survey.Identity{Channel: "telegram", External: "keep-me"}
		b := newResponse(t, db, bWho, nil)
		bseq := apply(t, db, survey.Step{ResponseID: b.ID, Seq: 0, Phase: dialogs.PhaseAsking,
			Changes: []dialogs.Change{{Item: "org_type", Answer: dialogs.Answer{Value: "business"}}}})
		bseq = apply(t, db, survey.Step{ResponseID: b.ID, Seq: bseq, Phase: dialogs.PhaseDone,
			Scores: &dialogs.Scores{Fields: map[string]float64{"consulting": 1}, Composite: ptr(1.0), TechCount: ptr(1)}})
		bAnswers, bScores := answers(t, db, b.ID), scores(t, db, b.ID)

		erased, err := db.EraseRespondent(ctx, rid)
		if err != nil {
			t.Fatalf("EraseRespondent: %v", err)
		}
		ids := slices.Sorted(slices.Values(erased.Responses))
		if !slices.Equal(erased.Identities, []survey.Identity{mail, tg}) && !slices.Equal(erased.Identities, []survey.Identity{tg, mail}) {
			t.Errorf("EraseRespondent returned identities %v, want %v and %v", erased.Identities, tg, mail)
		}
		if want := slices.Sorted(slices.Values([]string{a1.ID, a2.ID})); !slices.Equal(ids, want) {
			t.Errorf("EraseRespondent returned %v, want the respondent's responses %v", ids, want)
		}

		for _, who := range []survey.Identity{tg, mail} {
			if got, err := db.RespondentByIdentity(ctx, who); !errors.Is(err, survey.ErrNotFound) {
				t.Errorf("after erasure RespondentByIdentity(%s) = %q, %v; want ErrNotFound", who, got, err)
			}
		}
		if _, err := db.LatestResponse(ctx, rid); !errors.Is(err, survey.ErrNotFound) {
			t.Errorf("after erasure LatestResponse = %v, want ErrNotFound", err)
		}
		for _, id := range []string{a1.ID, a2.ID} {
			if a := answers(t, db, id); len(a) != 0 {
				t.Errorf("after erasure response %s still has answers %v", id, a)
			}
			r := response(t, db, id)
			if r.Status != survey.StatusErased || r.RespondentID != "" {
				t.Errorf("after erasure response %s has status %s, respondent %q; want erased, none", id, r.Status, r.RespondentID)
			}
			if !r.StartedAt.Equal(r.StartedAt.Truncate(24 * time.Hour)) {
				t.Errorf("after erasure response %s still has its start time %v, want only the day", id, r.StartedAt)
			}
		}

		// The completed response still counts in the indicators.
		if s := scores(t, db, a1.ID); !sameScores(s, fields) {
			t.Errorf("after erasure completed response scores = %v, want %v kept", s, fields)
		}
		kept := response(t, db, a1.ID)
		if kept.Composite == nil || !near(*kept.Composite, 0.375) || kept.TechCount == nil || *kept.TechCount != 5 {
			t.Errorf("after erasure composite = %v, tech count = %v; want 0.375 and 5 kept", kept.Composite, kept.TechCount)
		}
		if kept.CompletedAt == nil || !kept.CompletedAt.Equal(kept.CompletedAt.Truncate(24*time.Hour)) {
			t.Errorf("after erasure CompletedAt = %v, want the day only", kept.CompletedAt)
		}

		// The other respondent is untouched.
		if got, err := db.RespondentByIdentity(ctx, bWho); err != nil || got != b.RespondentID {
			t.Errorf("other respondent: RespondentByIdentity = %q, %v; want %q", got, err, b.RespondentID)
		}
		if a := answers(t, db, b.ID); !maps.Equal(a, bAnswers) {
			t.Errorf("other respondent's answers = %v, want %v", a, bAnswers)
		}
		if s := scores(t, db, b.ID); !sameScores(s, bScores) {
			t.Errorf("other respondent's scores = %v, want %v", s, bScores)
		}
		if r := response(t, db, b.ID); r.Status != survey.StatusCompleted || r.RespondentID != b.RespondentID || r.Seq != bseq {
			t.Errorf("other respondent's response = %+v, want completed, unchanged", r)
		}

		// An input that was on its way when the erasure happened is refused.
		if _, err := db.ApplyStep(ctx, survey.Step{ResponseID: a2.ID, Seq: a2seq, Channel: "email", Lang: dialogs.German, Phase: dialogs.PhaseAsking,
			Changes: []dialogs.Change{{Item: "sector", Answer: dialogs.Answer{Value: "handwerk"}}}}); !errors.Is(err, survey.ErrConflict) {
			t.Errorf("ApplyStep after erasure: error = %v, want ErrConflict", err)
		}
		if a := answers(t, db, a2.ID); len(a) != 0 {
			t.Errorf("ApplyStep after erasure stored answers %v", a)
		}

		for _, id := range []string{rid, "never-existed"} {
			if _, err := db.EraseRespondent(ctx, id); !errors.Is(err, survey.ErrNotFound) {
				t.Errorf("EraseRespondent(%s) error = %v, want one wrapping ErrNotFound", id, err)
			}
		}

		// Writing again afterwards makes a new, unrelated respondent.
		again, err := db.EnsureRespondent(ctx, tg)
		if err != nil || again == rid {
			t.Errorf("EnsureRespondent after erasure = %q, %v; want a new respondent, not %q", again, err, rid)
		}
	})
}
