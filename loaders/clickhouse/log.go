package clickhouse

import (
	"context"
	"time"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
)

// Run is one row of pipeline_runs.
type Run struct {
	RunID       string
	Marketplace string
	Store       string
	Job         string
	StartedAt   time.Time
	FinishedAt  time.Time
	// DurationMS is the run time; RecordRun derives it from the two times when zero.
	DurationMS uint64
	Status     string // ok | failed | auth_failed | rate_limited | partial
	Fetched    uint64
	New        uint64
	Updated    uint64
	Unchanged  uint64
	Rejected   uint64
	Held       uint64
	// Error is the failure text; it must already be free of secrets.
	Error string
	// Version orders runs exactly (RecordRun fills it when zero).
	Version uint64 `ch:"_version"`
	// ScheduledAt is when the scheduler meant the run to start (zero, the
	// epoch in the table, for a run it did not start); LateMS is how late
	// the run started after it.
	ScheduledAt time.Time
	LateMS      uint64
	// Worker names the `kramar serve` worker that made the run ('' without
	// coordination).
	Worker string
	// Unmapped*: distinct marketplace values of each kind the run's orders
	// carried with no CRM mapping.
	UnmappedStatuses   uint32
	UnmappedDeliveries uint32
	UnmappedPayments   uint32
}

var runsSpec = rows.FromStruct[*Run]("pipeline_runs")

// RecordRun appends run to pipeline_runs.
func (w *Warehouse) RecordRun(ctx context.Context, run Run) error {
	if run.Version == 0 {
		run.Version = rows.NextVersion()
	}
	if run.DurationMS == 0 && run.FinishedAt.After(run.StartedAt) {
		run.DurationMS = uint64(run.FinishedAt.Sub(run.StartedAt).Milliseconds())
	}
	return insertAll(ctx, w, runsSpec, []*Run{&run}, "record run "+run.RunID)
}

type rejectRow struct {
	runID  string
	r      *canon.Reject
	seenAt time.Time
}

var rejectsSpec = rows.NewSpec("rejects",
	rows.Str("run_id", func(r rejectRow) string { return r.runID }),
	rows.Str("marketplace", func(r rejectRow) string { return r.r.Marketplace }),
	rows.Str("store", func(r rejectRow) string { return r.r.Store }),
	rows.Str("record_id", func(r rejectRow) string { return r.r.RecordID }),
	rows.Str("field", func(r rejectRow) string { return r.r.Field }),
	rows.Str("reason", func(r rejectRow) string { return r.r.Reason }),
	rows.Str("payload", func(r rejectRow) string { return r.r.Payload }),
	rows.Time("seen_at", func(r rejectRow) time.Time { return r.seenAt }),
)

// RecordRejects appends rejects met by run runID to the rejects table.
func (w *Warehouse) RecordRejects(ctx context.Context, runID string, rejects []canon.Reject, seenAt time.Time) error {
	rs := make([]rejectRow, len(rejects))
	for i := range rejects {
		rs[i] = rejectRow{runID: runID, r: &rejects[i], seenAt: seenAt}
	}
	return insertAll(ctx, w, rejectsSpec, rs, "record rejects of run "+runID)
}

// Tables lists every table the warehouse writes with its columns, in insert
// order: the canonical tables of schema/rows and the ones written here.
func Tables() []rows.Table {
	return append(rows.Tables(), stateSpec.Table(), runsSpec.Table(), rejectsSpec.Table(), driftSpec.Table(), crmUpdatesSpec.Table(), crmStockSpec.Table(),
		pushLogSpec.Table(), notesSpec.Table())
}
