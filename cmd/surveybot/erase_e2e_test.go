package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/channels/emailtest"
	"github.com/surveybot/surveybot/channels/slack"
	"github.com/surveybot/surveybot/channels/slacktest"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/store/storetest"
)

// TestErasureLeavesNoTrace has one respondent take part by e-mail, in the
// browser, in Telegram and in Slack, and then be erased with the CLI, on
// PostgreSQL and Redis when they are enabled (else SQLite and the
// process): afterwards no SQL table, no Redis key or value and no file of
// the mail outbox holds their address, chat id, Slack id, invitation key
// and no answer is left, and their response keeps no time finer than the day.
func TestErasureLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "erase.db")
	redisURL, prefix := "", "sb-erase-"+fmt.Sprint(time.Now().UnixNano())+":"
	var rdb *redis.Client
	if storetest.ServersEnabled(t) {
		dsn = storetest.PostgresDSN(t)
		redisURL = os.Getenv(storetest.RedisEnv)
		rdb, prefix = storetest.Redis(t)
	}
	tg := telegramtest.New(t, "777000:erase")
	sl := slacktest.New(t)
	addr := testrig.FreeAddr(t)
	outbox := filepath.Join(dir, "outbox")
	const (
		address  = "anna.erase@example.org"
		chat     = 731946285
		slackID  = "U0ANNA0001"
		secret   = "erase-webhook-secret-012345"
		signing  = "slack-signing-secret"
		postcode = "30171"
	)
	cfgPath := filepath.Join(dir, "surveybot.toml")
	cfg := fmt.Sprintf(`[server]
listen = %q
[sql]
dsn = %q
[redis]
url = %q
key_prefix = %q
[web]
base_url = "http://%s"
secret_key = "0123456789abcdef0123456789abcdef"
[email]
mode = "file"
outbox_dir = %q
[telegram]
token = "777000:erase"
api_url = %q
mode = "webhook"
webhook_secret = %q
bot_username = "umfrage_bot"
[slack]
bot_token = "xoxb-test"
signing_secret = %q
api_url = %q
[log]
level = "warn"
`, addr, dsn, redisURL, prefix, addr, outbox, tg.URL(), secret, signing, sl.APIURL())
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (int, string) {
		var out strings.Builder
		code := run(ctx, withConfig(args, cfgPath), env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(string) string { return "" }})
		return code, out.String()
	}
	serveInBackground(t, cfgPath, nil, addr)

	// E-mail: the invitation, sent into the outbox.
	code, out := cli("invitation", "create", "--email", address, "--send")
	if code != 0 {
		t.Fatalf("invitation create: %d %s", code, out)
	}
	key := strings.Fields(out)[0]
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d mails in the outbox, want the invitation", len(files))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	link := emailtest.Link(t, emailtest.Received{Data: data}, "http://"+addr+"/s/")
	// The browser: the link opens the dialog.
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the link: %d", resp.StatusCode)
	}
	// Telegram: the same invitation, consent, three answers and a postcode.
	webhook := "http://" + addr + "/telegram/webhook"
	post := func(text string) {
		t.Helper()
		r, err := tg.PostUpdate(webhook, secret, tg.SendText(chat, text))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %d", r.StatusCode)
		}
	}
	post("/start " + key)
	for _, typed := range []string{"ja", "1", "1", "1", postcode} {
		post(typed)
	}
	tg.WaitFor(t, 10*time.Second, func(s *telegramtest.Server) bool { return len(s.Messages(chat)) >= 6 })
	// Slack: the same invitation once more, by the slash command.
	body := slacktest.SlashCommand(slackID, "C0GENERAL", "/umfrage", "start "+key, "cmd.erase")
	req := slacktest.SignedRequest("http://"+addr+slack.RouteCommands, "application/x-www-form-urlencoded", signing, time.Now(), body)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("slash command: %v %v", r, err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(sl.Messages(slacktest.DMOf(slackID))) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no Slack DM after /umfrage start")
		}
	}

	// The postcode is looked for as an answer (none may be left); five
	// digits would turn up in the fractions of stored times.
	traces := []string{address, fmt.Sprint(chat), slackID, key}
	if found := sqlTraces(t, dsn, traces); len(found) == 0 {
		t.Fatal("before erasure the database holds no trace of the respondent: the test looks in the wrong place")
	}
	if code, out := cli("respondent", "erase", "--email", address); code != 0 {
		t.Fatalf("respondent erase: %d %s", code, out)
	}
	for _, f := range sqlTraces(t, dsn, traces) {
		t.Errorf("after erasure, SQL still holds %s", f)
	}
	if rdb != nil {
		for _, f := range redisTraces(t, rdb, prefix, traces) {
			t.Errorf("after erasure, Redis still holds %s", f)
		}
	}
	files, _ = filepath.Glob(filepath.Join(outbox, "*"))
	for _, name := range files {
		b, _ := os.ReadFile(name)
		for _, s := range traces {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("after erasure, the outbox file %s holds %q", filepath.Base(name), s)
			}
		}
	}
	for _, f := range exactTimes(t, dsn) {
		t.Errorf("after erasure, %s", f)
	}
}

// sqlTraces dumps every table of the database and returns where one of
// the strings occurs, as "table.column: value".
func sqlTraces(t *testing.T, dsn string, traces []string) []string {
	t.Helper()
	db := rawDB(t, dsn)
	list := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if strings.HasPrefix(dsn, "postgres") {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	var tables []string
	rows, err := db.Query(list)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	var found []string
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				for _, s := range traces {
					if strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
						found = append(found, fmt.Sprintf("%s.%s: %.80q", table, cols[i], text))
					}
				}
			}
		}
		rows.Close()
	}
	return found
}

// exactTimes reports times of erased responses finer than the day, and
// any input key or answer left.
func exactTimes(t *testing.T, dsn string) []string {
	t.Helper()
	db := rawDB(t, dsn)
	var out []string
	rows, err := db.Query(`SELECT started_at, updated_at, consented_at, erased_at FROM responses WHERE status = 'erased'`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
		var times [4]sql.NullTime
		if err := rows.Scan(&times[0], &times[1], &times[2], &times[3]); err != nil {
			t.Fatal(err)
		}
		for i, tm := range times {
			if tm.Valid && !tm.Time.UTC().Equal(tm.Time.UTC().Truncate(24*time.Hour)) {
				out = append(out, fmt.Sprintf("erased response keeps time %d as %s", i, tm.Time))
			}
		}
	}
	rows.Close()
	if n == 0 {
		out = append(out, "no erased response: the scores were lost, or nothing was erased")
	}
	for _, table := range []string{"input_keys", "answers", "identities", "invitations"} {
		var left int
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			out = append(out, fmt.Sprintf("%d rows left in %s", left, table))
		}
	}
	return out
}

func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, source := "pgx", dsn
	if !strings.HasPrefix(dsn, "postgres") {
		driver, source = "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// redisTraces returns the keys under prefix whose name or value holds one
// of the strings.
func redisTraces(t *testing.T, rdb *redis.Client, prefix string, traces []string) []string {
	t.Helper()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, k := range keys {
		var vals []string
		switch typ, _ := rdb.Type(ctx, k).Result(); typ {
		case "string":
			v, _ := rdb.Get(ctx, k).Result()
			vals = []string{v}
		case "hash":
			m, _ := rdb.HGetAll(ctx, k).Result()
			for f, v := range m {
				vals = append(vals, f, v)
			}
		case "set":
			vals, _ = rdb.SMembers(ctx, k).Result()
		case "zset":
			vals, _ = rdb.ZRange(ctx, k, 0, -1).Result()
		case "list":
			vals, _ = rdb.LRange(ctx, k, 0, -1).Result()
		}
		for _, s := range traces {
			for _, v := range append([]string{k}, vals...) {
				if strings.Contains(v, s) {
					found = append(found, fmt.Sprintf("%s: %.80q", k, v))
				}
			}
		}
	}
	return found
}
