package main

import (
	"context"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/internal/testrig"
	"github.com/surveybot/surveybot/survey"
)

func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	vars := map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(t.TempDir(), "test.db")}
	code := run(context.Background(), args, env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		getenv: func(k string) string { return vars[k] },
	})
	return code, out.String(), errOut.String()
}

func TestQuestionnaireCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("id: x\nversion: 1\ntitle: {de: T, en: T}\nprivacy: {de: P, en: P}\nfields: [{id: f, title: {de: F, en: F}}]\nmodules:\n  - id: m\n    title: {de: M, en: M}\n    colour: red\n    items:\n      - id: a\n        type: scale\n        text: {de: A}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	chamber := filepath.Join(dir, "chamber.yaml")
	if err := os.WriteFile(chamber, []byte("id: hwk-test\nversion: 1\ntitle: {de: Extra, en: Extra}\nextends: {id: dimn, version: 1}\nmodules:\n  - id: extra\n    title: {de: Zusatz, en: Extra}\n    items:\n      - id: x_staff\n        type: integer\n        min: 0\n        max: 100000\n        text: {de: \"Wie viele?\", en: \"How many?\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"embedded core", []string{"questionnaire", "check"}, 0, []string{"dimn@1", "is valid", "maturity", "longest 29 questions", "org_type = education"}},
		{"chamber file", []string{"questionnaire", "check", chamber}, 0, []string{"hwk-test@1", "extends the shared core dimn@1", "extra"}},
		{"broken file", []string{"questionnaire", "check", bad}, 1, []string{
			bad + ":9: m: unknown key \"colour\" in a module",
			bad + ":13: a: text has no English text (en)",
			bad + ":11: a: a scale needs points between 2 and 11",
			"problem(s) found",
		}},
		{"missing file", []string{"questionnaire", "check", filepath.Join(dir, "nope.yaml")}, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d; stdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestChatInEnglish(t *testing.T) {
	code, out, errOut := runCmd(t, "yes\n2\n", "chat", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	for _, w := range []string{"Would you like to take part in the survey?", "Question 1 of about", "Question 2 of about 18", "Input ended"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestUsageErrors gives wrong arguments: the answer is the one line that
// says what is wrong and the usage of that command only (of its
// subcommand where one is named), or where to find the commands.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		want      []string
		wantLines int // at most
		notWant   string
	}{
		{nil, []string{"no command given", "surveybot help"}, 2, "Usage:"},
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate"`, "surveybot help"}, 2, "Usage:"},
		{[]string{"chat", "--lang", "fr"}, []string{"Usage:", "surveybot chat [--config FILE]", "surveybot help"}, 10, "surveybot serve"},
		{[]string{"questionnaire"}, []string{"questionnaire needs the subcommand check", "surveybot questionnaire check [FILE]"}, 8, "surveybot serve"},
		{[]string{"campaign", "launch"}, []string{"campaign launch needs the campaign id", "surveybot campaign launch|pause|resume|status"}, 10, "campaign create"},
		{[]string{"remind"}, []string{"remind needs the campaign id", "surveybot campaign remind"}, 10, "campaign create"},
		{[]string{"chamber", "add", "--bogus"}, []string{"flag provided but not defined: -bogus", "surveybot chamber add [--config FILE]"}, 7, "Usage of"},
	} {
		code, _, errOut := runCmd(t, "", tc.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, errOut)
			}
		}
		if n := strings.Count(errOut, "\n"); n > tc.wantLines || strings.Contains(errOut, tc.notWant) {
			t.Errorf("%v: %d lines, want at most %d and no %q:\n%s", tc.args, n, tc.wantLines, tc.notWant, errOut)
		}
	}
}

// TestServeOutlivesTelegramOutage starts serve while the Bot API cannot be
// reached: the web form and health checks stay up, and a shutdown is clean.
func TestServeOutlivesTelegramOutage(t *testing.T) {
	addr := testrig.FreeAddr(t)
	vars := map[string]string{
		"SURVEYBOT_SQL_DSN":          "sqlite:" + filepath.Join(t.TempDir(), "outage.db"),
		"SURVEYBOT_SERVER_LISTEN":    addr,
		"SURVEYBOT_TELEGRAM_TOKEN":   "1:unreachable",
		"SURVEYBOT_TELEGRAM_API_URL": "http://127.0.0.1:1",
		"SURVEYBOT_LOG_LEVEL":        "error",
	}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"serve"}, env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
	}()
	testrig.WaitReady(t, addr)
	time.Sleep(1500 * time.Millisecond) // past the first failed Bot API calls
	testrig.WaitReady(t, addr)
	cancel()
	if c := <-code; c != 0 {
		t.Errorf("serve exited %d after a clean shutdown", c)
	}
}

// TestEraseByEmail answers an erasure request that names an e-mail address.
func TestEraseByEmail(t *testing.T) {
	vars := map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(t.TempDir(), "erase.db")}
	runIt := func(args ...string) (int, string) {
		var out strings.Builder
		code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		return code, out.String()
	}
	if code, out := runIt("invitation", "create", "--email", "Betrieb@Example.org"); code != 0 {
		t.Fatalf("invitation create: %d %s", code, out)
	}
	if code, out := runIt("respondent", "erase", "--email", "betrieb@example.org"); code != 0 || !strings.Contains(out, "erased") {
		t.Fatalf("erase by e-mail: %d %s", code, out)
	}
	if code, out := runIt("respondent", "erase", "--email", "betrieb@example.org"); code != 1 || !strings.Contains(out, "nothing to erase") {
		t.Errorf("erasing again: %d %s", code, out)
	}
	if code, _ := runIt("respondent", "erase", "--email", "a@b.de", "--telegram", "5"); code != 2 {
		t.Errorf("two ways at once: exit %d, want 2", code)
	}
}

// TestDemoDataAndDigestPreview fills a database with generated responses
// and renders the week's digest into files.
func TestDemoDataAndDigestPreview(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(dir, "demo.db")}
	runIt := func(args ...string) (int, string) {
		var out strings.Builder
		code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		return code, out.String()
	}
	if code, out := runIt("demo-data", "--responses", "200", "--weeks", "3"); code != 0 || !strings.Contains(out, "200 synthetic responses") {
		t.Fatalf("demo-data: %d %s", code, out)
	}
	week := survey.ISOWeek(time.Now())
	code, out := runIt("digest", "preview", "--week", week, "--out", dir)
	if code != 0 || !strings.Contains(out, "Wochenbericht "+week) || !strings.Contains(out, "Digitaler Reifegrad:") {
		t.Fatalf("digest preview: %d %s", code, out)
	}
	f, err := os.Open(filepath.Join(dir, "digest-"+week+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("the chart file is not a PNG: %v", err)
	}
	if code, _ := runIt("digest", "preview", "--week", "2026-48"); code != 2 {
		t.Errorf("a malformed week: exit %d, want 2", code)
	}
}

// TestDigestSubscribers adds, lists and removes digest subscribers.
func TestDigestSubscribers(t *testing.T) {
	vars := map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(t.TempDir(), "subs.db")}
	runIt := func(args ...string) (int, string) {
		var out strings.Builder
		code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		return code, out.String()
	}
	for _, args := range [][]string{{"--email", "rat@example.org"}, {"--slack", "C0COUNCIL"}} {
		if code, out := runIt(append([]string{"digest", "subscribers", "add"}, args...)...); code != 0 {
			t.Fatalf("add %v: %d %s", args, code, out)
		}
	}
	if code, out := runIt("digest", "subscribers", "list"); code != 0 || !strings.Contains(out, "email\trat@example.org") || !strings.Contains(out, "slack\tC0COUNCIL") {
		t.Errorf("list: %d %q", code, out)
	}
	if code, _ := runIt("digest", "subscribers", "remove", "--slack", "C0COUNCIL"); code != 0 {
		t.Errorf("remove failed")
	}
	if code, out := runIt("digest", "subscribers", "remove", "--slack", "C0COUNCIL"); code != 1 || !strings.Contains(out, "not found") {
		t.Errorf("removing twice: %d %q", code, out)
	}
	if code, _ := runIt("digest", "subscribers", "add", "--email", "no-address"); code != 2 {
		t.Errorf("a bad address: exit %d, want 2", code)
	}
}
