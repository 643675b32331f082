package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/surveybot/surveybot/channels/telegramtest"
)

// telegramChat is a respondent in a private chat with the bot, through
// the fake Bot API and serve's webhook.
type telegramChat struct {
	t       *testing.T
	tg      *telegramtest.Server
	chat    int64
	webhook string
	secret  string
}

func (c *telegramChat) post(u models.Update) {
	c.t.Helper()
	resp, err := c.tg.PostUpdate(c.webhook, c.secret, u)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("webhook: %d", resp.StatusCode)
	}
}

func (c *telegramChat) send(text string) { c.post(c.tg.SendText(c.chat, text)) }

// question waits until the newest message is a question with buttons
// other than the one answered last (id and text), or the end of the
// dialog; it returns the question, or ok false and the end's text.
func (c *telegramChat) question(prev telegramtest.Message) (telegramtest.Message, bool, string) {
	c.t.Helper()
	var q telegramtest.Message
	var end string
	done := false
	c.tg.WaitFor(c.t, 20*time.Second, func(s *telegramtest.Server) bool {
		msgs := s.Messages(c.chat)
		if len(msgs) == 0 {
			return false
		}
		last := msgs[len(msgs)-1]
		if len(last.Keyboard) == 0 && strings.Contains(last.Text, "Vielen Dank") {
			var texts []string
			for _, m := range msgs {
				if m.MessageID > prev.MessageID {
					texts = append(texts, m.Text)
				}
			}
			end, done = strings.Join(texts, "\n"), true
			return true
		}
		if len(last.Keyboard) == 0 || (last.MessageID == prev.MessageID && last.Text == prev.Text) {
			return false
		}
		q = last
		return true
	})
	return q, !done, end
}

// complete answers every question: the first option, "keine Angabe"
// where a question has no options, a Hannover postcode; multiple choices
// tick their first option. It returns the text shown at the end.
func (c *telegramChat) complete() string {
	c.t.Helper()
	var prev telegramtest.Message
	for range 80 {
		q, ok, end := c.question(prev)
		if !ok {
			return end
		}
		var item, option, done, na, skip string
		for _, row := range q.Keyboard {
			for _, b := range row {
				parts := strings.SplitN(b.CallbackData, "|", 3)
				if len(parts) != 3 {
					continue
				}
				item = parts[1]
				switch {
				case parts[0] == "o" && parts[2] == "na":
					na = b.CallbackData
				case parts[0] == "o" && option == "":
					option = b.CallbackData
				case b.CallbackData == "c|"+item+"|done":
					done = b.CallbackData
				case b.CallbackData == "c|"+item+"|skip":
					skip = b.CallbackData
				}
			}
		}
		switch {
		case done != "" && option != "":
			c.post(c.tg.Press(c.chat, q.MessageID, option))
			c.tg.WaitFor(c.t, 20*time.Second, func(s *telegramtest.Server) bool {
				last, ok := s.LastKeyboardMessage(c.chat)
				return ok && last.MessageID == q.MessageID && strings.Contains(last.Text+buttonTexts(last), "✓")
			})
			c.post(c.tg.Press(c.chat, q.MessageID, done))
		case option != "":
			c.post(c.tg.Press(c.chat, q.MessageID, option))
		case item == "postcode":
			c.send("30159")
		case na != "":
			c.post(c.tg.Press(c.chat, q.MessageID, na))
		case skip != "":
			c.post(c.tg.Press(c.chat, q.MessageID, skip))
		default:
			c.send("3")
		}
		prev = q
	}
	c.t.Fatal("the Telegram dialog did not end")
	return ""
}

func buttonTexts(m telegramtest.Message) string {
	var b strings.Builder
	for _, row := range m.Keyboard {
		for _, x := range row {
			b.WriteString(x.Text)
		}
	}
	return b.String()
}
