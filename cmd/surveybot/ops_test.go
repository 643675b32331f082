package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// operatorCLI runs commands as an operator would, all on one SQLite
// database, and returns each one's exit code, stdout and stderr.
func operatorCLI(t *testing.T) func(args ...string) (int, string, string) {
	t.Helper()
	vars := map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(t.TempDir(), "ops.db")}
	return func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut strings.Builder
		code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), getenv: func(k string) string { return vars[k] }})
		return code, out.String(), errOut.String()
	}
}

// memberList writes a member list with an e-mail member and a Slack-only
// member into a file and returns its path.
// chamberWithMembers adds HWK Hannover with the two members of memberList
// and returns an end date for a campaign a month from now.
func chamberWithMembers(t *testing.T, cli func(args ...string) (int, string, string)) string {
	t.Helper()
	if code, _, errOut := cli("chamber", "add", "--code", "hwk_h", "--name", "HWK Hannover"); code != 0 {
		t.Fatalf("chamber add: %d %s", code, errOut)
	}
	if code, _, errOut := cli("members", "import", "--chamber", "hwk_h", memberList(t)); code != 0 {
		t.Fatalf("members import: %d %s", code, errOut)
	}
	return time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
}

func memberList(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mitglieder.csv")
	list := "Mitgliedsnummer;Firma;E-Mail;Slack;Einwilligung\n1;Tischlerei Alt;alt@example.org;;ja\n2;Bäckerei Celle;;U0CELLE001;ja\n"
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCampaignWarnsOfUnconfiguredChannel creates and launches a campaign on
// Slack and e-mail where Slack is not configured: both commands name Slack
// and the member it leaves out.
func TestCampaignWarnsOfUnconfiguredChannel(t *testing.T) {
	cli := operatorCLI(t)
	end := chamberWithMembers(t, cli)
	code, out, errOut := cli("campaign", "create", "--chamber", "hwk_h", "--name", "Herbst", "--end", end, "--channels", "slack,email")
	if code != 0 {
		t.Fatalf("campaign create: %d %s", code, errOut)
	}
	const want = "warning: channel slack is not configured"
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, "1 member(s)") {
		t.Errorf("campaign create printed %q, want %q and the 1 member left out", errOut, want)
	}
	id := strings.Fields(out)[1]
	code, out, errOut = cli("campaign", "launch", id)
	if code != 0 || !strings.Contains(out, "1 invitations queued") {
		t.Fatalf("campaign launch: %d %s %s", code, out, errOut)
	}
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, "1 member(s)") {
		t.Errorf("campaign launch printed %q, want %q and the 1 member left out", errOut, want)
	}
}

// TestRemindRightAfterLaunchIsRefused reminds right after the launch: the
// command refuses, saying from when it can remind, unless --force.
func TestRemindRightAfterLaunchIsRefused(t *testing.T) {
	cli := operatorCLI(t)
	end := chamberWithMembers(t, cli)
	code, out, errOut := cli("campaign", "create", "--chamber", "hwk_h", "--name", "Herbst", "--end", end, "--channels", "email")
	if code != 0 {
		t.Fatalf("campaign create: %d %s", code, errOut)
	}
	id := strings.Fields(out)[1]
	if code, out, errOut := cli("campaign", "launch", id); code != 0 {
		t.Fatalf("campaign launch: %d %s %s", code, out, errOut)
	}
	code, out, errOut = cli("campaign", "remind", id)
	from := time.Now().Add(72 * time.Hour).In(berlin(t)).Format("2006-01-02")
	if code != 1 || !strings.Contains(errOut, "not reminding yet") || !strings.Contains(errOut, "remind from "+from) || !strings.Contains(errOut, "--force") {
		t.Errorf("campaign remind right after the launch: exit %d, %q %q; want 1 and when it can remind (%s), or --force", code, out, errOut, from)
	}
	if code, out, errOut := cli("campaign", "remind", "--force", id); code != 0 || !strings.Contains(out, "reminders queued") {
		t.Errorf("campaign remind --force: exit %d, %q %q; want the reminders queued", code, out, errOut)
	}
}

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestChamberKeyCommands adds a chamber twice (a clear refusal naming
// `chamber key`), issues it a new key and revokes its keys.
func TestChamberKeyCommands(t *testing.T) {
	cli := operatorCLI(t)
	if code, _, errOut := cli("chamber", "add", "--code", "hwk_h", "--name", "HWK Hannover"); code != 0 {
		t.Fatalf("chamber add: %d %s", code, errOut)
	}
	code, _, errOut := cli("chamber", "add", "--code", "hwk_h", "--name", "HWK Hannover")
	const want = "surveybot: chamber hwk_h exists; use `surveybot chamber key --code hwk_h` to issue a new key\n"
	if code != 1 || errOut != want {
		t.Errorf("chamber add again: exit %d, %q; want 1, %q", code, errOut, want)
	}
	code, out, errOut := cli("chamber", "key", "--code", "hwk_h")
	if code != 0 || !strings.Contains(out, "new API key for chamber hwk_h") || !strings.Contains(out, "sb_") {
		t.Errorf("chamber key: exit %d, %q %q; want the new key", code, out, errOut)
	}
	code, out, errOut = cli("chamber", "revoke", "--code", "hwk_h")
	if code != 0 || !strings.Contains(out, "2 API key(s) of chamber hwk_h revoked") {
		t.Errorf("chamber revoke: exit %d, %q %q; want both keys revoked", code, out, errOut)
	}
	if code, _, errOut := cli("chamber", "key", "--code", "nope"); code != 1 || !strings.Contains(errOut, "no chamber nope") {
		t.Errorf("chamber key of an unknown chamber: exit %d, %q", code, errOut)
	}
}
