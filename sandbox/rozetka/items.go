package rozetka

import (
	"encoding/json"
	"net/http"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
)

// massItem is one item of a PUT /items/mass-update body as the sandbox
// reads it. The API also takes items that carry a price alone (the
// UpdatingItem model, GERA-OneTeam/Rozetka-API-Seller
// docs/categories/models.md L3348-3366), so the stock is a pointer here:
// an item without it leaves the stock as is. Prices are not simulated.
type massItem struct {
	ItemRzID      int64 `json:"item_rz_id"`
	StockQuantity *int  `json:"stock_quantity"`
}

// The reason ids of refused items. Rozetka's own ids are not documented
// (the example at apiitems.md L5028-5077 shows only the shape,
// {"reason":[{"id":1,"value":["text"]}]}).
const (
	reasonUnknownItem = 1
	reasonBadStock    = 2
)

// handleMassUpdate is PUT /items/mass-update (apiitems.md L4997): every
// item must be in the store's catalog and its stock_quantity must not be
// negative; refused items come back keyed by item_rz_id. Whether Rozetka
// applies the rest of a batch that has a refused item is not documented;
// the sandbox takes the cautious reading and applies nothing then, so a
// client must send the good items again.
//
// What Rozetka does with a stock sent for an item whose stock its
// price-list feed manages (sync_source.availability 3, apiitems.md L228)
// is not documented either. The sandbox applies it, as for any item, and
// the feed's next sync (SyncPriceList) sets the feed's stock again: the
// pushed value does not last.
func (s *Sandbox) handleMassUpdate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Items []massItem `json:"items"`
	}
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(w, errBadFormat("body"))
		return
	}
	if len(req.Items) == 0 {
		fail(w, errRequired("items"))
		return
	}
	if refused := s.stores.Of(r).setStock(req.Items); len(refused) > 0 {
		kit.WriteRaw(w, http.StatusOK, kit.MustJSON(wire.ItemErrorsEnvelope{Success: false, Errors: refused}))
		return
	}
	kit.WriteRaw(w, http.StatusOK, []byte(`{"success":true,"content":null}`))
}

// setStock applies the stock of items to the catalog, all or nothing, and
// returns the refused items. The catalog slices are replaced, not edited,
// because /goods/all reads them outside the lock.
func (st *store) setStock(items []massItem) wire.ItemErrors {
	st.mu.Lock()
	defer st.mu.Unlock()
	at := st.goodsAt
	refused := wire.ItemErrors{}
	refuse := func(id int64, reason int, text string) {
		refused[id] = wire.ItemError{Reason: []wire.ItemReason{{ID: reason, Value: []string{text}}}}
	}
	for _, it := range items {
		if _, ok := at[it.ItemRzID]; !ok {
			refuse(it.ItemRzID, reasonUnknownItem, "Товар не знайдено серед товарів магазину")
		} else if it.StockQuantity != nil && *it.StockQuantity < 0 {
			refuse(it.ItemRzID, reasonBadStock, "Кількість товару не може бути від'ємною")
		}
	}
	if len(refused) > 0 {
		return refused
	}
	goods := append([]wire.GoodsItem(nil), st.goods...)
	goodsJSON := append([][]byte(nil), st.goodsJSON...)
	for _, it := range items {
		if it.StockQuantity == nil {
			continue
		}
		i := at[it.ItemRzID]
		setItemStock(&goods[i], *it.StockQuantity)
		goodsJSON[i] = kit.MustJSON(goods[i])
	}
	st.goods, st.goodsJSON = goods, goodsJSON
	return nil
}

// SyncPriceList runs the price-list feed's sync of a store: every item whose
// stock the feed manages gets the feed's stock again, whatever
// /items/mass-update set. It returns how many items changed.
func (s *Sandbox) SyncPriceList(storeID string) (int, error) {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return 0, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	goods := append([]wire.GoodsItem(nil), st.goods...)
	goodsJSON := append([][]byte(nil), st.goodsJSON...)
	n := 0
	for id, stock := range st.feedStock {
		i := st.goodsAt[id]
		if g := &goods[i]; g.StockByFeed() && g.StockQuantity != stock {
			setItemStock(g, stock)
			goodsJSON[i] = kit.MustJSON(*g)
			n++
		}
	}
	st.goods, st.goodsJSON = goods, goodsJSON
	return n, nil
}

// setItemStock sets an item's stock and the availability that follows.
func setItemStock(g *wire.GoodsItem, stock int) {
	g.StockQuantity = stock
	if g.Available != 2 { // an item removed from the price list stays removed
		g.Available = min(stock, 1)
		g.AvailableTitle = availableTitles[g.Available]
	}
}
