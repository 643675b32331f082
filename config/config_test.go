package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/surveybot/surveybot/config"
)

// env returns a getenv over a fixed set of variables.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// writeConfig writes a TOML file into a temporary directory and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "surveybot.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultIsValid(t *testing.T) {
	if err := config.Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v, want nil", err)
	}
}

func TestLoadWithoutFileOrEnvironmentGivesDefaults(t *testing.T) {
	cfg, err := config.Load("", env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if want := config.Default(); !reflect.DeepEqual(cfg, want) {
		t.Errorf("Load(\"\", no variables) = %+v, want the defaults %+v", cfg, want)
	}
}

func TestLoadFileAndEnvironment(t *testing.T) {
	const file = `
[server]
listen = "0.0.0.0:8000"

[sql]
dsn = "sqlite:/var/lib/surveybot/file.db"

[redis]
url = "redis://file-redis:6379/0"
session_ttl = "24h"
lock_wait = "7s"

[log]
level = "debug"
format = "json"
`
	overrides := map[string]string{
		"SURVEYBOT_SQL_DSN":                 "postgres://surveybot@db.internal:5432/surveybot",
		"SURVEYBOT_REDIS_URL":               "redis://env-redis:6379/2",
		"SURVEYBOT_REDIS_SESSION_TTL":       "2h",
		"SURVEYBOT_SERVER_LISTEN":           ":9090",
		"SURVEYBOT_SERVER_SHUTDOWN_TIMEOUT": "",
	}
	tests := []struct {
		name string
		file string
		env  map[string]string
		want func(*config.Config)
	}{
		{
			name: "environment over defaults",
			env:  overrides,
			want: func(c *config.Config) {
				c.SQL.DSN = "postgres://surveybot@db.internal:5432/surveybot"
				c.Redis.URL = "redis://env-redis:6379/2"
				c.Redis.SessionTTL = 2 * time.Hour
				c.Server.Listen = ":9090"
			},
		},
		{
			name: "file over defaults",
			file: file,
			want: func(c *config.Config) {
				c.Server.Listen = "0.0.0.0:8000"
				c.SQL.DSN = "sqlite:/var/lib/surveybot/file.db"
				c.Redis.URL = "redis://file-redis:6379/0"
				c.Redis.SessionTTL = 24 * time.Hour
				c.Redis.LockWait = 7 * time.Second
				c.Log = config.Log{Level: "debug", Format: "json"}
			},
		},
		{
			name: "environment wins over the file, the file over defaults",
			file: file,
			env:  overrides,
			want: func(c *config.Config) {
				c.Server.Listen = ":9090"
				c.SQL.DSN = "postgres://surveybot@db.internal:5432/surveybot"
				c.Redis.URL = "redis://env-redis:6379/2"
				c.Redis.SessionTTL = 2 * time.Hour
				c.Redis.LockWait = 7 * time.Second
				c.Log = config.Log{Level: "debug", Format: "json"}
			},
		},
		{
			name: "every section from the environment",
			env: map[string]string{
				"SURVEYBOT_SERVER_READ_TIMEOUT": "3s",
				"SURVEYBOT_REDIS_KEY_PREFIX":    "sb:",
				"SURVEYBOT_REDIS_LOCK_TTL":      "30s",
				"SURVEYBOT_QUESTIONNAIRE_FILE":  "/etc/surveybot/ihk.yaml",
				"SURVEYBOT_LOG_LEVEL":           "warn",
			},
			want: func(c *config.Config) {
				c.Server.ReadTimeout = 3 * time.Second
				c.Redis.KeyPrefix = "sb:"
				c.Redis.LockTTL = 30 * time.Second
				c.Questionnaire.File = "/etc/surveybot/ihk.yaml"
				c.Log.Level = "warn"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeConfig(t, tt.file)
			}
			got, err := config.Load(path, env(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := config.Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	tests := []struct {
		name string
		key  string // the key the error must name
		file string // the value as TOML; "" = not tried in a file
		env  string // the value as an environment variable; "" = not tried there
	}{
		{name: "negative session TTL", key: "redis.session_ttl", file: `"-1s"`, env: "-1s"},
		{name: "zero session TTL", key: "redis.session_ttl", file: `"0s"`, env: "0s"},
		{name: "session TTL not a duration", key: "redis.session_ttl", file: `"a month"`, env: "a month"},
		{name: "session TTL without unit", key: "redis.session_ttl", env: "3600"},
		{name: "lock TTL below a second", key: "redis.lock_ttl", file: `"500ms"`, env: "500ms"},
		{name: "zero lock wait", key: "redis.lock_wait", file: `"0s"`, env: "0s"},
		{name: "negative read timeout", key: "server.read_timeout", file: `"-5s"`, env: "-5s"},
		{name: "zero shutdown timeout", key: "server.shutdown_timeout", file: `"0s"`, env: "0s"},
		{name: "listen without port", key: "server.listen", file: `"localhost"`, env: "localhost"},
		{name: "listen as a number", key: "server.listen", file: `8080`, env: "8080"},
		{name: "metrics listen without port", key: "server.metrics_listen", file: `"localhost"`, env: "localhost"},
		{name: "metrics listen on the main listener", key: "server.metrics_listen", file: `"127.0.0.1:8080"`, env: "127.0.0.1:8080"},
		{name: "unknown log level", key: "log.level", file: `"verbose"`, env: "verbose"},
		{name: "unknown log format", key: "log.format", file: `"xml"`, env: "xml"},
		{name: "empty DSN", key: "sql.dsn", file: `""`},
		{name: "unsupported database", key: "sql.dsn", file: `"mysql://root@localhost/surveybot"`, env: "mysql://root@localhost/surveybot"},
		{name: "broken PostgreSQL URL", key: "sql.dsn", file: `"postgres://user@db:port/x"`, env: "postgres://user@db:port/x"},
		{name: "redis URL of another scheme", key: "redis.url", file: `"http://cache:6379"`, env: "http://cache:6379"},
		{name: "redis URL without host", key: "redis.url", file: `"redis://"`, env: "redis://"},
		{name: "redis address without scheme", key: "redis.url", file: `"cache:6379"`, env: "cache:6379"},
	}
	for _, tt := range tests {
		section, field, _ := strings.Cut(tt.key, ".")
		if tt.file != "" {
			t.Run(tt.name+"/file", func(t *testing.T) {
				path := writeConfig(t, "["+section+"]\n"+field+" = "+tt.file+"\n")
				_, err := config.Load(path, env(nil))
				if err == nil {
					t.Fatalf("Load of %s = %s: no error", tt.key, tt.file)
				}
				if !strings.Contains(err.Error(), tt.key) {
					t.Errorf("error %q does not name the key %s", err, tt.key)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file %s", err, path)
				}
			})
		}
		if tt.env != "" { // an empty variable counts as unset
			t.Run(tt.name+"/env", func(t *testing.T) {
				name := config.EnvPrefix + strings.ToUpper(section+"_"+field)
				_, err := config.Load("", env(map[string]string{name: tt.env}))
				if err == nil {
					t.Fatalf("Load with %s=%s: no error", name, tt.env)
				}
				for _, want := range []string{name, tt.key} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not name %s", err, want)
					}
				}
			})
		}
	}
}

func TestLoadReportsEveryBadValueAtOnce(t *testing.T) {
	path := writeConfig(t, "[server]\nlisten = \"nope\"\n[log]\nlevel = \"loud\"\n")
	_, err := config.Load(path, env(map[string]string{"SURVEYBOT_REDIS_SESSION_TTL": "-1h"}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"server.listen", "log.level", "SURVEYBOT_REDIS_SESSION_TTL (redis.session_ttl)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	// server.listen came from the file, not the environment.
	if strings.Contains(err.Error(), "SURVEYBOT_SERVER_LISTEN") {
		t.Errorf("error %q blames an environment variable that is not set", err)
	}
}

func TestLoadReportsUnknownKeys(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{name: "misspelt key", file: "[redis]\nsesion_ttl = \"1h\"\n", want: []string{"redis.sesion_ttl"}},
		{name: "unknown section", file: "[database]\ndsn = \"sqlite:x.db\"\n", want: []string{"database"}},
		{name: "key outside any section", file: "listen = \":8080\"\n", want: []string{"listen"}},
		{name: "several", file: "[server]\nport = 8080\n[log]\nlevl = \"debug\"\n", want: []string{"server.port", "log.levl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeConfig(t, tt.file), env(nil))
			if err == nil {
				t.Fatal("no error for an unknown key")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
			if !strings.Contains(err.Error(), "unknown") {
				t.Errorf("error %q does not say the key is unknown", err)
			}
		})
	}
}

func TestLoadMissingOrBrokenFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.toml")
	if _, err := config.Load(missing, env(nil)); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load of a missing file: error %v, want one naming %s", err, missing)
	}
	broken := writeConfig(t, "[server\nlisten = \":8080\"\n")
	if _, err := config.Load(broken, env(nil)); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("Load of a broken file: error %v, want one naming %s", err, broken)
	}
}

func TestErrorsRedactPasswords(t *testing.T) {
	const secret = "hunter2"
	tests := []struct {
		name string
		key  string
		val  string
	}{
		{name: "redis URL of another scheme", key: "redis.url", val: "http://admin:" + secret + "@cache:6379/0"},
		{name: "redis URL without host", key: "redis.url", val: "redis://:" + secret + "@"},
		{name: "unparsable redis URL", key: "redis.url", val: "redis://admin:" + secret + "@cache:port/0"},
		{name: "unsupported database URL", key: "sql.dsn", val: "mysql://root:" + secret + "@db/surveybot"},
		{name: "unparsable PostgreSQL URL", key: "sql.dsn", val: "postgres://surveybot:" + secret + "@db:port/surveybot"},
	}
	for _, tt := range tests {
		section, field, _ := strings.Cut(tt.key, ".")
		name := config.EnvPrefix + strings.ToUpper(section+"_"+field)
		t.Run(tt.name, func(t *testing.T) {
			for how, load := range map[string]func() error{
				"file": func() error {
					_, err := config.Load(writeConfig(t, "["+section+"]\n"+field+" = \""+tt.val+"\"\n"), env(nil))
					return err
				},
				"env": func() error {
					_, err := config.Load("", env(map[string]string{name: tt.val}))
					return err
				},
			} {
				err := load()
				if err == nil {
					t.Fatalf("%s: no error for %s", how, tt.val)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%s: error %q shows the password", how, err)
				}
				if !strings.Contains(err.Error(), tt.key) {
					t.Errorf("%s: error %q does not name %s", how, err, tt.key)
				}
			}
		})
	}
}

const exampleFile = "../config.example.toml"

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := config.Load(exampleFile, env(nil))
	if err != nil {
		t.Fatalf("%s does not load: %v", exampleFile, err)
	}
	// The example says it shows the embedded defaults.
	if want := config.Default(); !reflect.DeepEqual(cfg, want) {
		t.Errorf("%s gives\n%+v\nbut the defaults are\n%+v", exampleFile, cfg, want)
	}
}

func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	var doc map[string]any
	md, err := toml.DecodeFile(exampleFile, &doc)
	if err != nil {
		t.Fatalf("%s: %v", exampleFile, err)
	}
	root := reflect.TypeFor[config.Config]()
	for i := range root.NumField() {
		section := root.Field(i)
		name := section.Tag.Get("toml")
		if name == "" {
			t.Errorf("config.Config.%s has no toml tag", section.Name)
			continue
		}
		if !md.IsDefined(name) {
			t.Errorf("%s has no [%s] section", exampleFile, name)
			continue
		}
		for j := range section.Type.NumField() {
			f := section.Type.Field(j)
			key := f.Tag.Get("toml")
			if key == "" {
				t.Errorf("config.%s.%s has no toml tag", section.Type.Name(), f.Name)
				continue
			}
			if !md.IsDefined(name, key) {
				t.Errorf("%s does not document %s.%s", exampleFile, name, key)
			}
		}
	}
}
