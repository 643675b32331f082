// Package email composes the survey's invitation and reminder e-mails and
// sends them, over SMTP (go-mail) or, in the embedded default, by writing
// each message as an .eml file into a folder so that nothing needs a mail
// server. The wording lives in dialogs.MailText.
package email

import (
	"context"
	"errors"
)

// Sentinel errors.
var (
	// ErrInvalidConfig is returned by the constructors for a configuration
	// they cannot work with.
	ErrInvalidConfig = errors.New("email: invalid configuration")
	// ErrInvalidMessage is returned for a message or invite that lacks a
	// recipient, a link or a subject.
	ErrInvalidMessage = errors.New("email: invalid message")
)

// Message is one e-mail ready to send.
type Message struct {
	To, Subject, Text, HTML string
	Headers                 map[string]string // e.g. List-Unsubscribe, List-Unsubscribe-Post
	Attachments             []Attachment      // such as the digest's chart
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name string // file name shown to the reader, such as "digest-2026-W48.png"
	Data []byte
}

// Sender sends a message. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Kind is the reason for an e-mail.
type Kind int

// The kinds of e-mail.
const (
	Invitation Kind = iota // the first mail of a campaign
	Reminder               // a later mail to those who have not finished
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case Invitation:
		return "invitation"
	case Reminder:
		return "reminder"
	}
	return "unknown"
}
