package survey

import (
	"crypto/sha256"
	"encoding/hex"
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

// NewInvitation describes an invitation to create.
type NewInvitation struct {
	Lang  dialogs.Lang
	Fixed map[string]string
	TTL   time.Duration
	// Email, if set, is the invitee's address: it becomes an identity of the
	// respondent, so a new invitation to the same address continues the
	// same respondent's response.
	Email string
}

// HashKey returns the stored form of an invitation key.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
