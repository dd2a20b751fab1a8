package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// TestMain removes the built command when the tests end: each run's
// binary is as large as the command, and /tmp would keep them all.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// buildKramar compiles this command once per test binary.
func buildKramar(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kramar-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "kramar")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// cli runs the built kramar with one config against one database of the
// test server.
type cli struct {
	bin, config, dsn string
	env              []string // variables besides the DSN
	dir              string   // working directory; "" is this one
}

func newCLI(t *testing.T, bin, database, config string, env ...string) *cli {
	t.Helper()
	dsn, err := withDatabase(os.Getenv(chtest.DSNEnv), database)
	if err != nil {
		t.Fatal(err)
	}
	return &cli{bin: bin, config: config, dsn: dsn, env: env}
}

// command is `kramar args… --config FILE`, not started yet.
func (c *cli) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.bin, append(args, "--config", c.config)...)
	cmd.Dir = c.dir
	cmd.Env = append(append(os.Environ(), chtest.DSNEnv+"="+c.dsn), c.env...)
	return cmd
}

// run runs the command and returns its output (stdout and stderr) and exit code.
func (c *cli) run(args ...string) (string, int) {
	out, err := c.command(context.Background(), args...).CombinedOutput()
	return string(out), exitCode(err)
}

// shopCLI writes into dir a config of one Prom store "shop", whose token is
// in $SHOP_TOKEN and whose further keys are more (each line indented as a
// store key), and returns the built kramar on it with a fresh test database.
func shopCLI(t *testing.T, dir, more string) (*cli, *clickhouse.Warehouse) {
	t.Helper()
	wh := chtest.New(t)
	cfg := filepath.Join(dir, "kramar.yaml")
	yaml := "stores:\n  - id: shop\n    marketplace: prom\n    token_env: SHOP_TOKEN\n    order_type: Роздріб\n    order_source: Prom.ua\n" + more
	writeFile(t, cfg, yaml)
	return newCLI(t, buildKramar(t), wh.Database(), cfg, "SHOP_TOKEN=x"), wh
}

// promCLI starts the Prom harness with stores of so many orders and returns
// it with the built kramar on its config and database.
func promCLI(t *testing.T, orders map[string]int) (*promtest.Env, *cli) {
	t.Helper()
	bin := buildKramar(t)
	e := promtest.New(t, orders)
	return e, newCLI(t, bin, e.WH.Database(), e.Path)
}

// wallClockCLI is promCLI with the sandbox's clock at now: the built kramar
// runs on the wall clock, and the sandbox's orders must be older than its
// safety lag.
func wallClockCLI(t *testing.T, orders map[string]int) (*promtest.Env, *cli) {
	t.Helper()
	e, c := promCLI(t, orders)
	e.Clock.Set(time.Now().UTC())
	return e, c
}

// loadedCLI is promCLI with every store loaded once, in this process.
func loadedCLI(t *testing.T, orders map[string]int) (*promtest.Env, *cli) {
	t.Helper()
	e, c := promCLI(t, orders)
	for store, r := range e.Run() {
		if !r.OK() {
			t.Fatalf("loading %s: %v", store, r.Err)
		}
	}
	return e, c
}

// writeFile writes text to path or fails the test.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// slowDown rewrites the harness's config, which the built kramar reads,
// with a limit of perSecond requests per store and more appended: a load
// then lasts long enough to be cut.
func slowDown(t *testing.T, e *promtest.Env, perSecond int, more string) {
	t.Helper()
	cfg, err := os.ReadFile(e.Path)
	if err != nil {
		t.Fatal(err)
	}
	slow := strings.Replace(string(cfg), "rate_per_second: 0", fmt.Sprintf("rate_per_second: %d", perSecond), 1) + more
	writeFile(t, e.Path, slow)
}
