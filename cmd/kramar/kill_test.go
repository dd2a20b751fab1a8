package main

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse/chtest"
)

func TestSIGKILLMidLoadThenRerunEqualsSandbox(t *testing.T) {
	// Small batches and a rate limit make the load long enough to be cut.
	e, c := promCLI(t, map[string]int{"prom-a": 1500})
	slowDown(t, e, 40, "")
	// The subprocess runs on the wall clock; the sandbox's orders must be older than its safety lag.
	e.Clock.Set(time.Now().UTC())

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.command(ctx, "run", "--once")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	total := len(e.SB.Orders(e.SB.StoreID(e.Tokens["prom-a"])))
	killedAt := ""
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		n := e.Query(`SELECT count() FROM {db}.order_items`)[0]
		if n != "0" {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killedAt = n
			break
		}
	}
	_ = cmd.Wait()
	if killedAt == "" {
		t.Fatal("the run never started loading")
	}
	loaded := e.Query(`SELECT count() FROM {db}.v_orders`)[0]
	if loaded == "" || loaded == strconv.Itoa(total) {
		t.Fatalf("killed after %s item rows, yet %s of %d orders are in: the kill was not mid-load", killedAt, loaded, total)
	}
	if cursor := e.Query(`SELECT count() FROM {db}.v_extract_state WHERE kind = 'cursor'`)[0]; cursor != "0" {
		t.Fatalf("a killed run saved its cursor")
	}
	t.Logf("killed with %s item rows and %s orders of %d loaded", killedAt, loaded, total)

	rerun := c.command(ctx, "run", "--once")
	if out, err := rerun.CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	e.AssertEqual("prom-a")
}

func TestSIGKILLBetweenTheFlushOfRowsAndTheFlushOfTheirCursorsThenRerunEqualsSandbox(t *testing.T) {
	e, c := promCLI(t, map[string]int{"prom-a": 300, "prom-b": 200})
	e.Clock.Set(time.Now().UTC())
	// The run reaches ClickHouse through a relay that stalls the first
	// insert of extract_state: the rows before it in the flush are in, the
	// cursors that cover them are not.
	proxy, viaProxy := chtest.NewProxy(t, c.dsn)
	c.dsn = viaProxy
	held := proxy.HoldAt("INSERT INTO `" + e.WH.Database() + "`.`extract_state`")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.command(ctx, "run", "--once")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the run never sent a cursor")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	proxy.Release()
	if n := e.Query(`SELECT count() FROM {db}.v_orders`)[0]; n == "0" {
		t.Fatal("no order was in when the cursor was sent: the kill was not between the two")
	}
	if n := e.Query(`SELECT count() FROM {db}.v_extract_state`)[0]; n != "0" {
		t.Fatalf("%s state entries written by the killed run", n)
	}
	t.Logf("killed with %s orders in and no cursor", e.Query(`SELECT count() FROM {db}.v_orders`)[0])

	if out, err := c.command(ctx, "run", "--once").CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	e.AssertEqual("prom-a", "prom-b")
}

func TestRunExitsOneWhenAStoreFailsAndLoadsTheOthers(t *testing.T) {
	e, c := promCLI(t, map[string]int{"prom-a": 40, "prom-b": 30})
	e.Clock.Set(time.Now().UTC())
	e.SB.Revoke(e.Tokens["prom-b"])
	out, code := c.run("run", "--once")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"prom-a", "ok", "prom-b", "auth_failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, e.Tokens["prom-b"]) {
		t.Errorf("the revoked token is printed:\n%s", out)
	}
	e.AssertEqual("prom-a")
}
