// Package bot is the service: it runs respondents' conversations over the
// dialogs engine and keeps them, and wires channels, stores and jobs.
package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/surveybot/surveybot/dialogs"
)

// Reply is what a channel shows after one input: the prompts, in the
// respondent's current language, and where the dialog now stands.
type Reply struct {
	Prompts []dialogs.Prompt
	Lang    dialogs.Lang
	Phase   dialogs.Phase
}

// Finished reports whether the dialog has ended (completed or declined).
func (r Reply) Finished() bool {
	return r.Phase == dialogs.PhaseDone || r.Phase == dialogs.PhaseDeclined
}

// Conversation is one respondent's dialog held in memory: what `surveybot
// chat` uses when no store is configured, and what tests drive.
type Conversation struct {
	q     *dialogs.Questionnaire
	lang  dialogs.Lang
	fixed map[string]string

	mu sync.Mutex
	st dialogs.State
}

// NewConversation returns a conversation over q in lang. fixed holds answers
// known beforehand, which are never asked.
func NewConversation(q *dialogs.Questionnaire, lang dialogs.Lang, fixed map[string]string) *Conversation {
	return &Conversation{q: q, lang: lang, fixed: fixed}
}

// Start begins the dialog with the consent prompt.
func (c *Conversation) Start(ctx context.Context) (Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ps, err := dialogs.Start(c.q, c.lang, c.fixed)
	if err != nil {
		return Reply{}, fmt.Errorf("start dialog: %w", err)
	}
	c.st = st
	return Reply{Prompts: ps, Lang: st.Lang, Phase: st.Phase}, nil
}

// Send applies one input.
func (c *Conversation) Send(ctx context.Context, in dialogs.Input) (Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ps, err := dialogs.Step(c.q, c.st, in)
	if err != nil {
		return Reply{}, fmt.Errorf("dialog step: %w", err)
	}
	c.st = st
	return Reply{Prompts: ps, Lang: st.Lang, Phase: st.Phase}, nil
}

// State returns the dialog's current state.
func (c *Conversation) State() dialogs.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}
