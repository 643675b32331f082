package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/dialogs"
)

// tgRespondent is a Telegram respondent's dialog in progress.
type tgRespondent struct {
	h    *harness
	r    *Respondent
	chat int64
	rng  *rand.Rand
	held []late[models.Update]
	st   *ChannelStats
}

// telegram answers a respondent's script through the webhook: it reads
// each question from the messages the bot sent to the fake Bot API,
// presses its buttons or types, and delivers every update until it is
// taken, as Telegram does.
func (h *harness) telegram(ctx context.Context, r *Respondent, rng *rand.Rand) error {
	chat, err := strconv.ParseInt(r.Who.External, 10, 64)
	if err != nil {
		return err
	}
	t := &tgRespondent{h: h, r: r, chat: chat, rng: rng, st: h.stats(kindTelegram)}
	if err := t.send(ctx, h.cfg.BotAPI.SendText(chat, "/start"), false); err != nil {
		return err
	}
	acts := r.Script.Actions
	for i := range acts {
		var prev *Action
		if i > 0 {
			prev = &acts[i-1]
		}
		km, err := t.await(ctx, acts[i].Before, prev)
		if err != nil {
			return err
		}
		if h.cfg.Think > 0 {
			if err := sleep(ctx, h.cfg.Think); err != nil {
				return err
			}
		}
		if err := t.do(ctx, km, acts[i], prev); err != nil {
			return err
		}
	}
	if _, err := t.await(ctx, acts[len(acts)-1].After, &acts[len(acts)-1]); err != nil {
		return err
	}
	// What is still held back for a late delivery goes now.
	for _, l := range t.held {
		t.st.add(func(s *ChannelStats) { s.Late++ })
		if err := h.deliver(ctx, l.v); err != nil {
			return err
		}
	}
	return nil
}

// do presses the action's button on the keyboard message km, or types.
// If the bot took the keyboard off km after the respondent saw it (the
// reply to a second /start, a nudge or a redelivery the faults let
// through, closes the prompt and sends it anew), nothing was pressed:
// the respondent waits for the screen again and presses the newest
// keyboard, as a person would, with await's checks.
func (t *tgRespondent) do(ctx context.Context, km telegramtest.Message, a Action, prev *Action) error {
	if a.Callback == "" {
		return t.send(ctx, t.h.cfg.BotAPI.SendText(t.chat, a.Text), a.Answers)
	}
	deadline := time.Now().Add(t.h.cfg.Deadline)
	for {
		u, err := t.h.cfg.BotAPI.TryPress(t.chat, km.MessageID, a.Callback)
		if errors.Is(err, telegramtest.ErrNoKeyboard) && time.Now().Before(deadline) {
			t.h.log.Debug("keyboard gone before the press; pressing the newest", slog.String("respondent", t.r.Name),
				slog.Int("message", km.MessageID), slog.String("want", a.Before.String()))
			t.st.add(func(s *ChannelStats) { s.Represses++ })
			if km, err = t.await(ctx, a.Before, prev); err != nil {
				return fmt.Errorf("press %s again: %w", a.Callback, err)
			}
			continue
		}
		if err != nil {
			return err
		}
		return t.send(ctx, u, a.Answers)
	}
}

// send delivers an update until it is taken; with the configured chances
// also a second time concurrently, and once more later. Held-back updates
// that are due go concurrently with it.
func (t *tgRespondent) send(ctx context.Context, u models.Update, answers bool) error {
	cfg := t.h.cfg
	var wg sync.WaitGroup
	errs := make(chan error, len(t.held)+1)
	keep := t.held[:0]
	for _, l := range t.held {
		if l.due--; l.due > 0 {
			keep = append(keep, l)
			continue
		}
		t.st.add(func(s *ChannelStats) { s.Late++ })
		wg.Go(func() { errs <- t.h.deliver(ctx, l.v) })
	}
	t.held = keep
	if chance(t.rng, cfg.Duplicates) {
		t.st.add(func(s *ChannelStats) { s.Duplicates++ })
		wg.Go(func() { errs <- t.h.deliver(ctx, u) })
	}
	start := time.Now()
	err := t.h.deliver(ctx, u)
	t.st.input(time.Since(start), answers)
	wg.Wait()
	close(errs)
	for e := range errs {
		err = errors.Join(err, e)
	}
	if chance(t.rng, cfg.Late) {
		t.held = append(t.held, late[models.Update]{v: u, due: 1 + t.rng.IntN(3)})
	}
	return err
}

// deliver posts an update to the webhook until an instance answers 2xx,
// as Telegram does, within the deadline.
func (h *harness) deliver(ctx context.Context, u models.Update) error {
	body, err := telegramtest.EncodeUpdate(u)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Deadline)
	defer cancel()
	st := h.stats(kindTelegram)
	for n := 0; ; n++ {
		resp, err := h.bal.do(ctx, func(base string) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, base+h.cfg.WebhookPath, bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", h.cfg.WebhookSecret)
			return req, nil
		})
		if err != nil {
			return fmt.Errorf("update %d not taken: %w", u.ID, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return nil
		}
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound {
			return fmt.Errorf("update %d: the webhook answers %d (secret or path wrong?)", u.ID, resp.StatusCode)
		}
		st.add(func(s *ChannelStats) { s.Retries++ })
		if err := sleep(ctx, backoff(n)); err != nil {
			return fmt.Errorf("update %d not taken (last answer %d): %w", u.ID, resp.StatusCode, err)
		}
	}
}

// await waits until the chat shows the screen want and returns the
// message with the keyboard to press on. If it does not come in time, the
// respondent sends /start to see where the dialog stands; if the dialog
// then still waits on the question before prev, prev's acknowledged input
// was lost: that is a problem, and the respondent answers again. Ticks of
// a multiple choice the keyboard lost are pressed again, also those a
// "done" was pressed on, which is then pressed again.
func (t *tgRespondent) await(ctx context.Context, want Screen, prev *Action) (telegramtest.Message, error) {
	fake := t.h.cfg.BotAPI
	deadline := time.Now().Add(t.h.cfg.Deadline)
	nudged, reticked := false, false
	for {
		wctx, cancel := context.WithTimeout(ctx, t.h.cfg.Nudge)
		msgs, err := fake.WaitChat(wctx, t.chat, func(m []telegramtest.Message) bool { return shows(m, want) })
		cancel()
		if err == nil {
			km, _ := lastKeyboard(msgs)
			return km, nil
		}
		if ctx.Err() != nil {
			return telegramtest.Message{}, ctx.Err()
		}
		cur, km := shown(msgs)
		if time.Now().After(deadline) {
			return telegramtest.Message{}, fmt.Errorf("waited %v for %s; the chat shows %s", t.h.cfg.Deadline, want, cur)
		}
		switch {
		case prev != nil && want.Item != "" && cur.Item == want.Item && !slices.Equal(cur.Draft, want.Draft):
			// The keyboard shows other ticks than were pressed and taken.
			t.lostTicks(want.Item, cur.Draft, want.Draft, prev)
			if err := t.retick(ctx, km, want.Item, cur.Draft, want.Draft); err != nil {
				return telegramtest.Message{}, err
			}
		case prev != nil && cur.Item != want.Item && cur.Item == prev.Before.Item && !slices.Equal(cur.Draft, prev.Before.Draft):
			// The ticks prev was pressed on were lost before it was applied,
			// and the bot refused it (a "done" on none) or could not apply
			// it: the respondent ticks them again, and presses prev again
			// once the keyboard shows them (below).
			t.lostTicks(cur.Item, cur.Draft, prev.Before.Draft, prev)
			if err := t.retick(ctx, km, cur.Item, cur.Draft, prev.Before.Draft); err != nil {
				return telegramtest.Message{}, err
			}
			reticked = true
		case reticked && cur.equal(prev.Before):
			if err := t.do(ctx, km, *prev, nil); err != nil {
				return telegramtest.Message{}, err
			}
			reticked, nudged = false, false
		case nudged && prev != nil && cur.equal(prev.Before):
			t.h.problem("%s: the acknowledged input %q on %s was not applied; the dialog still waits on it", t.r.Name, prev.Text, prev.Before.Item)
			if err := t.do(ctx, km, *prev, nil); err != nil {
				return telegramtest.Message{}, err
			}
			nudged = false
		default:
			t.h.log.Debug("no next question yet; sending /start", slog.String("respondent", t.r.Name), slog.String("want", want.String()), slog.String("shown", cur.String()))
			t.st.add(func(s *ChannelStats) { s.Nudges++ })
			if err := t.send(ctx, fake.SendText(t.chat, "/start"), false); err != nil {
				return telegramtest.Message{}, err
			}
			nudged = true
		}
	}
}

func (s Screen) String() string {
	switch {
	case s.Phase == dialogs.PhaseDone:
		return "the end"
	case len(s.Draft) > 0:
		return fmt.Sprintf("%s %v", s.Item, s.Draft)
	case s.Item == "":
		return "nothing"
	}
	return s.Item
}

func (s Screen) equal(o Screen) bool {
	return s.Item == o.Item && slices.Equal(s.Draft, o.Draft) && (s.Phase == dialogs.PhaseDone) == (o.Phase == dialogs.PhaseDone)
}

// shows reports whether the chat's messages show the screen.
func shows(msgs []telegramtest.Message, want Screen) bool {
	cur, _ := shown(msgs)
	if want.Phase == dialogs.PhaseDone {
		return cur.Phase == dialogs.PhaseDone
	}
	return cur.Item == want.Item && slices.Equal(cur.Draft, want.Draft)
}

// shown is what the chat shows: the end, once the newest message is the
// summary without buttons; else the question of the newest message with
// a keyboard and the options ticked on it.
func shown(msgs []telegramtest.Message) (Screen, telegramtest.Message) {
	if n := len(msgs); n > 0 && len(msgs[n-1].Keyboard) == 0 && strings.Contains(msgs[n-1].Text, "Vielen Dank") {
		return Screen{Phase: dialogs.PhaseDone}, telegramtest.Message{}
	}
	km, ok := lastKeyboard(msgs)
	if !ok {
		return Screen{}, km
	}
	var s Screen
	for _, row := range km.Keyboard {
		for _, b := range row {
			parts := strings.SplitN(b.CallbackData, "|", 3)
			if len(parts) != 3 {
				continue
			}
			s.Item = parts[1]
			if parts[0] == "o" && strings.HasPrefix(b.Text, "✓ ") {
				s.Draft = append(s.Draft, parts[2])
			}
		}
	}
	slices.Sort(s.Draft)
	return s, km
}

func lastKeyboard(msgs []telegramtest.Message) (telegramtest.Message, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Keyboard) > 0 {
			return msgs[i], true
		}
	}
	return telegramtest.Message{}, false
}

// lostTicks reports that the keyboard of item shows the ticks cur after
// the acknowledged press of prev, not want: a problem, or a warning where
// the fault loses the dialog sessions.
func (t *tgRespondent) lostTicks(item string, cur, want []string, prev *Action) {
	report := t.h.problem
	if t.h.cfg.AllowLostTicks {
		report = t.h.warning
	}
	report("%s: the keyboard of %s shows %v after the acknowledged press of %s, want %v",
		t.r.Name, item, cur, prev.Callback, want)
}

// retick presses the options of item on km that differ between the ticks
// shown and those wanted. A keyboard replaced meanwhile (see do) ends it:
// the caller looks at the chat again.
func (t *tgRespondent) retick(ctx context.Context, km telegramtest.Message, item string, shown, want []string) error {
	for _, code := range symmetricDiff(shown, want) {
		u, err := t.h.cfg.BotAPI.TryPress(t.chat, km.MessageID, "o|"+item+"|"+code)
		if errors.Is(err, telegramtest.ErrNoKeyboard) {
			return nil
		}
		if err != nil {
			return err
		}
		t.st.add(func(s *ChannelStats) { s.Repairs++ })
		if err := t.send(ctx, u, false); err != nil {
			return err
		}
	}
	return nil
}

func symmetricDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}
