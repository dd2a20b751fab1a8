package pipeline_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
)

func TestRunRecordSaysWhenTheRunWasDueAndHowLateItStarted(t *testing.T) {
	e := promtest.New(t, map[string]int{"prom-a": 3})
	manual := e.RunJob(context.Background(), pipeline.JobOrders, "prom-a")["prom-a"]
	// Due 2.5s ago on the wall clock, as the daemon's scheduler keeps time.
	due := time.Now().UTC().Add(-2500 * time.Millisecond)
	scheduled := e.RunJob(pipeline.WithScheduledAt(context.Background(), due), pipeline.JobOrders, "prom-a")["prom-a"]
	row := func(runID string) (at int64, lateMS int) {
		t.Helper()
		got := e.Query(`SELECT toUnixTimestamp(scheduled_at), late_ms FROM {db}.pipeline_runs WHERE run_id = ?`, runID)
		if len(got) != 1 {
			t.Fatalf("run %s: rows %v", runID, got)
		}
		a, l, _ := strings.Cut(got[0], "\t")
		at, _ = strconv.ParseInt(a, 10, 64)
		lateMS, _ = strconv.Atoi(l)
		return at, lateMS
	}
	if at, late := row(manual.RunID); at != 0 || late != 0 {
		t.Errorf("a run not started by the scheduler: scheduled_at %d, late_ms %d; want the epoch and 0", at, late)
	}
	at, late := row(scheduled.RunID)
	if at != due.Unix() || late < 2500 || late > 10000 {
		t.Errorf("scheduled run: scheduled_at %d, late_ms %d; want %d and about 2500", at, late, due.Unix())
	}
}
