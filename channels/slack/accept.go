package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/surveybot/surveybot/channels/outbox"
	"github.com/surveybot/surveybot/dialogs"
)

// errMalformed is returned for a request whose payload cannot be read.
var errMalformed = errors.New("malformed payload")

// acceptEvent takes an Events API payload: it returns the challenge of a
// URL verification, drops an event_id already taken (a retry of an event
// not yet seen is taken like the first delivery), and queues the work in
// the user's lane. It returns once the event is queued, not done.
func (c *Channel) acceptEvent(ctx context.Context, body []byte) (string, error) {
	var outer struct {
		Type      string          `json:"type"`
		Challenge string          `json:"challenge"`
		EventID   string          `json:"event_id"`
		Event     json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		return "", errMalformed
	}
	switch outer.Type {
	case slackevents.URLVerification:
		return outer.Challenge, nil
	case slackevents.CallbackEvent:
	default:
		return "", nil // app_rate_limited and the like: nothing to do
	}
	parsed, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil || outer.EventID == "" {
		return "", errMalformed
	}
	var (
		user string
		job  func(ctx context.Context) error
	)
	switch ev := parsed.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		// Only what a person types in the app's DM: not the bot's own
		// messages, edits, joins or other subtypes.
		if ev.ChannelType != "im" || ev.BotID != "" || ev.SubType != "" || ev.User == "" {
			return "", nil
		}
		user = ev.User
		m := *ev
		job = func(ctx context.Context) error { return c.handleMessage(ctx, m) }
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab != "messages" || ev.User == "" {
			return "", nil
		}
		user = ev.User
		u, ch := ev.User, ev.Channel
		job = func(ctx context.Context) error { return c.greet(ctx, u, ch) }
	default:
		return "", nil
	}
	fresh, err := c.kv.SetNX(ctx, "slack:evt:"+outer.EventID, "1", seenTTL)
	if err != nil {
		return "", fmt.Errorf("mark event: %w", err)
	}
	if !fresh {
		c.metrics.Rejected(reasonDuplicate)
		c.log.Debug("duplicate event dropped", slog.String("event_id", outer.EventID))
		return "", nil
	}
	if err := c.queueWork(user, job); err != nil {
		_ = c.kv.Del(ctx, "slack:evt:"+outer.EventID) // let Slack deliver it again
		return "", err
	}
	return "", nil
}

// acceptInteraction takes a block_actions payload: it drops a press
// already taken (the pair trigger_id/action_ts) and queues the work.
func (c *Channel) acceptInteraction(ctx context.Context, payload []byte) error {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return errMalformed
	}
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID == "" || len(cb.ActionCallback.BlockActions) == 0 {
		return nil
	}
	actionTS := cb.ActionTs
	if actionTS == "" {
		actionTS = cb.ActionCallback.BlockActions[0].ActionTs
	}
	key := "slack:act:" + cb.TriggerID + "/" + actionTS
	fresh, err := c.kv.SetNX(ctx, key, "1", seenTTL)
	if err != nil {
		return fmt.Errorf("mark interaction: %w", err)
	}
	if !fresh {
		c.metrics.Rejected(reasonDuplicate)
		c.log.Debug("duplicate interaction dropped", slog.String("trigger_id", cb.TriggerID))
		return nil
	}
	if err := c.queueWork(cb.User.ID, func(ctx context.Context) error { return c.handleInteraction(ctx, cb) }); err != nil {
		_ = c.kv.Del(ctx, key)
		return err
	}
	return nil
}

// acceptCommand takes /umfrage and returns the ephemeral answer for the
// response body: help at once, anything else "one moment" while the work
// is queued and its result goes to the DM.
func (c *Channel) acceptCommand(ctx context.Context, cmd slack.SlashCommand) (string, error) {
	lang := langOf("")
	verb, arg := splitArgs(cmd.Text)
	switch verb {
	case "start", "status", "language", "sprache", "delete", "löschen":
	default:
		return helpText(lang), nil
	}
	if cmd.TriggerID != "" {
		fresh, err := c.kv.SetNX(ctx, "slack:cmd:"+cmd.TriggerID, "1", seenTTL)
		if err != nil {
			return "", fmt.Errorf("mark command: %w", err)
		}
		if !fresh {
			c.metrics.Rejected(reasonDuplicate)
			return moment(lang), nil
		}
	}
	user := cmd.UserID
	err := c.queueWork(user, func(ctx context.Context) error { return c.handleCommand(ctx, user, verb, arg) })
	if err != nil {
		return "", err
	}
	return moment(lang), nil
}

// pseudonym stands for a Slack user in logs, as the send queue names its
// recipients: a short hash is enough to follow one user.
func pseudonym(user string) string {
	sum := sha256.Sum256([]byte(user))
	return hex.EncodeToString(sum[:6])
}

// splitArgs splits "start abc" into "start" and "abc".
func splitArgs(text string) (string, string) {
	verb, arg, _ := strings.Cut(strings.TrimSpace(text), " ")
	return strings.ToLower(verb), strings.TrimSpace(arg)
}

// queueWork puts a job in the user's lane of the work queue: the jobs of
// one user run one at a time, in the order they were accepted.
// The time from acceptance until the job is done is the request's handling
// time. The user is logged as a pseudonym: a Slack user id names a person.
func (c *Channel) queueWork(user string, job func(ctx context.Context) error) error {
	attempts := 0
	accepted := time.Now()
	err := c.work.Enqueue(outbox.Message{Key: user, Send: func(ctx context.Context) error {
		attempts++
		err := job(ctx)
		if err == nil {
			c.metrics.Handled(time.Since(accepted))
			return nil
		}
		c.log.Error("slack work", slog.String("user", pseudonym(user)), slog.Int("attempt", attempts), slog.Any("error", err))
		if attempts >= workAttempts {
			c.metrics.Failed()
			// Slack was told all is well; the user at least learns it was not.
			c.sendText(user, "", dialogs.UISlackFailed.In(langOf(user)))
		}
		return err
	}})
	if err != nil {
		return fmt.Errorf("queue work: %w", err)
	}
	return nil
}
