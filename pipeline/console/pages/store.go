package pages

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

// How many of each list a store page shows, newest first.
const (
	recentRuns     = 50
	recentRejects  = 50
	shownHeld      = 200
	shownPushes    = 50
	shownUnmatched = 50
)

// storePage is everything the store page shows.
type storePage struct {
	storeRow
	Runs       []clickhouse.Run
	Rejects    []clickhouse.Reject
	HeldOrders []heldOrder
	Pushes     []clickhouse.PushStep
	// Unmapped are the store's marketplace values no mapping covers, and
	// Snippet the mappings: block that covers them.
	Unmapped []config.Suggestion
	Snippet  string
	Catalog  clickhouse.CatalogLoad
	// Unmatched are the products the store's orders name that are none of
	// the seller's products yet (v_unmatched_items).
	Unmatched []clickhouse.UnmatchedItem
	// Limits of the lists, to say when one is cut.
	RunLimit, RejectLimit, HeldLimit, PushLimit, UnmatchedLimit int
}

// heldOrder is a held (unpaid) order: its id and, from the state entry's
// value, since when it exists and is held.
type heldOrder struct {
	ID      string
	Since   time.Time `json:"since"`
	Updated time.Time
}

func (h *handler) store(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	now := h.Clock().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	key, ok := h.lookup(id)
	var hs health
	var err error
	if !ok && len(h.Config().Stores) == 0 {
		// A config without stores (an analyst's): the warehouse's stores.
		if hs, err = h.readHealth(ctx, today); err != nil {
			h.failWarehouse(w, r, err)
			return
		}
		key, ok = hs.find(id)
	}
	if !ok {
		h.fail(w, r, http.StatusNotFound, "Магазину «"+id+"» немає в конфігурації.")
		return
	}
	sp := storePage{RunLimit: recentRuns, RejectLimit: recentRejects, HeldLimit: shownHeld, PushLimit: shownPushes, UnmatchedLimit: shownUnmatched}
	var wg sync.WaitGroup
	var healthErr error
	if hs.stores == nil {
		wg.Go(func() { hs, healthErr = h.readHealth(ctx, today) })
	}
	storeErr := h.readStore(ctx, key, &sp)
	wg.Wait()
	if err := errors.Join(healthErr, storeErr); err != nil {
		h.failWarehouse(w, r, err)
		return
	}
	sp.storeRow = hs.row(key, now)
	p := h.newPage(r, "Магазин "+id, "stores", sp)
	p.Refresh = true
	h.render(w, http.StatusOK, "store", p)
}

// lookup finds the config's store called id.
func (h *handler) lookup(id string) (clickhouse.StoreKey, bool) {
	if s, ok := h.Config().Store(id); ok {
		return clickhouse.StoreKey{Marketplace: s.Marketplace, Store: s.ID}, true
	}
	return clickhouse.StoreKey{}, false
}

// find is the store called id among those the warehouse knows.
func (hs health) find(id string) (clickhouse.StoreKey, bool) {
	for k := range hs.stores {
		if k.Store == id {
			return k, true
		}
	}
	return clickhouse.StoreKey{}, false
}

// readStore fills the store's lists, reading them side by side.
func (h *handler) readStore(ctx context.Context, k clickhouse.StoreKey, sp *storePage) error {
	wh := h.Warehouse
	var held []clickhouse.StateEntry
	var suggestions []config.Suggestion
	errs := make([]error, 7)
	var wg sync.WaitGroup
	wg.Go(func() { sp.Runs, errs[0] = wh.RecentRuns(ctx, k.Marketplace, k.Store, recentRuns) })
	wg.Go(func() { sp.Rejects, errs[1] = wh.RecentRejects(ctx, k.Marketplace, k.Store, recentRejects) })
	wg.Go(func() { held, errs[2] = wh.HeldOrders(ctx, k.Marketplace, k.Store, shownHeld) })
	wg.Go(func() { sp.Pushes, errs[3] = wh.FailedPushes(ctx, k.Marketplace, k.Store, shownPushes) })
	wg.Go(func() { suggestions, errs[4] = pipeline.SuggestMappings(ctx, wh, h.Config(), []string{k.Store}) })
	wg.Go(func() { sp.Catalog, errs[5] = wh.LastCatalogLoad(ctx, k.Marketplace, k.Store) })
	wg.Go(func() { sp.Unmatched, errs[6] = wh.UnmatchedItems(ctx, k.Marketplace, k.Store, shownUnmatched) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, e := range held {
		o := heldOrder{Updated: e.UpdatedAt}
		_ = json.Unmarshal([]byte(e.Value), &o) // a value it cannot read still shows the order
		o.ID = e.Key
		sp.HeldOrders = append(sp.HeldOrders, o)
	}
	for _, s := range suggestions {
		if s.Marketplace == k.Marketplace {
			sp.Unmapped = append(sp.Unmapped, s)
		}
	}
	if len(sp.Unmapped) > 0 {
		sp.Snippet = config.RenderSuggestions(sp.Unmapped)
	}
	return nil
}
