package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kramar/kramar/schema/rows"
)

// PushStep is one row of push_log: a step of one push to a marketplace.
type PushStep struct {
	PushID      string
	UpdateID    string
	Marketplace string
	Store       string
	OrderID     string
	ExternalID  string
	Source      string
	Action      string
	CRMStatus   string
	FromStatus  string
	ToStatus    string
	TTN         string
	Carrier     string
	Quantity    uint32
	State       string
	Final       bool
	Closes      bool
	Attempt     uint32
	Request     string
	Response    string
	Reason      string
	At          time.Time
	Version     uint64 `ch:"_version"`
}

var pushLogSpec = rows.FromStruct[PushStep]("push_log")

// RecordPushSteps appends steps to push_log in one insert. Steps without a
// version get the next one, so a push's later step always wins.
func (w *Warehouse) RecordPushSteps(ctx context.Context, steps ...PushStep) error {
	if len(steps) == 0 {
		return nil
	}
	for i := range steps {
		if steps[i].Version == 0 {
			steps[i].Version = rows.NextVersion()
		}
	}
	return insertAll(ctx, w, pushLogSpec, steps, "record push log")
}

// PushState is where one push stands.
type PushState struct {
	State   string
	Final   bool
	Attempt uint32
}

// PushStates returns the latest state of those of ids that the store's
// push log has, by push id.
func (w *Warehouse) PushStates(ctx context.Context, marketplace, store string, ids []string) (map[string]PushState, error) {
	out := map[string]PushState{}
	if len(ids) == 0 {
		return out, nil
	}
	q := `SELECT push_id, argMax(state, _version), argMax(final, _version), max(attempt)
	      FROM ` + w.table("push_log") + `
	      WHERE marketplace = ? AND store = ? AND push_id IN (SELECT arrayJoin(?))
	      GROUP BY push_id`
	err := w.each(ctx, q, func(rs driver.Rows) error {
		var (
			id    string
			s     PushState
			final uint8
		)
		if err := rs.Scan(&id, &s.State, &final, &s.Attempt); err != nil {
			return err
		}
		s.Final = final == 1
		out[id] = s
		return nil
	}, marketplace, store, ids)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: push states of %s/%s: %w", marketplace, store, err)
	}
	return out, nil
}

// OpenCRMUpdates returns the store's CRM changes that no push has closed
// yet, oldest first.
func (w *Warehouse) OpenCRMUpdates(ctx context.Context, marketplace, store string) ([]CRMUpdate, error) {
	q := `SELECT update_id, order_id, crm_status, ttn, carrier, changed_at, changed_by
	      FROM ` + w.table("crm_updates") + `
	      WHERE marketplace = ? AND store = ?
	        AND update_id` + w.in(true) + `(SELECT update_id FROM ` + w.table("push_log") + `
	                              WHERE marketplace = ? AND store = ? AND closes = 1)
	      ORDER BY changed_at, update_id`
	var out []CRMUpdate
	seen := map[string]bool{}
	err := w.each(ctx, q, func(rs driver.Rows) error {
		u := CRMUpdate{Marketplace: marketplace, Store: store}
		if err := rs.Scan(&u.UpdateID, &u.OrderID, &u.CRMStatus, &u.TTN, &u.Carrier, &u.ChangedAt, &u.ChangedBy); err != nil {
			return err
		}
		// The same change inserted twice (a re-run import) is one change.
		if !seen[u.UpdateID] {
			seen[u.UpdateID] = true
			out = append(out, u)
		}
		return nil
	}, marketplace, store, marketplace, store)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: open CRM updates of %s/%s: %w", marketplace, store, err)
	}
	return out, nil
}

// OrderRef is an order as the warehouse last saw it.
type OrderRef struct {
	ID         string
	Status     string // the marketplace's status
	TTN        string
	ModifiedAt time.Time
}

// OrdersInStatus returns the store's current orders whose marketplace status
// is status and that have not changed since before.
func (w *Warehouse) OrdersInStatus(ctx context.Context, marketplace, store, status string, before time.Time) ([]OrderRef, error) {
	q := `SELECT external_id, marketplace_status, ttn, modified_at
	      FROM ` + w.table("v_orders") + `
	      WHERE marketplace = ? AND store = ? AND marketplace_status = ? AND modified_at <= ?
	      ORDER BY external_id`
	return w.orderRefs(ctx, q, marketplace, store, status, before.UTC())
}

// OrderRefs returns what the warehouse knows of the given orders of a store.
func (w *Warehouse) OrderRefs(ctx context.Context, marketplace, store string, ids []string) ([]OrderRef, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := `SELECT external_id, marketplace_status, ttn, modified_at
	      FROM ` + w.table("v_orders") + `
	      WHERE marketplace = ? AND store = ? AND external_id IN (SELECT arrayJoin(?))`
	return w.orderRefs(ctx, q, marketplace, store, ids)
}

func (w *Warehouse) orderRefs(ctx context.Context, q string, args ...any) ([]OrderRef, error) {
	out, err := collect(ctx, w, q, func(rs driver.Rows, o *OrderRef) error {
		return rs.Scan(&o.ID, &o.Status, &o.TTN, &o.ModifiedAt)
	}, args...)
	return out, wrapErr(err, "orders of %v/%v", args[0], args[1])
}

// StockToSend is a product whose CRM stock differs from what was last sent.
type StockToSend struct {
	ExternalID string
	ProductID  string // the marketplace's id, from the latest catalog; '' when unknown
	Quantity   uint32
	// StockManagedBy is who sets the product's stock on the marketplace,
	// from the latest catalog (canon.StockByFeed, canon.StockByAPI or '').
	StockManagedBy string
}

// StockChanges returns the store's products whose current CRM stock was
// never sent, or differs from the last stock the marketplace answered for
// (accepted or refused: a refused item goes again when its stock changes),
// and the products named in resend whatever they were last sent: the
// marketplace's own count of those moved.
func (w *Warehouse) StockChanges(ctx context.Context, marketplace, store string, resend ...string) ([]StockToSend, error) {
	again := make(map[string]bool, len(resend))
	for _, id := range resend {
		again[id] = true
	}
	sent := map[string]uint32{}
	err := w.each(ctx, `SELECT external_id, argMax(quantity, _version)
	      FROM `+w.table("push_log")+`
	      WHERE marketplace = ? AND store = ? AND action = 'stock' AND final = 1
	      GROUP BY external_id`, func(rs driver.Rows) error {
		var id string
		var q uint32
		if err := rs.Scan(&id, &q); err != nil {
			return err
		}
		sent[id] = q
		return nil
	}, marketplace, store)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: stock sent to %s/%s: %w", marketplace, store, err)
	}
	var out []StockToSend
	err = w.each(ctx, `SELECT external_id, quantity FROM `+w.table("v_crm_stock")+`
	      WHERE marketplace = ? AND store = ? ORDER BY external_id`, func(rs driver.Rows) error {
		var s StockToSend
		if err := rs.Scan(&s.ExternalID, &s.Quantity); err != nil {
			return err
		}
		if q, ok := sent[s.ExternalID]; !ok || q != s.Quantity || again[s.ExternalID] {
			out = append(out, s)
		}
		return nil
	}, marketplace, store)
	if err != nil || len(out) == 0 {
		return out, wrapErr(err, "CRM stock of %s/%s", marketplace, store)
	}
	type catalogued struct{ id, managedBy string }
	ids := map[string]catalogued{}
	err = w.each(ctx, `SELECT external_id, product_id, stock_managed_by FROM `+w.table("v_products")+`
	      WHERE marketplace = ? AND store = ?`, func(rs driver.Rows) error {
		var ext string
		var c catalogued
		if err := rs.Scan(&ext, &c.id, &c.managedBy); err != nil {
			return err
		}
		ids[ext] = c
		return nil
	}, marketplace, store)
	if err != nil {
		return nil, wrapErr(err, "catalog ids of %s/%s", marketplace, store)
	}
	for i := range out {
		c := ids[out[i].ExternalID]
		out[i].ProductID, out[i].StockManagedBy = c.id, c.managedBy
	}
	return out, nil
}
