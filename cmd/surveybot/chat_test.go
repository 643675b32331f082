package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// chatRig runs CLI commands against one database, as a respondent who
// starts `surveybot chat` several times does.
type chatRig struct {
	t    *testing.T
	vars map[string]string
}

func newChatRig(t *testing.T) *chatRig {
	return &chatRig{t: t, vars: map[string]string{"SURVEYBOT_SQL_DSN": "sqlite:" + filepath.Join(t.TempDir(), "chat.db")}}
}

// run runs one command with stdin and returns its exit code and stdout.
func (r *chatRig) run(stdin string, args ...string) (int, string) {
	r.t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), args, env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		getenv: func(k string) string { return r.vars[k] },
	})
	if errOut.Len() > 0 {
		r.t.Logf("stderr: %s", errOut.String())
	}
	return code, out.String()
}

// TestChatAfterDeclineTakesRestart declines, starts the chat again and
// types the "neustart" its goodbye asks for: the privacy notice comes back.
func TestChatAfterDeclineTakesRestart(t *testing.T) {
	rig := newChatRig(t)
	if code, out := rig.run("nein\n", "chat", "--respondent", "anna"); code != 0 || !strings.Contains(out, "schreiben Sie „neustart“") {
		t.Fatalf("decline: exit %d, output:\n%s", code, out)
	}
	code, out := rig.run("neustart\nja\n", "chat", "--respondent", "anna")
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	_, after, ok := strings.Cut(out, "neustart")
	if !ok || !strings.Contains(after, "Möchten Sie an der Umfrage teilnehmen?") || !strings.Contains(after, "Frage 1 von ca.") {
		t.Errorf("the restart typed after the decline was not taken:\n%s", out)
	}
}

// TestChatEndOfInputSaysHowToResume ends the input mid-dialog (Ctrl-D):
// the terminal says how to carry on, and that way continues the response.
func TestChatEndOfInputSaysHowToResume(t *testing.T) {
	rig := newChatRig(t)
	code, out := rig.run("ja\n1\n", "chat", "--respondent", "bäckerei-ost")
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	want := "Weiter geht es mit „surveybot chat --respondent bäckerei-ost“"
	if !strings.Contains(out, "noch nicht abgeschlossen") || !strings.Contains(out, want) {
		t.Fatalf("end of input does not say %q:\n%s", want, out)
	}
	if _, out = rig.run("", "chat", "--respondent", "bäckerei-ost"); !strings.Contains(out, "Frage 2 von ca.") {
		t.Errorf("the advertised command does not continue at question 2:\n%s", out)
	}

	code, out = rig.run("", "invitation", "create", "--lang", "en")
	if code != 0 {
		t.Fatalf("invitation create: %d %s", code, out)
	}
	fields := strings.Fields(out)
	key, link := fields[0], fields[1]
	_, out = rig.run("yes\n", "chat", "--invitation", key, "--lang", "en")
	for _, w := range []string{"“surveybot chat --invitation " + key + "”", "personal link " + link} {
		if !strings.Contains(out, w) {
			t.Errorf("end of input with an invitation does not say %q:\n%s", w, out)
		}
	}
}

// TestChatErasesAfterConfirmation types the erase command the privacy
// notice names: "nein" keeps everything, "ja" erases, and the next chat
// begins anew.
func TestChatErasesAfterConfirmation(t *testing.T) {
	rig := newChatRig(t)
	code, out := rig.run("ja\n1\nlöschen\nnein\n1\nlöschen\nja\n", "chat", "--respondent", "anna")
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	for _, w := range []string{"indem Sie „löschen“ schreiben", "Möchten Sie wirklich alle Ihre Daten löschen?", "Es wurde nichts gelöscht.", "Frage 3 von ca.", "Ihre Daten wurden gelöscht."} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "/delete") || strings.Contains(out, "Bitte antworten Sie mit „ja“ oder „nein“") {
		t.Errorf("the terminal talks of /delete or does not take „löschen“:\n%s", out)
	}
	if _, out = rig.run("", "chat", "--respondent", "anna"); !strings.Contains(out, "Möchten Sie an der Umfrage teilnehmen?") || strings.Contains(out, "Frage 3") {
		t.Errorf("after erasing, the chat does not begin anew:\n%s", out)
	}
}
