package clickhouse

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The reads of the console's pages (pipeline/console/pages). The store
// list reads every store at once (Health, LastSuccesses, OrdersSince); a
// store's page reads that one store, each list capped at its newest rows.

// OrdersSince counts each store's current orders (v_orders) created at or
// after since, in one query.
func (w *Warehouse) OrdersSince(ctx context.Context, since time.Time) (map[StoreKey]uint64, error) {
	cond, args := between("created_at", false, since, time.Time{})
	out := map[StoreKey]uint64{}
	var k StoreKey
	var n uint64
	err := w.each(ctx, `SELECT marketplace, store, count() FROM `+w.table("v_orders")+` WHERE `+cond+`
		GROUP BY marketplace, store`, func(rs driver.Rows) error {
		if err := rs.Scan(&k.Marketplace, &k.Store, &n); err != nil {
			return err
		}
		out[k] = n
		return nil
	}, args...)
	return out, wrapErr(err, "orders since %s", since.UTC().Format(time.DateTime))
}

// runColumns are the columns of pipeline_runs a store page shows, in the
// order scanRun reads them.
const runColumns = `run_id, marketplace, store, job, started_at, finished_at, duration_ms, status,
	fetched, new, updated, unchanged, rejected, held, error, worker,
	unmapped_statuses, unmapped_deliveries, unmapped_payments`

func scanRun(rs driver.Rows, r *Run) error {
	return rs.Scan(&r.RunID, &r.Marketplace, &r.Store, &r.Job, &r.StartedAt, &r.FinishedAt, &r.DurationMS, &r.Status,
		&r.Fetched, &r.New, &r.Updated, &r.Unchanged, &r.Rejected, &r.Held, &r.Error, &r.Worker,
		&r.UnmappedStatuses, &r.UnmappedDeliveries, &r.UnmappedPayments)
}

// RecentRuns is the store's latest runs (pipeline_runs), newest first, at
// most limit; runs that did not happen (notRuns) are left out.
func (w *Warehouse) RecentRuns(ctx context.Context, marketplace, store string, limit int) ([]Run, error) {
	out, err := collect(ctx, w, `SELECT `+runColumns+` FROM `+w.table("pipeline_runs")+`
		WHERE marketplace = ? AND store = ? AND status NOT IN `+notRuns+`
		ORDER BY started_at DESC, _version DESC LIMIT ?`, scanRun, marketplace, store, uint64(limit))
	return out, wrapErr(err, "recent runs of %s/%s", marketplace, store)
}

// Reject is one row of rejects.
type Reject struct {
	RunID, RecordID, Field, Reason string
	// Payload is the record as received, cut to RejectPayloadChars characters.
	Payload string
	SeenAt  time.Time
}

// RejectPayloadChars is how much of a rejected record's payload
// RecentRejects reads: enough to see what is wrong, never megabytes a page.
const RejectPayloadChars = 20000

// RecentRejects is the store's latest rejected records, newest first, at
// most limit.
func (w *Warehouse) RecentRejects(ctx context.Context, marketplace, store string, limit int) ([]Reject, error) {
	out, err := collect(ctx, w, `SELECT run_id, record_id, field, reason, substringUTF8(payload, 1, ?), seen_at
		FROM `+w.table("rejects")+` WHERE marketplace = ? AND store = ?
		ORDER BY seen_at DESC LIMIT ?`, func(rs driver.Rows, r *Reject) error {
		return rs.Scan(&r.RunID, &r.RecordID, &r.Field, &r.Reason, &r.Payload, &r.SeenAt)
	}, uint64(RejectPayloadChars), marketplace, store, uint64(limit))
	return out, wrapErr(err, "rejects of %s/%s", marketplace, store)
}

// HeldOrders is the store's held (unpaid) orders (v_extract_state kind
// held): the key is the order id, the value its JSON; by order id, at most
// limit.
func (w *Warehouse) HeldOrders(ctx context.Context, marketplace, store string, limit int) ([]StateEntry, error) {
	out, err := collect(ctx, w, `SELECT kind, key, value, updated_at FROM `+w.table("v_extract_state")+`
		WHERE marketplace = ? AND store = ? AND kind = 'held' ORDER BY key LIMIT ?`, func(rs driver.Rows, e *StateEntry) error {
		return rs.Scan(&e.Kind, &e.Key, &e.Value, &e.UpdatedAt)
	}, marketplace, store, uint64(limit))
	return out, wrapErr(err, "held orders of %s/%s", marketplace, store)
}

// FailedPushes is the store's pushes (v_pushes) whose latest step failed or
// was rejected, newest first, at most limit; only the columns a page shows
// are filled.
func (w *Warehouse) FailedPushes(ctx context.Context, marketplace, store string, limit int) ([]PushStep, error) {
	out, err := collect(ctx, w, `SELECT push_id, order_id, external_id, source, action, from_status, to_status, ttn,
		state, attempt, response, reason, at FROM `+w.table("v_pushes")+`
		WHERE marketplace = ? AND store = ? AND state IN ('failed', 'rejected')
		ORDER BY at DESC, push_id LIMIT ?`, func(rs driver.Rows, p *PushStep) error {
		p.Marketplace, p.Store = marketplace, store
		return rs.Scan(&p.PushID, &p.OrderID, &p.ExternalID, &p.Source, &p.Action, &p.FromStatus, &p.ToStatus, &p.TTN,
			&p.State, &p.Attempt, &p.Response, &p.Reason, &p.At)
	}, marketplace, store, uint64(limit))
	return out, wrapErr(err, "failed pushes of %s/%s", marketplace, store)
}

// CatalogLoad is a store's latest catalog run and the offers of the
// catalog v_products shows (its latest complete load).
type CatalogLoad struct {
	Last   Run // the latest catalog run, whatever its status; zero when none
	Offers uint64
}

// LastCatalogLoad reads the store's CatalogLoad.
func (w *Warehouse) LastCatalogLoad(ctx context.Context, marketplace, store string) (CatalogLoad, error) {
	var c CatalogLoad
	runs, err := collect(ctx, w, `SELECT `+runColumns+` FROM `+w.table("pipeline_runs")+`
		WHERE marketplace = ? AND store = ? AND job = 'catalog' AND status NOT IN `+notRuns+`
		ORDER BY started_at DESC, _version DESC LIMIT 1`, scanRun, marketplace, store)
	if err != nil {
		return c, wrapErr(err, "last catalog load of %s/%s", marketplace, store)
	}
	if len(runs) == 1 {
		c.Last = runs[0]
	}
	err = w.conn.QueryRow(ctx, `SELECT count() FROM `+w.table("v_products")+` WHERE marketplace = ? AND store = ?`,
		marketplace, store).Scan(&c.Offers)
	return c, wrapErr(err, "offers of %s/%s", marketplace, store)
}
