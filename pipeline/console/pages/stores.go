package pages

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
)

// The states of a store, as `kramar status` names them.
const (
	stateOK       = "ok"
	stateFailing  = "failing"
	stateNeverRun = "never_run"
)

// storeRow is one store's line of the store list (and the head of its page).
type storeRow struct {
	ID, Marketplace string
	State           string
	Jobs            []jobCell
	OrdersToday     uint64
	Held            uint64
	PendingPushes   uint64
	UnsentNotes     uint64
	// LastError is the store's last run that was not ok; zero when none.
	LastError clickhouse.JobRun
}

// jobCell is the last run of one job of a store and its last success.
type jobCell struct {
	Job, Status string
	LastRun     time.Time
	LastOK      time.Time // zero = never
	Lag         time.Duration
}

// storeList is every store's row, failing ones first.
type storeList struct {
	Stores                   []storeRow
	Failing, NeverRun, Total int
	Today                    time.Time
}

// health is what the store list reads, in a fixed number of queries
// whatever the number of stores.
type health struct {
	stores    map[clickhouse.StoreKey]*clickhouse.StoreHealth
	successes map[[2]string]time.Time
	today     map[clickhouse.StoreKey]uint64
}

// readHealth runs the store list's queries side by side.
func (h *handler) readHealth(ctx context.Context, today time.Time) (health, error) {
	var out health
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() { out.stores, errs[0] = h.Warehouse.Health(ctx) })
	wg.Go(func() { out.successes, errs[1] = h.Warehouse.LastSuccesses(ctx) })
	wg.Go(func() { out.today, errs[2] = h.Warehouse.OrdersSince(ctx, today) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// keys are the stores to list (pipeline.HealthStores).
func (h *handler) keys(hs health) []clickhouse.StoreKey {
	return pipeline.HealthStores(h.Config(), hs.stores)
}

// row is one store's row. A store is failing when the last run of any of
// its jobs leaves it so (pipeline.JobFailing), as in `kramar status`.
func (hs health) row(k clickhouse.StoreKey, now time.Time) storeRow {
	r := storeRow{ID: k.Store, Marketplace: k.Marketplace, State: stateNeverRun, OrdersToday: hs.today[k]}
	known := hs.stores[k]
	if known == nil {
		return r
	}
	r.Held, r.PendingPushes, r.UnsentNotes, r.LastError = known.Held, known.PendingPushes, known.UnsentNotes, known.LastError
	if len(known.Jobs) > 0 {
		r.State = stateOK
	}
	for _, j := range known.Jobs {
		if pipeline.JobFailing(j) {
			r.State = stateFailing
		}
		c := jobCell{Job: j.Job, Status: j.Status, LastRun: j.At, LastOK: hs.successes[[2]string{k.Store, j.Job}]}
		if !c.LastOK.IsZero() {
			c.Lag = now.Sub(c.LastOK).Truncate(time.Second)
		}
		r.Jobs = append(r.Jobs, c)
	}
	sort.Slice(r.Jobs, func(a, b int) bool { return jobOrder(r.Jobs[a].Job) < jobOrder(r.Jobs[b].Job) })
	return r
}

// jobOrder puts the order cycle first, then the other jobs by name.
func jobOrder(job string) string {
	if job == pipeline.JobOrders {
		return ""
	}
	return job
}

var stateRank = map[string]int{stateFailing: 0, stateNeverRun: 1, stateOK: 2}

func (h *handler) stores(w http.ResponseWriter, r *http.Request) {
	now := h.Clock().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	hs, err := h.readHealth(r.Context(), today)
	if err != nil {
		h.failWarehouse(w, r, err)
		return
	}
	keys := h.keys(hs)
	list := storeList{Stores: make([]storeRow, len(keys)), Total: len(keys), Today: today}
	for i, k := range keys {
		list.Stores[i] = hs.row(k, now)
		switch list.Stores[i].State {
		case stateFailing:
			list.Failing++
		case stateNeverRun:
			list.NeverRun++
		}
	}
	sort.SliceStable(list.Stores, func(a, b int) bool {
		return stateRank[list.Stores[a].State] < stateRank[list.Stores[b].State]
	})
	p := h.newPage(r, "Магазини", "stores", list)
	p.Refresh = true
	h.render(w, http.StatusOK, "stores", p)
}
