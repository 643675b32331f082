package loadtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/surveybot/surveybot/channels/telegramtest"
	"github.com/surveybot/surveybot/internal/testrig"
)

// FaultsEnv enables the fault tests, which run their own Redis and
// PostgreSQL and kill and restart them.
const FaultsEnv = "SURVEYBOT_TEST_FAULTS"

// TestFaults answers under load from the harness (20 Telegram and 10 web
// respondents over two serve instances, 20 % duplicates, 10 % late) while
// something breaks, and proves from SQL that no acknowledged answer is
// lost, none doubled and every dialog completed:
//
//   - kill -9 of one of the two instances (the harness fails over);
//   - Redis restarted, and Redis FLUSHALL;
//   - PostgreSQL restarted (pg_ctl restart -m fast).
//
// Redis and PostgreSQL are the test's own, on free ports in temporary
// directories, so restarting them disturbs no other test.
func TestFaults(t *testing.T) {
	if os.Getenv(FaultsEnv) == "" {
		t.Skipf("fault tests disabled: set %s=1 (they need redis-server and the PostgreSQL server binaries)", FaultsEnv)
	}
	pg := startPostgres(t)
	rd := startRedis(t)
	fake := telegramtest.New(t, testToken)
	n := 0
	scenario := func(name string, lostTicks bool, fault func(t *testing.T, serves []*serveProc)) {
		t.Run(name, func(t *testing.T) {
			n++
			st := stores{dsn: pg.createDB(t, fmt.Sprintf("faults_%d", n)), redisURL: rd.url(), prefix: fmt.Sprintf("faults%d:", n)}
			serves := startServes(t, 2, st, fake)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			var once sync.Once
			var answers atomic.Int64
			strike, struck := make(chan struct{}), make(chan int64)
			go func() {
				<-strike
				if ctx.Err() == nil {
					fault(t, serves)
				}
				struck <- answers.Load()
			}()
			rep := runHarness(t, ctx, Config{
				Targets: targets(serves), BotAPI: fake, WebhookSecret: testSecret, DSN: st.dsn,
				Telegram: 20, Web: 10, Concurrency: 10, Duplicates: 0.2, Late: 0.1, Seed: uint64(n),
				Think: 80 * time.Millisecond, Nudge: 2 * time.Second, Deadline: 45 * time.Second,
				AllowLostTicks: lostTicks, Log: testrig.Log(t),
				OnAnswer: func(total int64) {
					answers.Store(total)
					if total == 100 { // of about 900
						once.Do(func() { close(strike) })
					}
				},
			})
			once.Do(func() { close(strike) })
			after := <-struck
			total := int64(rep.Channels[kindTelegram].Answers + rep.Channels[kindWeb].Answers)
			if after >= total {
				t.Errorf("the load was over (%d answers) before the fault was; nothing was proven under it", total)
			}
			t.Logf("%s: %d answers before the fault was over, %d after; %d answers lost or wrong in SQL, %d problems, %d warnings",
				name, after, total-after, len(rep.Differences), len(rep.Problems), len(rep.Warnings))
		})
	}
	scenario("kill -9 one of two instances", false, func(t *testing.T, serves []*serveProc) {
		serves[0].kill()
		t.Logf("instance %s killed", serves[0].addr)
	})
	// FLUSHALL loses the dialog sessions, and with them the ticks of a
	// multiple choice not yet done: the respondents tick them again.
	scenario("redis restart and flushall", true, func(t *testing.T, _ []*serveProc) {
		rd.restart(t)
		time.Sleep(2 * time.Second)
		rd.flushAll(t)
	})
	scenario("postgres restart", false, func(t *testing.T, _ []*serveProc) {
		pg.restart(t)
	})
}

// ---- Redis ----

type redisProc struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	done     chan struct{}
}

func startRedis(t *testing.T) *redisProc {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("%s is set but redis-server is not installed: %v", FaultsEnv, err)
	}
	r := &redisProc{bin: bin, dir: t.TempDir(), port: freePort(t)}
	r.start(t)
	t.Cleanup(func() { r.stop() })
	return r
}

func (r *redisProc) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisProc) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--dir", r.dir, "--daemonize", "no", "--logfile", filepath.Join(r.dir, "redis.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	r.cmd, r.done = cmd, make(chan struct{})
	done := r.done
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
		err := rdb.Ping(context.Background()).Err()
		rdb.Close()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %d not up within 15s: %v", r.port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *redisProc) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	r.cmd = nil
}

// restart stops Redis (it writes its append-only file), waits a second
// with Redis down, and starts it again on the same files.
func (r *redisProc) restart(t *testing.T) {
	r.stop()
	t.Logf("redis stopped")
	time.Sleep(time.Second)
	r.start(t)
	t.Logf("redis started again")
}

func (r *redisProc) flushAll(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer rdb.Close()
	if err := rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Errorf("FLUSHALL: %v", err)
		return
	}
	t.Logf("redis flushed")
}

// ---- PostgreSQL ----

type pgCluster struct {
	bin, dir string
	port     int
	asUser   []string // runuser prefix when running as root
}

func startPostgres(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Fatalf("%s is set but the PostgreSQL server binaries are not installed (no /usr/lib/postgresql/*/bin/pg_ctl)", FaultsEnv)
	}
	pg := &pgCluster{bin: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	dir, err := os.MkdirTemp("", "surveyload-pg")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, and there is no user postgres to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		pg.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	pg.run(t, "initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
	pg.run(t, "pg_ctl", "-D", pg.data(), "-l", filepath.Join(dir, "log"), "-w", "-t", "30", "start",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", pg.port, dir))
	t.Cleanup(func() { _ = pg.cmd("pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "stop").Run() })
	return pg
}

func (pg *pgCluster) data() string { return filepath.Join(pg.dir, "data") }

func (pg *pgCluster) cmd(name string, args ...string) *exec.Cmd {
	full := append(append(append([]string{}, pg.asUser...), filepath.Join(pg.bin, name)), args...)
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Dir = pg.dir
	// The server pg_ctl starts must not hold on to our output pipes.
	cmd.WaitDelay = time.Second
	return cmd
}

func (pg *pgCluster) run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := pg.cmd(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// createDB creates a database of the test's own and returns its DSN.
func (pg *pgCluster) createDB(t *testing.T, name string) string {
	t.Helper()
	pg.run(t, "createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(pg.port), "-U", "postgres", name)
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.port, name)
}

func (pg *pgCluster) restart(t *testing.T) {
	start := time.Now()
	out, err := pg.cmd("pg_ctl", "-D", pg.data(), "-l", filepath.Join(pg.dir, "log"), "-m", "fast", "-w", "-t", "30", "restart").CombinedOutput()
	if err != nil {
		t.Errorf("pg_ctl restart: %v\n%s", err, out)
		return
	}
	t.Logf("postgres restarted in %v", time.Since(start).Round(time.Millisecond))
}

func freePort(t *testing.T) int {
	addr := testrig.FreeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	n, _ := strconv.Atoi(port)
	return n
}
