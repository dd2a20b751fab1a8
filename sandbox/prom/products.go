package prom

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// maxEditBatch caps /products/edit_by_external_id. Prom publishes no limit;
// real integrations send 50–100 items a call, so the sandbox refuses more
// to keep clients batching.
const maxEditBatch = 100

// stockLevel is the mutable part of a catalog product, guarded by store.mu.
type stockLevel struct {
	presence string
	quantity int64
}

// editablePresence are the presence values a seller may set; "service" is
// refused.
var editablePresence = map[string]bool{"available": true, "not_available": true, "order": true, "waiting": true}

// newStock gives each catalog product a starting stock, from its own
// generator stream so that the orders stay as they were.
func newStock(seed int64, store int, catalog []catalogItem) ([]stockLevel, map[string]int) {
	r := fake.Rand(seed, store, streamStock, 0)
	stock := make([]stockLevel, len(catalog))
	byExternal := make(map[string]int, len(catalog))
	for i, it := range catalog {
		byExternal[it.external] = i
		switch n := r.IntN(10); {
		case n < 7:
			stock[i] = stockLevel{presence: "available", quantity: 1 + r.Int64N(50)}
		case n < 9:
			stock[i] = stockLevel{presence: "not_available"}
		default:
			stock[i] = stockLevel{presence: "order"}
		}
	}
	return stock, byExternal
}

// CatalogProduct is one product of a store as the sandbox holds it now.
type CatalogProduct struct {
	ID              int64
	ExternalID      string
	SKU             string
	Name            string
	Presence        string
	QuantityInStock int64
}

// Product returns the store's product with externalID: the truth a stock
// push is compared with.
func (s *Sandbox) Product(token, externalID string) (CatalogProduct, bool) {
	st, err := s.storeOf(token)
	if err != nil {
		return CatalogProduct{}, false
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	i, ok := st.byExternal[externalID]
	if !ok {
		return CatalogProduct{}, false
	}
	it, lvl := st.catalog[i], st.stock[i]
	return CatalogProduct{ID: it.id, ExternalID: it.external, SKU: it.sku, Name: it.name,
		Presence: lvl.presence, QuantityInStock: lvl.quantity}, true
}

// ExternalIDs lists the store's product external ids in catalog order.
func (s *Sandbox) ExternalIDs(token string) []string {
	st, err := s.storeOf(token)
	if err != nil {
		return nil
	}
	out := make([]string, len(st.catalog))
	for i, it := range st.catalog {
		out[i] = it.external
	}
	return out
}

// handleEditByExternalID applies a JSON array of product edits. A bad body
// fails as a whole (400); a bad item is reported in errors by its id and
// the rest still apply, as Prom's batch answers do.
func (s *Sandbox) handleEditByExternalID(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		kit.WriteError(w, errorBody, http.StatusBadRequest, "Invalid body")
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil || items == nil {
		kit.WriteError(w, errorBody, http.StatusBadRequest, "Body must be a JSON array of products")
		return
	}
	switch {
	case len(items) == 0:
		kit.WriteError(w, errorBody, http.StatusBadRequest, "No products to edit")
		return
	case len(items) > maxEditBatch:
		kit.WriteError(w, errorBody, http.StatusBadRequest,
			fmt.Sprintf("Too many products: %d, at most %d per request", len(items), maxEditBatch))
		return
	}
	st := s.stores.Of(r)
	resp := wire.EditResponse{ProcessedIDs: []wire.FlexID{}, Errors: map[string]wire.Message{}}
	st.mu.Lock()
	for n, raw := range items {
		key, err := st.applyEdit(raw)
		if key == "" {
			key = "#" + strconv.Itoa(n) // no readable id: name the position
		}
		if err != nil {
			resp.Errors[key] = wire.Message(err.Error())
			continue
		}
		resp.ProcessedIDs = append(resp.ProcessedIDs, wire.FlexID(key))
	}
	st.mu.Unlock()
	kit.WriteJSON(w, http.StatusOK, resp)
}

// applyEdit validates and applies one item; it returns the item's id (""
// when unreadable). Caller holds s.mu.
func (s *store) applyEdit(raw json.RawMessage) (string, error) {
	var e wire.ProductEdit
	if err := json.Unmarshal(raw, &e); err != nil {
		var probe struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &probe)
		return probe.ID, fmt.Errorf("invalid product: %v", err)
	}
	if e.ID == "" {
		return "", fmt.Errorf("id (external id) is required")
	}
	i, ok := s.byExternal[e.ID]
	if !ok {
		return e.ID, fmt.Errorf("product with external id %q not found", e.ID)
	}
	if e.Presence != "" && !editablePresence[e.Presence] {
		return e.ID, fmt.Errorf("invalid presence %q: one of available, not_available, order, waiting", e.Presence)
	}
	if e.QuantityInStock != nil && *e.QuantityInStock < 0 {
		return e.ID, fmt.Errorf("quantity_in_stock must not be negative, got %d", *e.QuantityInStock)
	}
	if e.Presence != "" {
		s.stock[i].presence = e.Presence
	}
	if e.QuantityInStock != nil {
		s.stock[i].quantity = *e.QuantityInStock
	}
	return e.ID, nil
}
