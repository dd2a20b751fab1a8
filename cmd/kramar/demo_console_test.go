package main

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/console/consoletest"
)

// `kramar demo --serve` (what `make demo` does on a terminal) ends by
// serving the console with a demo login, and Ctrl-C stops it.
func TestDemoServesTheConsoleUntilInterrupted(t *testing.T) {
	wh := chtest.New(t)
	dsn := chtest.DSNOf(t, wh)
	cmd := exec.Command(buildKramar(t), "demo", "--serve", "--database", wh.Database())
	cmd.Dir = "../.." // the demo reads kramar.example.yaml and specs/ there
	cmd.Env = append(os.Environ(), chtest.DSNEnv+"="+dsn, "TMPDIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // by PID, whatever happened
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
	})
	console := regexp.MustCompile(`^Console: (http://\S+) — log in as demo \(ops\) or buh \(accountant\), password (\S+)$`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var base, password string
	var seen []string
	for deadline := time.After(2 * time.Minute); base == ""; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the demo ended without serving the console:\n%s", strings.Join(seen, "\n"))
			}
			seen = append(seen, l)
			if m := console.FindStringSubmatch(l); m != nil {
				base, password = m[1], m[2]
			}
		case <-deadline:
			t.Fatalf("no console address within 2 minutes:\n%s", strings.Join(seen, "\n"))
		}
	}
	go func() {
		for range lines {
		}
	}()
	c := consoletest.New(base, nil)
	ops, _ := c.Login(t, "demo", password)
	if a := c.Send(t, "GET", "/", nil, consoletest.Browser, ops); a.Code != 200 {
		t.Errorf("the console's start page: %d", a.Code)
	}
	acc, _ := c.Login(t, "buh", password)
	if a := c.Send(t, "GET", "/metrics", nil, consoletest.Browser, acc); a.Code != 403 {
		t.Errorf("the accountant login on /metrics: %d, want 403", a.Code)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after Ctrl-C the demo exited with %v, want 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("the demo did not stop within 30s of Ctrl-C")
	}
}
