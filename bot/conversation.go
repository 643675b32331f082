// Package bot is the service: it runs respondents' conversations over the
// dialogs engine, keeps them in the stores, and serves HTTP.
package bot

import (
	"context"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// Conversation is one respondent's dialog as a channel with a single user,
// such as the terminal, sees it.
type Conversation struct {
	svc        *Service
	who        survey.Identity
	lang       dialogs.Lang
	invitation string
}

// Conversation returns the dialog of the respondent known as who; lang is
// the language of a new response.
func (s *Service) Conversation(who survey.Identity, lang dialogs.Lang) *Conversation {
	return &Conversation{svc: s, who: who, lang: lang}
}

// WithInvitation makes Start open the response a personal invitation key
// leads to, wherever it was begun.
func (c *Conversation) WithInvitation(key string) *Conversation {
	c.invitation = key
	return c
}

// Start starts or resumes the dialog.
func (c *Conversation) Start(ctx context.Context) (Reply, error) {
	if c.invitation != "" {
		return c.svc.StartInvitation(ctx, c.who, c.invitation)
	}
	return c.svc.Open(ctx, c.who, c.lang)
}

// Send applies one input.
func (c *Conversation) Send(ctx context.Context, in dialogs.Input) (Reply, error) {
	return c.svc.Handle(ctx, c.who, in)
}

// Erase erases the respondent's data on every channel (EraseIdentity).
func (c *Conversation) Erase(ctx context.Context) error {
	return c.svc.EraseIdentity(ctx, c.who)
}
