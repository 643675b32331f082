package email_test

import (
	"context"
	"errors"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/surveybot/surveybot/channels/email"
	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

type senderFunc func(context.Context, email.Message) error

func (f senderFunc) Send(ctx context.Context, m email.Message) error { return f(ctx, m) }

// TestInviterClassifiesErrors checks what the campaign runner learns from
// a failed invitation mail: given up for good, tried again later, or not
// sent again since the server may have taken it.
func TestInviterClassifiesErrors(t *testing.T) {
	links := func(key string) email.Links {
		return email.Links{Web: "https://survey.example.org/s/" + key, Unsubscribe: "https://survey.example.org/u/" + key}
	}
	inv := survey.Invite{MessageID: "m1", Lang: dialogs.German, Chamber: "HWK Hannover", Key: "k1", To: "alt@example.org",
		Deadline: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		name               string
		inv                survey.Invite
		err                error
		permanent, notSent bool
		wantErr            bool
	}{
		{name: "sent", inv: inv},
		{name: "mailbox unknown (550)", inv: inv, err: &textproto.Error{Code: 550, Msg: "no such user"}, permanent: true, wantErr: true},
		{name: "greylisted (451)", inv: inv, err: &textproto.Error{Code: 451, Msg: "try again later"}, notSent: true, wantErr: true},
		{name: "connection lost mid-way", inv: inv, err: errors.New("read: connection reset by peer"), wantErr: true},
		{name: "no recipient", inv: survey.Invite{Lang: dialogs.German, Key: "k2", Deadline: inv.Deadline}, permanent: true, wantErr: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got email.Message
			i := email.Inviter{Links: links, Sender: senderFunc(func(_ context.Context, m email.Message) error {
				got = m
				return c.err
			})}
			err := i.SendInvite(context.Background(), c.inv)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, c.wantErr)
			}
			var p interface{ Permanent() bool }
			var n interface{ NotSent() bool }
			if isP := errors.As(err, &p) && p.Permanent(); isP != c.permanent {
				t.Errorf("permanent = %v, want %v (%v)", isP, c.permanent, err)
			}
			if isN := errors.As(err, &n) && n.NotSent(); isN != c.notSent {
				t.Errorf("not sent = %v, want %v (%v)", isN, c.notSent, err)
			}
			if c.err == nil && !c.wantErr && !strings.Contains(got.Text, "https://survey.example.org/s/k1") {
				t.Errorf("mail text lacks the personal link:\n%s", got.Text)
			}
		})
	}
}
