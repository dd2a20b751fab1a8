package clickhouse

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// notRuns are the run records of runs that did not happen: a firing merged
// into the catch-up run already waiting (skipped_overlap), and a one-shot
// command's run refused because another process held the store's lease
// (skipped_held). They are in the run log, and never a store's last run
// or its last failure.
const notRuns = "('skipped_overlap', 'skipped_held')"

// StoreKey names one store of one marketplace.
type StoreKey struct{ Marketplace, Store string }

// JobRun is the last run of one job of a store.
type JobRun struct {
	Job, Status, Error string
	At                 time.Time
	// Worker is the worker that made the run ('' without coordination).
	Worker string
}

// StoreHealth is what the warehouse knows of a store's health: the last
// run of each job, the last successful order cycle, the last failed run,
// and how much waits (held orders, pushes not over, messages not sent).
type StoreHealth struct {
	Jobs          []JobRun
	LastOK        time.Time // the last ok order cycle; zero = never
	LastError     JobRun    // the last run not ok; zero when none
	Held          uint64
	PendingPushes uint64
	UnsentNotes   uint64
}

// Health reads every store's health in a few queries.
func (w *Warehouse) Health(ctx context.Context) (map[StoreKey]*StoreHealth, error) {
	out := map[StoreKey]*StoreHealth{}
	of := func(m, s string) *StoreHealth {
		k := StoreKey{m, s}
		if out[k] == nil {
			out[k] = &StoreHealth{}
		}
		return out[k]
	}
	var (
		m, s, job, status, errText, worker string
		at                                 time.Time
		n                                  uint64
	)
	steps := []struct {
		q    string
		vals []any
		take func(h *StoreHealth)
	}{
		{`SELECT marketplace, store, job, argMax(status, (started_at, _version)), max(finished_at), argMax(error, (started_at, _version)),
		  argMax(worker, (started_at, _version))
		  FROM ` + w.table("pipeline_runs") + ` WHERE status NOT IN ` + notRuns + ` GROUP BY marketplace, store, job`,
			[]any{&job, &status, &at, &errText, &worker},
			func(h *StoreHealth) {
				h.Jobs = append(h.Jobs, JobRun{Job: job, Status: status, At: at.UTC(), Error: errText, Worker: worker})
			}},
		{`SELECT marketplace, store, max(finished_at) FROM ` + w.table("pipeline_runs") + `
		  WHERE job = 'orders' AND status = 'ok' GROUP BY marketplace, store`,
			[]any{&at}, func(h *StoreHealth) { h.LastOK = at.UTC() }},
		{`SELECT marketplace, store, argMax(job, (started_at, _version)), argMax(status, (started_at, _version)), max(started_at), argMax(error, (started_at, _version))
		  FROM ` + w.table("pipeline_runs") + ` WHERE status NOT IN ('ok', 'not_modified') AND status NOT IN ` + notRuns + ` GROUP BY marketplace, store`,
			[]any{&job, &status, &at, &errText},
			func(h *StoreHealth) { h.LastError = JobRun{Job: job, Status: status, At: at.UTC(), Error: errText} }},
		{`SELECT marketplace, store, count() FROM ` + w.table("v_extract_state") + ` WHERE kind = 'held' GROUP BY marketplace, store`,
			[]any{&n}, func(h *StoreHealth) { h.Held = n }},
		{`SELECT marketplace, store, count() FROM ` + w.table("v_pushes") + ` WHERE final = 0 GROUP BY marketplace, store`,
			[]any{&n}, func(h *StoreHealth) { h.PendingPushes = n }},
		{`SELECT marketplace, store, count() FROM ` + w.table("v_notifications") + ` WHERE state IN ('queued', 'failed') GROUP BY marketplace, store`,
			[]any{&n}, func(h *StoreHealth) { h.UnsentNotes = n }},
	}
	for _, st := range steps {
		err := w.each(ctx, st.q, func(rs driver.Rows) error {
			if err := rs.Scan(append([]any{&m, &s}, st.vals...)...); err != nil {
				return err
			}
			st.take(of(m, s))
			return nil
		})
		if err != nil {
			return nil, wrapErr(err, "store health")
		}
	}
	return out, nil
}

// LastSuccesses is when each store's job last succeeded (ok or not
// modified), for the lag metrics of a starting daemon.
func (w *Warehouse) LastSuccesses(ctx context.Context) (map[[2]string]time.Time, error) {
	out := map[[2]string]time.Time{}
	var store, job string
	var at time.Time
	err := w.each(ctx, `SELECT store, job, max(finished_at) FROM `+w.table("pipeline_runs")+`
	      WHERE status IN ('ok', 'not_modified') GROUP BY store, job`, func(rs driver.Rows) error {
		if err := rs.Scan(&store, &job, &at); err != nil {
			return err
		}
		out[[2]string{store, job}] = at
		return nil
	})
	return out, wrapErr(err, "last successful runs")
}

// Ping tells whether ClickHouse answers a query.
func (w *Warehouse) Ping(ctx context.Context) error { return w.conn.Exec(ctx, "SELECT 1") }

// QueryCounts are the server's counts of INSERT and SELECT queries since it
// started (system.events InsertQuery and SelectQuery), for whole-server
// figures such as a benchmark's queries per cycle. The query reading them
// is itself one SELECT.
func (w *Warehouse) QueryCounts(ctx context.Context) (inserts, selects uint64, err error) {
	err = w.each(ctx, `SELECT event, value FROM system.events WHERE event IN ('InsertQuery', 'SelectQuery')`,
		func(rs driver.Rows) error {
			var name string
			var v uint64
			if err := rs.Scan(&name, &v); err != nil {
				return err
			}
			if name == "InsertQuery" {
				inserts = v
			} else {
				selects = v
			}
			return nil
		})
	return inserts, selects, wrapErr(err, "read system.events")
}

// WorkerRuns is what one worker ran of a job.
type WorkerRuns struct {
	Worker           string
	Stores, Runs, OK uint64
}

// RunsByWorker sums up pipeline_runs of job by worker, and counts the
// stores that have an ok run of it at all.
func (w *Warehouse) RunsByWorker(ctx context.Context, job string) (byWorker []WorkerRuns, storesOK uint64, err error) {
	byWorker, err = collect(ctx, w, `SELECT worker, uniqExact(store), count(), countIf(status = 'ok')
	      FROM `+w.table("pipeline_runs")+` WHERE job = ? GROUP BY worker ORDER BY worker`,
		func(rs driver.Rows, r *WorkerRuns) error { return rs.Scan(&r.Worker, &r.Stores, &r.Runs, &r.OK) }, job)
	if err != nil {
		return nil, 0, wrapErr(err, "runs by worker")
	}
	err = w.conn.QueryRow(ctx, `SELECT uniqExact(store) FROM `+w.table("pipeline_runs")+` WHERE job = ? AND status = 'ok'`, job).Scan(&storesOK)
	return byWorker, storesOK, wrapErr(err, "stores with an ok run")
}
