package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/surveybot/surveybot/survey"
)

// Errors of StartInvitation, for channels to explain.
var (
	ErrUnknownInvitation = errors.New("unknown invitation")
	ErrExpiredInvitation = errors.New("invitation expired")
)

// StartInvitation opens the response a personal invitation leads to, for
// the respondent known as who on some channel: it links who to the
// invitation's respondent, so a response begun on one channel continues on
// any other, and starts the response with the invitation's fixed answers.
func (s *Service) StartInvitation(ctx context.Context, who survey.Identity, key string) (Reply, error) {
	inv, err := s.store.InvitationByKey(ctx, key)
	if err != nil {
		return Reply{}, keyError("invitation", err)
	}
	if rid, err := s.store.RespondentByIdentity(ctx, who); err != nil || rid != inv.RespondentID {
		if err := s.store.LinkIdentity(ctx, inv.RespondentID, who); err != nil {
			return Reply{}, err
		}
		s.log.Info("identity linked to invitation", slog.String("invitation", inv.ID), slog.String("channel", string(who.Channel)))
	}
	return s.open(ctx, who, inv.Lang, inv.Fixed)
}

// StartOpen starts the response an open link leads to (a newsletter's
// Telegram link, a chamber's web page): a respondent who already has a
// response continues it; anyone else begins one with the link's fixed
// answers, such as the chamber.
func (s *Service) StartOpen(ctx context.Context, who survey.Identity, key string) (Reply, error) {
	link, err := s.OpenLink(ctx, key)
	if err != nil {
		return Reply{}, err
	}
	return s.open(ctx, who, link.Lang, link.Fixed)
}

// Known reports whether who already has a response (not erased), so a
// channel that only lets invited respondents in can tell them apart.
func (s *Service) Known(ctx context.Context, who survey.Identity) (bool, error) {
	resp, err := s.store.CurrentResponse(ctx, who)
	if errors.Is(err, survey.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return resp.Status != survey.StatusErased, nil
}

// EraseIdentity erases the respondent known as who: their identities on
// every channel, their answers and live sessions. It returns ErrNotFound
// wrapped if who is unknown.
func (s *Service) EraseIdentity(ctx context.Context, who survey.Identity) error {
	rid, err := s.store.RespondentByIdentity(ctx, who)
	if err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	return s.Erase(ctx, rid)
}

// keyError turns the store's answer for a key nobody can use into the
// errors channels explain to the respondent.
func keyError(what string, err error) error {
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return ErrUnknownInvitation
	case errors.Is(err, survey.ErrExpired):
		return ErrExpiredInvitation
	}
	return fmt.Errorf("%s: %w", what, err)
}
