package survey

import (
	"errors"
	"time"

	"github.com/surveybot/surveybot/dialogs"
)

// ErrExpired is returned for an invitation past its expiry or revoked.
var ErrExpired = errors.New("invitation expired")

// Invitation leads one respondent to their response on any channel.
type Invitation struct {
	ID           string
	RespondentID string
	Lang         dialogs.Lang
	Fixed        map[string]string // answers known beforehand, by item id
	ExpiresAt    time.Time
}

// Invited is a chamber's invitations and how many of the invited completed.
type Invited struct {
	Invited   int `db:"invited"`
	Completed int `db:"completed"`
}

// OpenLink starts a new response for anyone who follows it.
type OpenLink struct {
	Key       string
	Lang      dialogs.Lang
	Fixed     map[string]string
	ExpiresAt time.Time
}
