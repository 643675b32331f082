// Package config loads surveybot's TOML configuration, applies environment
// overrides and checks every value, naming the key of anything wrong.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the whole configuration. Every key is documented in
// config.example.toml; each can be overridden by an environment variable
// SURVEYBOT_<SECTION>_<KEY>, such as SURVEYBOT_SQL_DSN.
type Config struct {
	Server        Server        `toml:"server"`
	SQL           SQL           `toml:"sql"`
	Redis         Redis         `toml:"redis"`
	Questionnaire Questionnaire `toml:"questionnaire"`
	Telegram      Telegram      `toml:"telegram"`
	Slack         Slack         `toml:"slack"`
	Web           Web           `toml:"web"`
	Email         Email         `toml:"email"`
	Digest        Digest        `toml:"digest"`
	Campaigns     Campaigns     `toml:"campaigns"`
	Log           Log           `toml:"log"`
}

// Digest configures the council's weekly digest.
type Digest struct {
	Enabled       bool   `toml:"enabled"`
	Weekday       string `toml:"weekday"`
	Time          string `toml:"time"`
	Timezone      string `toml:"timezone"`
	SubscribeCode string `toml:"subscribe_code"`
}

// Campaigns configures how campaigns send invitations and reminders.
type Campaigns struct {
	Enabled   bool    `toml:"enabled"`
	KeySecret string  `toml:"key_secret"`
	Workers   int     `toml:"workers"`
	EmailRate float64 `toml:"email_rate"`
	// RemindMinGap is the least time after a campaign's invitations
	// before `campaign remind` (without --force) reminds anyone.
	RemindMinGap time.Duration `toml:"remind_min_gap"`
}

func (c Campaigns) validate(bad func(key, format string, args ...any)) {
	if c.KeySecret != "" && len(c.KeySecret) < 32 {
		bad("campaigns.key_secret", "must be at least 32 characters (for example: openssl rand -hex 32), or empty to keep one in the database")
	}
	if c.Workers < 1 || c.Workers > 256 {
		bad("campaigns.workers", "must be between 1 and 256")
	}
	if c.EmailRate < 0 {
		bad("campaigns.email_rate", "must not be negative (0: no limit)")
	}
	if c.RemindMinGap < 0 {
		bad("campaigns.remind_min_gap", "must not be negative (0: no minimum), such as \"72h\"")
	}
}

// Schedule returns when the digest goes out: the weekday, the time after
// midnight and the time zone. Validate has checked them.
func (d Digest) Schedule() (time.Weekday, time.Duration, *time.Location) {
	day, _ := parseWeekday(d.Weekday)
	t, _ := time.Parse("15:04", d.Time)
	loc, _ := time.LoadLocation(d.Timezone)
	return day, time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, loc
}

func parseWeekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, true
		}
	}
	return 0, false
}

func (d Digest) validate(bad func(key, format string, args ...any)) {
	if _, ok := parseWeekday(d.Weekday); !ok {
		bad("digest.weekday", "%q is not a weekday such as monday", d.Weekday)
	}
	if _, err := time.Parse("15:04", d.Time); err != nil {
		bad("digest.time", "%q is not a time such as 08:00", d.Time)
	}
	if _, err := time.LoadLocation(d.Timezone); err != nil {
		bad("digest.timezone", "%q is not a time zone such as Europe/Berlin", d.Timezone)
	}
	if d.SubscribeCode != "" && len(d.SubscribeCode) < 8 {
		bad("digest.subscribe_code", "must be at least 8 characters, so it cannot be guessed")
	}
}

// Slack configures the Slack channel; without a bot token it is off.
type Slack struct {
	BotToken      string  `toml:"bot_token"`
	SigningSecret string  `toml:"signing_secret"`
	AppToken      string  `toml:"app_token"`
	APIURL        string  `toml:"api_url"`
	Mode          string  `toml:"mode"`
	OpenAnswering bool    `toml:"open_answering"`
	ChannelRate   float64 `toml:"channel_rate"`
	GlobalRate    float64 `toml:"global_rate"`
}

// Web configures the web form reached by personal links.
type Web struct {
	BaseURL       string        `toml:"base_url"`
	SecretKey     string        `toml:"secret_key"`
	OpenAnswering bool          `toml:"open_answering"`
	InvitationTTL time.Duration `toml:"invitation_ttl"`
	GuessLimit    int           `toml:"guess_limit"`
	ForwardedFor  bool          `toml:"forwarded_for"`
}

// Email configures sending e-mail: into files (the embedded default) or by SMTP.
type Email struct {
	Mode         string        `toml:"mode"`
	OutboxDir    string        `toml:"outbox_dir"`
	From         string        `toml:"from"`
	SMTPHost     string        `toml:"smtp_host"`
	SMTPPort     int           `toml:"smtp_port"`
	SMTPUsername string        `toml:"smtp_username"`
	SMTPPassword string        `toml:"smtp_password"`
	SMTPTLS      string        `toml:"smtp_tls"`
	Timeout      time.Duration `toml:"timeout"`
}

// Telegram configures the Telegram channel; without a token it is off.
type Telegram struct {
	Token          string  `toml:"token"`
	APIURL         string  `toml:"api_url"`
	BotUsername    string  `toml:"bot_username"`
	Mode           string  `toml:"mode"`
	WebhookPath    string  `toml:"webhook_path"`
	WebhookURL     string  `toml:"webhook_url"`
	WebhookSecret  string  `toml:"webhook_secret"`
	MaxConnections int     `toml:"max_connections"`
	OpenAnswering  bool    `toml:"open_answering"`
	GlobalRate     float64 `toml:"global_rate"`
	ChatRate       float64 `toml:"chat_rate"`
	ChatBurst      int     `toml:"chat_burst"`
}

// Server configures the HTTP server of `surveybot serve`.
type Server struct {
	Listen          string        `toml:"listen"`
	MetricsListen   string        `toml:"metrics_listen"` // "": /metrics on Listen
	ReadTimeout     time.Duration `toml:"read_timeout"`
	WriteTimeout    time.Duration `toml:"write_timeout"`
	ShutdownTimeout time.Duration `toml:"shutdown_timeout"`
}

// SQL configures the database.
type SQL struct {
	DSN string `toml:"dsn"`
	// OptOutSecret is the key the opt-out list keeps addresses under;
	// empty: one made and kept in the database.
	OptOutSecret string `toml:"optout_secret"`
	// PanelSecret is the key panel ids are derived under; empty: one made
	// and kept in the database.
	PanelSecret string `toml:"panel_secret"`
}

// Redis configures the session store; without a URL, sessions are kept in
// the process.
type Redis struct {
	URL        string        `toml:"url"`
	KeyPrefix  string        `toml:"key_prefix"`
	SessionTTL time.Duration `toml:"session_ttl"`
	LockTTL    time.Duration `toml:"lock_ttl"`
	LockWait   time.Duration `toml:"lock_wait"`
}

// Questionnaire says what new responses answer.
type Questionnaire struct {
	File string `toml:"file"`
}

// Log configures logging.
type Log struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

// Default returns the embedded defaults: SQLite in ./surveybot.db, sessions
// in the process, the HTTP server on localhost.
func Default() Config {
	return Config{
		Server:    Server{Listen: "127.0.0.1:8080", ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, ShutdownTimeout: 20 * time.Second},
		SQL:       SQL{DSN: "sqlite:surveybot.db"},
		Redis:     Redis{KeyPrefix: "surveybot:", SessionTTL: 30 * 24 * time.Hour, LockTTL: 10 * time.Second, LockWait: 5 * time.Second},
		Log:       Log{Level: "info", Format: "text"},
		Digest:    Digest{Enabled: true, Weekday: "monday", Time: "08:00", Timezone: "Europe/Berlin"},
		Campaigns: Campaigns{Enabled: true, Workers: 16, EmailRate: 10, RemindMinGap: 72 * time.Hour},
		Slack:     Slack{APIURL: "https://slack.com/api/", Mode: "http", ChannelRate: 1, GlobalRate: 20},
		Web:       Web{BaseURL: "http://127.0.0.1:8080", InvitationTTL: 60 * 24 * time.Hour, GuessLimit: 20},
		Email: Email{
			Mode: "file", OutboxDir: "outbox", From: "Umfrage Digitalisierung <umfrage@localhost>",
			SMTPPort: 587, SMTPTLS: "starttls", Timeout: 30 * time.Second,
		},
		Telegram: Telegram{
			APIURL: "https://api.telegram.org", Mode: "polling", WebhookPath: "/telegram/webhook",
			MaxConnections: 40, GlobalRate: 30, ChatRate: 1, ChatBurst: 3,
		},
	}
}

// EnvPrefix starts the name of every environment override.
const EnvPrefix = "SURVEYBOT_"

// Load reads the file at path (none if path is ""), over the defaults, then
// the environment overrides that getenv returns, and checks the result.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Default()
	if path != "" {
		md, err := toml.DecodeFile(path, &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			keys := make([]string, len(und))
			for i, k := range und {
				keys[i] = k.String()
			}
			return Config{}, fmt.Errorf("config %s: unknown key(s) %s (see config.example.toml)", path, strings.Join(keys, ", "))
		}
	}
	fromEnv, err := applyEnv(&cfg, getenv)
	if err != nil {
		return Config{}, err
	}
	if err := cfg.validate(fromEnv); err != nil {
		if path != "" {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// applyEnv sets every key whose SURVEYBOT_<SECTION>_<KEY> variable is set.
// It returns the variable that set each key, so that errors can name it.
func applyEnv(cfg *Config, getenv func(string) string) (map[string]string, error) {
	fromEnv := map[string]string{}
	root := reflect.ValueOf(cfg).Elem()
	for i := range root.NumField() {
		section := root.Type().Field(i).Tag.Get("toml")
		sv := root.Field(i)
		for j := range sv.NumField() {
			key := sv.Type().Field(j).Tag.Get("toml")
			name := EnvPrefix + strings.ToUpper(section+"_"+key)
			val := getenv(name)
			if val == "" {
				continue
			}
			if err := setValue(sv.Field(j), val); err != nil {
				return nil, fmt.Errorf("%s (%s.%s): %w", name, section, key, err)
			}
			fromEnv[section+"."+key] = name
		}
	}
	return fromEnv, nil
}

func setValue(f reflect.Value, s string) error {
	switch f.Interface().(type) {
	case string:
		f.SetString(s)
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 720h", s)
		}
		f.SetInt(int64(d))
	case float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		f.SetFloat(x)
	case int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		f.SetInt(int64(n))
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

// Validate checks every value and names the key of each one that is wrong.
func (c Config) Validate() error { return c.validate(nil) }

// validate is Validate that also names the environment variable of a key
// the environment set (fromEnv maps keys to variables).
func (c Config) validate(fromEnv map[string]string) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		if name, ok := fromEnv[key]; ok {
			key = name + " (" + key + ")"
		}
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Server.Listen); err != nil {
		bad("server.listen", "%q is not host:port, such as 127.0.0.1:8080 or :8080", c.Server.Listen)
	}
	if m := c.Server.MetricsListen; m != "" {
		if _, _, err := net.SplitHostPort(m); err != nil {
			bad("server.metrics_listen", "%q is not host:port, such as 127.0.0.1:9090, or empty", m)
		} else if m == c.Server.Listen {
			bad("server.metrics_listen", "%q is server.listen; leave it empty to serve /metrics there", m)
		}
	}
	for _, d := range []struct {
		key string
		d   time.Duration
	}{
		{"server.read_timeout", c.Server.ReadTimeout}, {"server.write_timeout", c.Server.WriteTimeout},
		{"server.shutdown_timeout", c.Server.ShutdownTimeout}, {"redis.session_ttl", c.Redis.SessionTTL},
		{"redis.lock_ttl", c.Redis.LockTTL}, {"redis.lock_wait", c.Redis.LockWait},
	} {
		if d.d <= 0 {
			bad(d.key, "must be a positive duration, such as 30s")
		}
	}
	if c.Redis.SessionTTL > 0 && c.Redis.SessionTTL < time.Minute {
		bad("redis.session_ttl", "must be at least 1m (write a unit: 720h, not 3600)")
	}
	if c.Redis.LockTTL > 0 && c.Redis.LockTTL < time.Second {
		bad("redis.lock_ttl", "must be at least 1s, longer than any one input takes")
	}
	switch {
	case c.SQL.DSN == "":
		bad("sql.dsn", "is empty; use sqlite:surveybot.db or postgres://user@host/db")
	case strings.HasPrefix(c.SQL.DSN, "postgres://"), strings.HasPrefix(c.SQL.DSN, "postgresql://"):
		if _, err := url.Parse(c.SQL.DSN); err != nil {
			// Not err itself: url.Parse's error repeats the URL, password and all.
			bad("sql.dsn", "%q is not a valid PostgreSQL URL", redact(c.SQL.DSN))
		}
	case strings.Contains(c.SQL.DSN, "://"):
		bad("sql.dsn", "%q: only postgres:// URLs and SQLite files (sqlite:FILE) are supported", redact(c.SQL.DSN))
	}
	if s := c.SQL.OptOutSecret; s != "" && len(s) < 32 {
		bad("sql.optout_secret", "must be at least 32 characters (for example: openssl rand -hex 32), or empty to keep one in the database")
	}
	if s := c.SQL.PanelSecret; s != "" && len(s) < 32 {
		bad("sql.panel_secret", "must be at least 32 characters (for example: openssl rand -hex 32), or empty to keep one in the database")
	}
	if c.Redis.URL != "" {
		u, err := url.Parse(c.Redis.URL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			bad("redis.url", "%q is not a redis:// or rediss:// URL", redact(c.Redis.URL))
		}
	}
	c.Telegram.validate(bad)
	c.Slack.validate(bad)
	c.Web.validate(bad)
	c.Email.validate(bad)
	c.Digest.validate(bad)
	c.Campaigns.validate(bad)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	return errors.Join(errs...)
}

// redact hides a password in a URL before it goes into an error message.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		// Unparsable: hide whatever stands between the scheme and the last @.
		if i, j := strings.Index(s, "://"), strings.LastIndex(s, "@"); i >= 0 && j > i+3 {
			return s[:i+3] + "xxxxx" + s[j:]
		}
		return s
	}
	if u.User == nil {
		return s
	}
	return u.Redacted()
}

// secretRE is what Telegram allows as a webhook secret token.
var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`)

func (t Telegram) validate(bad func(key, format string, args ...any)) {
	if t.Token == "" {
		return
	}
	if u, err := url.Parse(t.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("telegram.api_url", "%q is not an http(s) URL", t.APIURL)
	}
	switch t.Mode {
	case "polling":
	case "webhook":
		if !secretRE.MatchString(t.WebhookSecret) {
			bad("telegram.webhook_secret", "webhook mode needs a secret of 16 to 256 characters A-Z, a-z, 0-9, _ and -")
		}
		if !strings.HasPrefix(t.WebhookPath, "/") {
			bad("telegram.webhook_path", "%q must start with /", t.WebhookPath)
		}
		if t.WebhookURL != "" {
			if u, err := url.Parse(t.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				bad("telegram.webhook_url", "%q is not an http(s) URL", t.WebhookURL)
			}
		}
		if t.MaxConnections < 1 || t.MaxConnections > 100 {
			bad("telegram.max_connections", "must be between 1 and 100")
		}
	default:
		bad("telegram.mode", "%q is not polling or webhook", t.Mode)
	}
	if t.GlobalRate <= 0 {
		bad("telegram.global_rate", "must be a positive number of messages per second")
	}
	if t.ChatRate <= 0 {
		bad("telegram.chat_rate", "must be a positive number of messages per second")
	}
	if t.ChatBurst < 1 {
		bad("telegram.chat_burst", "must be at least 1")
	}
}

func (w Web) validate(bad func(key, format string, args ...any)) {
	if u, err := url.Parse(w.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("web.base_url", "%q is not an http(s) URL such as https://survey.example.org", w.BaseURL)
	}
	if w.SecretKey != "" && len(w.SecretKey) < 32 {
		bad("web.secret_key", "must be at least 32 characters (for example: openssl rand -hex 32)")
	}
	if w.InvitationTTL <= 0 {
		bad("web.invitation_ttl", "must be a positive duration, such as 1440h")
	}
	if w.GuessLimit < 1 {
		bad("web.guess_limit", "must be at least 1")
	}
}

func (e Email) validate(bad func(key, format string, args ...any)) {
	if _, err := mail.ParseAddress(e.From); err != nil {
		bad("email.from", "%q is not an address such as \"Umfrage <umfrage@example.org>\"", e.From)
	}
	switch e.Mode {
	case "file":
		if e.OutboxDir == "" {
			bad("email.outbox_dir", "is empty; name a folder for the .eml files")
		}
	case "smtp":
		if e.SMTPHost == "" {
			bad("email.smtp_host", "is empty; name your mail server")
		}
		if e.SMTPPort < 1 || e.SMTPPort > 65535 {
			bad("email.smtp_port", "%d is not a port", e.SMTPPort)
		}
		switch e.SMTPTLS {
		case "starttls", "tls", "none":
		default:
			bad("email.smtp_tls", "%q is not starttls, tls or none", e.SMTPTLS)
		}
	default:
		bad("email.mode", "%q is not file or smtp", e.Mode)
	}
	if e.Timeout <= 0 {
		bad("email.timeout", "must be a positive duration, such as 30s")
	}
}

func (s Slack) validate(bad func(key, format string, args ...any)) {
	if s.BotToken == "" {
		return
	}
	if !strings.HasPrefix(s.BotToken, "xoxb-") {
		bad("slack.bot_token", "must be the app's bot token, starting with xoxb-")
	}
	if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.HasSuffix(s.APIURL, "/") {
		bad("slack.api_url", "%q is not an http(s) URL ending in /", s.APIURL)
	}
	switch s.Mode {
	case "http":
		if s.SigningSecret == "" {
			bad("slack.signing_secret", "HTTP mode needs the app's signing secret (Basic Information in the app settings)")
		}
	case "socket":
		if !strings.HasPrefix(s.AppToken, "xapp-") {
			bad("slack.app_token", "Socket Mode needs an app-level token starting with xapp- (scope connections:write)")
		}
	default:
		bad("slack.mode", "%q is not http or socket", s.Mode)
	}
	if s.ChannelRate <= 0 {
		bad("slack.channel_rate", "must be a positive number of messages per second")
	}
	if s.GlobalRate <= 0 {
		bad("slack.global_rate", "must be a positive number of messages per second")
	}
}
