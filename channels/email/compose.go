package email

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"github.com/surveybot/surveybot/dialogs"
)

// Invite is what an invitation or reminder e-mail says to one respondent.
type Invite struct {
	Kind            Kind
	Lang            dialogs.Lang
	To              string
	Chamber         string    // shown name of the inviting chamber, may be ""
	WebLink         string    // personal link https://…/s/<key>
	TelegramLink    string    // https://t.me/<bot>?start=<key>, may be ""
	UnsubscribeLink string    // https://…/u/<key>
	Deadline        time.Time // optional: "bis zum 15. Dezember 2026"
}

// Header names and values of RFC 2369 and RFC 8058.
const (
	HeaderListUnsubscribe     = "List-Unsubscribe"
	HeaderListUnsubscribePost = "List-Unsubscribe-Post"
	oneClick                  = "List-Unsubscribe=One-Click"
	headerContentLanguage     = "Content-Language"
)

// textWidth is where plain-text paragraphs wrap; links are never broken.
const textWidth = 72

// view is what both templates show.
type view struct {
	Lang             string
	Subject          string
	Greeting         string
	Before, After    []string // paragraphs before and after the links
	WebButton        string
	WebLink          string
	LinkFallback     string
	TelegramButton   string
	TelegramFallback string
	TelegramLink     string
	Thanks           string
	Signature        string
	Why              string
	Unsubscribe      string
	UnsubscribeLabel string
	UnsubscribeLink  string
}

// The templates hold layout only; every word comes from dialogs.MailText.
var (
	textTemplate = texttemplate.Must(texttemplate.New("text").Funcs(texttemplate.FuncMap{"wrap": wrap}).Parse(textLayout))
	htmlTemplate = htmltemplate.Must(htmltemplate.New("html").Parse(htmlLayout))
)

const textLayout = `{{.Greeting}}
{{range .Before}}
{{wrap .}}
{{end}}
{{.WebButton}}:
{{.WebLink}}
{{if .TelegramLink}}
{{.TelegramButton}}:
{{.TelegramLink}}
{{end}}{{range .After}}
{{wrap .}}
{{end}}
{{.Thanks}}
{{.Signature}}

-- 
{{wrap .Why}}
{{wrap .Unsubscribe}}
{{.UnsubscribeLink}}
`

const htmlLayout = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f2f2f2;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f2f2f2;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;">
<tr><td style="padding:32px 28px 16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;">
<p style="margin:0 0 16px;">{{.Greeting}}</p>
{{- range .Before}}
<p style="margin:0 0 16px;">{{.}}</p>
{{- end}}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 12px;">
<tr><td style="border-radius:6px;background-color:#0b4f8a;">
<a href="{{.WebLink}}" style="display:inline-block;padding:14px 26px;font-family:Arial,Helvetica,sans-serif;font-size:18px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">{{.WebButton}}</a>
</td></tr>
</table>
<p style="margin:0 0 20px;font-size:14px;">{{.LinkFallback}}<br>
<a href="{{.WebLink}}" style="color:#0b4f8a;word-break:break-all;">{{.WebLink}}</a></p>
{{- if .TelegramLink}}
<p style="margin:0 0 8px;">{{.TelegramFallback}}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px;">
<tr><td style="border:2px solid #0b4f8a;border-radius:6px;">
<a href="{{.TelegramLink}}" style="display:inline-block;padding:10px 22px;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#0b4f8a;text-decoration:none;">{{.TelegramButton}}</a>
</td></tr>
</table>
<p style="margin:0 0 20px;font-size:14px;"><a href="{{.TelegramLink}}" style="color:#0b4f8a;word-break:break-all;">{{.TelegramLink}}</a></p>
{{- end}}
{{- range .After}}
<p style="margin:0 0 16px;">{{.}}</p>
{{- end}}
<p style="margin:0 0 16px;">{{.Thanks}}<br>{{.Signature}}</p>
</td></tr>
<tr><td style="padding:16px 28px 24px;border-top:1px solid #d0d0d0;font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:1.5;color:#555555;">
<p style="margin:0 0 8px;">{{.Why}}</p>
<p style="margin:0;">{{.Unsubscribe}} <a href="{{.UnsubscribeLink}}" style="color:#555555;">{{.UnsubscribeLabel}}</a><br>
<a href="{{.UnsubscribeLink}}" style="color:#555555;word-break:break-all;">{{.UnsubscribeLink}}</a></p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`

// Compose writes the e-mail for an invite: plain text and HTML in the
// invite's language, the subject for its kind, and the List-Unsubscribe
// headers. List-Unsubscribe-Post (RFC 8058 one-click) is set only for an
// https unsubscribe link, as the RFC demands. The deadline's day is the
// one in its own location. Compose fails with ErrInvalidMessage for an
// unknown kind, a bad recipient, or a link that is not an absolute http(s)
// URL.
func Compose(inv Invite) (Message, error) {
	if err := inv.validate(); err != nil {
		return Message{}, err
	}
	lang := inv.Lang
	if lang != dialogs.English {
		lang = dialogs.German
	}
	t := func(k dialogs.MailText, args ...any) string {
		if len(args) == 0 {
			return k.In(lang)
		}
		return fmt.Sprintf(k.In(lang), args...)
	}
	chamber := strings.Join(strings.Fields(inv.Chamber), " ") // no line breaks in a subject
	either := func(with, without dialogs.MailText) string {
		if chamber != "" {
			return t(with, chamber)
		}
		return t(without)
	}

	v := view{
		Lang:             string(lang),
		Greeting:         t(dialogs.MailGreeting),
		WebButton:        t(dialogs.MailWebButton),
		WebLink:          inv.WebLink,
		LinkFallback:     t(dialogs.MailLinkFallback),
		Thanks:           t(dialogs.MailThanks),
		Signature:        t(dialogs.MailSignature),
		Why:              either(dialogs.MailWhy, dialogs.MailWhyGeneric),
		Unsubscribe:      t(dialogs.MailUnsubscribe),
		UnsubscribeLabel: t(dialogs.MailUnsubscribeLabel),
		UnsubscribeLink:  inv.UnsubscribeLink,
	}
	switch inv.Kind {
	case Invitation:
		v.Subject = t(dialogs.MailSubjectInvitation)
		v.Before = append(v.Before, either(dialogs.MailIntroInvitation, dialogs.MailIntroInvitationGeneric))
		v.Before = append(v.Before, t(dialogs.MailAbout))
	case Reminder:
		v.Subject = either(dialogs.MailSubjectReminder, dialogs.MailSubjectReminderGeneric)
		v.Before = append(v.Before, either(dialogs.MailIntroReminder, dialogs.MailIntroReminderGeneric))
		v.Before = append(v.Before, t(dialogs.MailKept))
		v.Before = append(v.Before, t(dialogs.MailAbout))
	}
	if !inv.Deadline.IsZero() {
		v.Before = append(v.Before, t(dialogs.MailDeadline, formatDate(lang, inv.Deadline)))
	}
	v.After = append(v.After, t(dialogs.MailPrivacy))
	if inv.TelegramLink != "" {
		v.TelegramButton = t(dialogs.MailTelegramButton)
		v.TelegramFallback = t(dialogs.MailTelegramFallback)
		v.TelegramLink = inv.TelegramLink
		v.After = append(v.After, t(dialogs.MailChannels))
	} else {
		v.After = append(v.After, t(dialogs.MailChannelsWeb))
	}
	v.After = append(v.After, t(dialogs.MailPersonal))

	var text, html bytes.Buffer
	if err := textTemplate.Execute(&text, v); err != nil {
		return Message{}, fmt.Errorf("compose text: %w", err)
	}
	if err := htmlTemplate.Execute(&html, v); err != nil {
		return Message{}, fmt.Errorf("compose html: %w", err)
	}

	headers := map[string]string{
		HeaderListUnsubscribe: "<" + inv.UnsubscribeLink + ">",
		headerContentLanguage: string(lang),
	}
	if strings.HasPrefix(inv.UnsubscribeLink, "https://") {
		headers[HeaderListUnsubscribePost] = oneClick
	}
	return Message{
		To:      strings.TrimSpace(inv.To),
		Subject: v.Subject,
		Text:    text.String(),
		HTML:    html.String(),
		Headers: headers,
	}, nil
}

func (inv Invite) validate() error {
	if inv.Kind != Invitation && inv.Kind != Reminder {
		return fmt.Errorf("%w: unknown kind %d", ErrInvalidMessage, int(inv.Kind))
	}
	if _, err := mail.ParseAddress(inv.To); err != nil {
		return fmt.Errorf("%w: recipient: %w", ErrInvalidMessage, err)
	}
	for name, link := range map[string]string{"web link": inv.WebLink, "unsubscribe link": inv.UnsubscribeLink} {
		if err := checkLink(link); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidMessage, name, err)
		}
	}
	if inv.TelegramLink != "" {
		if err := checkLink(inv.TelegramLink); err != nil {
			return fmt.Errorf("%w: telegram link: %w", ErrInvalidMessage, err)
		}
	}
	return nil
}

// checkLink accepts an absolute http(s) URL that can stand in a header
// between angle brackets and in plain text without being cut.
func checkLink(link string) error {
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", link)
	}
	if strings.ContainsAny(link, " \t\r\n<>\"") {
		return fmt.Errorf("%q contains spaces or brackets", link)
	}
	return nil
}

// formatDate writes a day the way the language does: "15. Dezember 2026",
// "15 December 2026".
func formatDate(lang dialogs.Lang, d time.Time) string {
	return fmt.Sprintf(dialogs.MailDate.In(lang), d.Day(), dialogs.MonthName(d.Month()).In(lang), d.Year())
}

// wrap breaks a paragraph into lines of at most textWidth characters,
// between words only, so that links stay whole.
func wrap(s string) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		l := utf8.RuneCountInString(w)
		switch {
		case n == 0:
		case n+1+l > textWidth:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}
