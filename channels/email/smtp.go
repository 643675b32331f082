package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"slices"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// The values of SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connection upgraded by STARTTLS, which the server must offer
	TLSImplicit = "tls"      // TLS from the first byte, usually port 465
	TLSNone     = "none"     // no encryption: only for a relay on the same host or tests
)

// DefaultTimeout bounds each step of an SMTP conversation when
// SMTPConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host               string
	Port               int // 0: 587 for starttls, 465 for tls, 25 for none
	Username, Password string
	// TLS is "starttls" (the default, STARTTLS mandatory), "tls" (implicit
	// TLS, port 465) or "none" (only for a local relay or tests).
	TLS                string
	From               string // "Umfrage Digitalisierung <umfrage@example.org>"
	Timeout            time.Duration
	InsecureSkipVerify bool // tests only
}

// SMTPSender sends messages through an SMTP server with go-mail, one
// connection per message. It is safe for concurrent use.
type SMTPSender struct {
	cfg  SMTPConfig
	from *mail.Address
	opts []gomail.Option
}

// NewSMTPSender checks cfg and returns a sender. It does not connect.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("%w: no SMTP host", ErrInvalidConfig)
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify}
	opts := []gomail.Option{gomail.WithTLSConfig(tlsConfig)}
	switch cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		cfg.Port = orDefault(cfg.Port, gomail.DefaultPortTLS)
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
		cfg.Port = orDefault(cfg.Port, gomail.DefaultPortSSL)
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		cfg.Port = orDefault(cfg.Port, gomail.DefaultPort)
	default:
		return nil, fmt.Errorf("%w: TLS %q is not starttls, tls or none", ErrInvalidConfig, cfg.TLS)
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("%w: port %d", ErrInvalidConfig, cfg.Port)
	}
	opts = append(opts, gomail.WithPort(cfg.Port))
	if cfg.Username != "" {
		// PLAIN or LOGIN cover nearly every submission server (Microsoft 365
		// offers only LOGIN); go-mail refuses both on an unencrypted
		// connection unless the host is localhost, so TLS "none" with a
		// password works only for a relay on this machine.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return &SMTPSender{cfg: cfg, from: from, opts: opts}, nil
}

func orDefault(port, fallback int) int {
	if port == 0 {
		return fallback
	}
	return port
}

// Send delivers m. Each step of the conversation may take up to the
// configured Timeout, cut short by ctx's deadline; a cancellation of ctx
// without a deadline is noticed only between steps.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := buildMsg(s.from, m, time.Now())
	if err != nil {
		return err
	}
	timeout := s.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
		if timeout <= 0 {
			return context.DeadlineExceeded
		}
	}
	// A client per message: go-mail's Client keeps mutable state (the
	// chosen auth mechanism, the connection), so sharing one would need a lock.
	client, err := gomail.NewClient(s.cfg.Host, slices.Concat(s.opts, []gomail.Option{gomail.WithTimeout(timeout)})...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send e-mail via %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

// IsTemporary reports whether a Send error is worth retrying later: a
// network failure or an SMTP 4xx answer. A 5xx answer (unknown recipient,
// rejected login) is not.
func IsTemporary(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.IsTemp()
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code < 500
	}
	return !errors.Is(err, ErrInvalidMessage) && !errors.Is(err, ErrInvalidConfig)
}

// isRefusal reports whether the mail server answered with a temporary
// refusal (4xx), so the message was not accepted.
func isRefusal(err error) bool {
	var reply *textproto.Error
	return errors.As(err, &reply) && reply.Code >= 400 && reply.Code < 500
}
