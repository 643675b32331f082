package email

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// FileSender writes each message as a complete RFC 5322 .eml file into a
// folder instead of sending it: the embedded default, so that the service
// runs with no mail server and an operator can open the files in any mail
// program. It is safe for concurrent use.
type FileSender struct {
	dir  string
	from *mail.Address
	now  func() time.Time
}

// NewFileSender returns a FileSender writing into dir, which it creates if
// needed, with from as the sender, such as "Umfrage <umfrage@example.org>".
func NewFileSender(dir, from string) (*FileSender, error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: no folder for e-mail files", ErrInvalidConfig)
	}
	addr, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	// The files carry personal links: keep them from other users.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create e-mail folder: %w", err)
	}
	return &FileSender{dir: dir, from: addr, now: time.Now}, nil
}

// Dir returns the folder the files go to.
func (s *FileSender) Dir() string { return s.dir }

// Send writes m to <UTC time>-<random>.eml. The file appears complete or
// not at all: it is written under a temporary name and renamed.
func (s *FileSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	msg, err := buildMsg(s.from, m, now)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, ".writing-*")
	if err != nil {
		return fmt.Errorf("write e-mail file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := msg.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write e-mail file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write e-mail file: %w", err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand.Read never fails
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(rnd[:]) + ".eml"
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, name)); err != nil {
		return fmt.Errorf("write e-mail file: %w", err)
	}
	return nil
}

// Forget removes every message to address from the folder: an erased
// respondent's mail, with its personal links, goes with their data.
func (s *FileSender) Forget(address string) error {
	want := strings.ToLower(strings.TrimSpace(address))
	files, err := filepath.Glob(filepath.Join(s.dir, "*.eml"))
	if err != nil {
		return fmt.Errorf("list e-mail files: %w", err)
	}
	for _, name := range files {
		to, err := recipients(name)
		if err != nil {
			return err
		}
		if slices.Contains(to, want) {
			if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove e-mail file: %w", err)
			}
		}
	}
	return nil
}

// recipients reads the lower-cased addresses of a message file's To and Cc.
func recipients(name string) ([]string, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) { // sent off and removed meanwhile
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read e-mail file: %w", err)
	}
	defer f.Close()
	m, err := mail.ReadMessage(f)
	if err != nil {
		return nil, fmt.Errorf("read e-mail file %s: %w", filepath.Base(name), err)
	}
	var out []string
	for _, h := range []string{"To", "Cc"} {
		list, err := m.Header.AddressList(h)
		if err != nil && !errors.Is(err, mail.ErrHeaderNotPresent) {
			return nil, fmt.Errorf("read e-mail file %s: %s: %w", filepath.Base(name), h, err)
		}
		for _, a := range list {
			out = append(out, strings.ToLower(a.Address))
		}
	}
	return out, nil
}
