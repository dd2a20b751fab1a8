package pages

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

// How many of each list a store page shows, newest first.
const (
	recentRuns    = 50
	recentRejects = 50
	shownHeld     = 200
	shownPushes   = 50
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
	// Limits of the lists, to say when one is cut.
	RunLimit, RejectLimit, HeldLimit, PushLimit int
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
	hs, err := h.readHealth(ctx, today)
	if err != nil {
		h.failWarehouse(w, r, err)
		return
	}
	key, ok := h.lookup(id, hs)
	if !ok {
		h.fail(w, r, http.StatusNotFound, "Магазину «"+id+"» немає в конфігурації.")
		return
	}
	sp := storePage{storeRow: hs.row(key, now), RunLimit: recentRuns, RejectLimit: recentRejects, HeldLimit: shownHeld, PushLimit: shownPushes}
	if err := h.readStore(ctx, key, &sp); err != nil {
		h.failWarehouse(w, r, err)
		return
	}
	p := h.newPage(r, "Магазин "+id, "stores", sp)
	p.Refresh = true
	h.render(w, http.StatusOK, "store", p)
}

// lookup finds the store called id: in the config or, for a config without
// stores, among those the warehouse knows.
func (h *handler) lookup(id string, hs health) (clickhouse.StoreKey, bool) {
	if s, ok := h.Config.Store(id); ok {
		return clickhouse.StoreKey{Marketplace: s.Marketplace, Store: s.ID}, true
	}
	if len(h.Config.Stores) == 0 {
		for k := range hs.stores {
			if k.Store == id {
				return k, true
			}
		}
	}
	return clickhouse.StoreKey{}, false
}

// readStore fills the store's lists.
func (h *handler) readStore(ctx context.Context, k clickhouse.StoreKey, sp *storePage) error {
	wh := h.Warehouse
	var err error
	if sp.Runs, err = wh.RecentRuns(ctx, k.Marketplace, k.Store, recentRuns); err != nil {
		return err
	}
	if sp.Rejects, err = wh.RecentRejects(ctx, k.Marketplace, k.Store, recentRejects); err != nil {
		return err
	}
	held, err := wh.HeldOrders(ctx, k.Marketplace, k.Store, shownHeld)
	if err != nil {
		return err
	}
	for _, e := range held {
		o := heldOrder{ID: e.Key, Updated: e.UpdatedAt}
		_ = json.Unmarshal([]byte(e.Value), &o) // a value it cannot read still shows the order
		o.ID = e.Key
		sp.HeldOrders = append(sp.HeldOrders, o)
	}
	if sp.Pushes, err = wh.FailedPushes(ctx, k.Marketplace, k.Store, shownPushes); err != nil {
		return err
	}
	ss, err := pipeline.SuggestMappings(ctx, wh, h.Config, []string{k.Store})
	if err != nil {
		return err
	}
	for _, s := range ss {
		if s.Marketplace == k.Marketplace {
			sp.Unmapped = append(sp.Unmapped, s)
		}
	}
	if len(sp.Unmapped) > 0 {
		sp.Snippet = config.RenderSuggestions(sp.Unmapped)
	}
	sp.Catalog, err = wh.LastCatalogLoad(ctx, k.Marketplace, k.Store)
	return err
}
