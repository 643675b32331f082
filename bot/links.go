package bot

import (
	"context"
	"time"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// NewInvitation makes a personal invitation, with answers known
// beforehand (an open link's chamber) or none, and returns its key: for
// someone who starts the survey in the browser without one.
func (s *Service) NewInvitation(ctx context.Context, lang dialogs.Lang, fixed map[string]string, ttl time.Duration) (string, error) {
	_, key, err := s.store.CreateInvitation(ctx, survey.NewInvitation{Lang: lang, Fixed: fixed, TTL: ttl})
	return key, err
}

// OpenLink looks an open link up (a chamber's newsletter or web page): an
// unknown or expired one is ErrUnknownInvitation or ErrExpiredInvitation.
// StartOpen follows it on a messenger; the web form makes a personal
// invitation of it with NewInvitation.
func (s *Service) OpenLink(ctx context.Context, key string) (survey.OpenLink, error) {
	link, err := s.store.OpenLinkByKey(ctx, key)
	if err != nil {
		return survey.OpenLink{}, keyError("open link", err)
	}
	return link, nil
}

// MarkOpened records that a campaign's personal link was opened.
func (s *Service) MarkOpened(ctx context.Context, key string) error {
	return s.store.MarkOpened(ctx, key)
}

// OptOut puts the address of the invitation with key on the opt-out
// list, so that no campaign writes to it again.
func (s *Service) OptOut(ctx context.Context, key string) error {
	return s.store.OptOutByInvitation(ctx, key)
}

// SubscribeDigest adds a subscriber of the weekly digest.
func (s *Service) SubscribeDigest(ctx context.Context, sub survey.Subscriber) error {
	return s.store.AddSubscriber(ctx, sub)
}

// UnsubscribeDigest removes a subscriber of the weekly digest; one who was
// not subscribed is survey.ErrNotFound.
func (s *Service) UnsubscribeDigest(ctx context.Context, sub survey.Subscriber) error {
	return s.store.RemoveSubscriber(ctx, sub)
}
