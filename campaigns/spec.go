package campaigns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/surveybot/surveybot/dialogs"
	"github.com/surveybot/surveybot/survey"
)

// ErrInvalidCampaign wraps what is wrong with a campaign's settings.
var ErrInvalidCampaign = errors.New("invalid campaign")

// Spec is a campaign as a chamber describes it (CLI flags, API
// JSON). Empty fields take the defaults.
type Spec struct {
	Chamber       string           `json:"chamber"` // answer code; a chamber's API key sets its own
	Name          string           `json:"name"`
	Questionnaire string           `json:"questionnaire,omitempty"` // id@version; default the one served
	Wave          string           `json:"wave,omitempty"`          // the wave invited to; default the one current at the start
	Channels      []survey.Channel `json:"channels"`                // order of preference; default email,telegram,slack
	Start         string           `json:"start,omitempty"`         // YYYY-MM-DD or RFC 3339; default now
	End           string           `json:"end"`                     // YYYY-MM-DD (the whole day) or RFC 3339
	Reminders     []int            `json:"reminders,omitempty"`     // days after the invitation
	QuietHours    string           `json:"quiet_hours,omitempty"`   // 20:00-08:00 (default), or "none"
	QuietSunday   *bool            `json:"quiet_sunday,omitempty"`  // default true
	Timezone      string           `json:"timezone,omitempty"`      // default Europe/Berlin
	Lang          string           `json:"lang,omitempty"`          // for members without one; default de
	Personal      *bool            `json:"personal,omitempty"`      // invite members personally; default true
	OpenLink      bool             `json:"open_link,omitempty"`     // also make an open link for the chamber
}

// Create validates a campaign and stores it as a draft, for the chamber
// of p (the operator names it in spec.Chamber).
func (c *Service) Create(ctx context.Context, p survey.Principal, spec Spec) (survey.Campaign, error) {
	bad := func(format string, a ...any) (survey.Campaign, error) {
		return survey.Campaign{}, fmt.Errorf("%w: %s", ErrInvalidCampaign, fmt.Sprintf(format, a...))
	}
	ch, err := c.chamberFor(ctx, p, spec.Chamber)
	if err != nil {
		return survey.Campaign{}, err
	}
	camp := survey.Campaign{ChamberID: ch.ID, Name: strings.TrimSpace(spec.Name), Questionnaire: c.q.Ref(),
		Channels: spec.Channels, QuietFrom: "20:00", QuietUntil: "08:00", QuietSunday: true,
		Timezone: "Europe/Berlin", Lang: dialogs.German, Personal: true}
	if camp.Name == "" || utf8.RuneCountInString(camp.Name) > 200 {
		return bad("name: give the campaign a name of at most 200 characters")
	}
	if spec.Questionnaire != "" && spec.Questionnaire != c.q.Ref().String() {
		return bad("questionnaire %s: this service asks %s", spec.Questionnaire, c.q.Ref())
	}
	if len(camp.Channels) == 0 {
		camp.Channels = survey.InviteChannels()
	}
	seen := map[survey.Channel]bool{}
	for _, x := range camp.Channels {
		if !slices.Contains(survey.InviteChannels(), x) || seen[x] {
			return bad("channels: %q; list email, telegram and slack in the order to try them, each once", x)
		}
		seen[x] = true
	}
	if spec.Timezone != "" {
		camp.Timezone = spec.Timezone
	}
	loc, err := time.LoadLocation(camp.Timezone)
	if err != nil {
		return bad("timezone %q: %v", camp.Timezone, err)
	}
	now := c.cfg.Now()
	camp.StartsAt = now
	if spec.Start != "" {
		if camp.StartsAt, err = survey.ParseDay(spec.Start, loc, false); err != nil {
			return bad("start: %v", err)
		}
	}
	if spec.End == "" {
		return bad("end: give the last day of the campaign (YYYY-MM-DD)")
	}
	if camp.EndsAt, err = survey.ParseDay(spec.End, loc, true); err != nil {
		return bad("end: %v", err)
	}
	if !camp.EndsAt.After(camp.StartsAt) || !camp.EndsAt.After(now) {
		return bad("end: %s is not after the start and today", spec.End)
	}
	wave, err := c.waveOf(ctx, spec.Wave, camp.StartsAt)
	if err != nil {
		return survey.Campaign{}, err
	}
	if camp.StartsAt.Before(wave.StartsAt) {
		return bad("start: the campaign starts before its wave %s does (%s); start it then", wave.Name, wave.StartsAt.In(loc).Format(time.DateOnly))
	}
	camp.WaveID, camp.Wave = wave.ID, wave.Name
	for _, d := range spec.Reminders {
		if d < 1 || d > 365 {
			return bad("reminders: %d days; give days after the invitation between 1 and 365", d)
		}
	}
	camp.Reminders = slices.Compact(slices.Sorted(slices.Values(spec.Reminders)))
	switch q := strings.TrimSpace(spec.QuietHours); q {
	case "":
	case "none", "keine":
		camp.QuietFrom, camp.QuietUntil = "00:00", "00:00"
	default:
		from, until, ok := strings.Cut(q, "-")
		if _, err := clock(from); !ok || err != nil {
			return bad("quiet_hours %q: write them as 20:00-08:00, or none", q)
		}
		if _, err := clock(until); err != nil {
			return bad("quiet_hours %q: write them as 20:00-08:00, or none", q)
		}
		camp.QuietFrom, camp.QuietUntil = strings.TrimSpace(from), strings.TrimSpace(until)
	}
	if spec.QuietSunday != nil {
		camp.QuietSunday = *spec.QuietSunday
	}
	if spec.Lang != "" {
		if camp.Lang, err = dialogs.ParseLang(spec.Lang); err != nil {
			return bad("lang: %v", err)
		}
	}
	if spec.Personal != nil {
		camp.Personal = *spec.Personal
	}
	if !camp.Personal && !spec.OpenLink {
		return bad("a campaign needs personal invitations, an open link, or both")
	}
	if spec.OpenLink {
		l, err := c.db.CreateOpenLink(ctx, camp.Lang, map[string]string{"chamber": ch.Code}, camp.EndsAt.Sub(now))
		if err != nil {
			return survey.Campaign{}, err
		}
		camp.OpenLink = l.Key
	}
	return c.db.CreateCampaign(ctx, camp)
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// waveOf returns the wave a campaign invites to: the one named, or else
// the one current at the campaign's start (on a fresh installation the
// first wave, made now).
func (c *Service) waveOf(ctx context.Context, name string, start time.Time) (survey.Wave, error) {
	if name = strings.TrimSpace(name); name != "" {
		w, err := c.db.Wave(ctx, name)
		if errors.Is(err, survey.ErrNotFound) {
			return survey.Wave{}, fmt.Errorf("%w: wave %q: no such wave; see surveybot wave list", ErrInvalidCampaign, name)
		}
		return w, err
	}
	w, err := c.db.CurrentWave(ctx, start)
	if errors.Is(err, survey.ErrNoWave) {
		if w, err = c.db.EnsureWave(ctx, c.q.Ref()); errors.Is(err, survey.ErrNoWave) {
			return survey.Wave{}, fmt.Errorf("%w: wave: no wave has started by the campaign's start; name the planned wave, or start the campaign when it starts", ErrInvalidCampaign)
		}
	}
	return w, err
}
