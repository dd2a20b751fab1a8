package rozetka

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// GoodsList is the content of GET /goods/all and its siblings (apidoc
// mirror GERA-OneTeam/Rozetka-API-Seller docs/categories/apiitems.md).
type GoodsList struct {
	Count int               `json:"count"`
	Items []json.RawMessage `json:"items"`
	Meta  Meta              `json:"_meta"`
}

// GoodsItem is one offer of the seller's catalog (apiitems.md, abridged).
// Prices are whole hryvnias (ints), unlike order money. The id and the
// price reject the item when they cannot be read (kramar:"required").
type GoodsItem struct {
	RzItemID     int64  `json:"rz_item_id" kramar:"required"`
	ItemID       int64  `json:"item_id"`
	PriceOfferID string `json:"price_offer_id"`
	// SyncSourceID and SyncSource name the source the item comes from
	// (apidoc mirror docs/categories/apiitems.md L225-230, example
	// L330-335): the source says who manages its stock.
	SyncSourceID   int64       `json:"sync_source_id,omitempty"`
	SyncSource     *SyncSource `json:"sync_source,omitempty"`
	Article        string      `json:"article"`
	Name           string      `json:"name"`
	NameUA         string      `json:"name_ua"`
	URL            string      `json:"url"`
	Price          int64       `json:"price" kramar:"required"`
	PriceOld       int64       `json:"price_old"`
	PricePromo     *int64      `json:"price_promo"`
	StockQuantity  int         `json:"stock_quantity"`
	Available      int         `json:"available"` // 0 not in stock, 1 in stock, 2 removed from the price list
	AvailableTitle string      `json:"available_title"`
	RzCategory     *GoodsRef   `json:"rz_category,omitempty"`
	Photo          []string    `json:"photo"`
	PhotoPreview   []string    `json:"photo_preview"`
	Sold           int         `json:"sold"`
	IsFF           Bool        `json:"is_ff"`
	CreatedAt      string      `json:"created_at"` // Kyiv local "2006-01-02 15:04:05"
	RzSellStatus   int         `json:"rz_sell_status"`
	UploadStatus   int         `json:"upload_status"`
	UploadTitle    string      `json:"upload_status_title,omitempty"`
}

// The stock management modes of SyncSource.Availability (apiitems.md
// L228: "Управління товарами").
const (
	StockByPriceList = 3 // the price-list feed sets the stock
	StockByAPI       = 4 // the stock is set through the API (/items/mass-update)
)

// SyncSource is an item's source: a price-list feed or the API.
type SyncSource struct {
	ID           int64 `json:"id"`
	Availability int   `json:"availability"`
	// IsVirtualSource: 0 a price list, 3 the API. The SyncSource model
	// (models.md L2958-2972) has only id and availability.
	IsVirtualSource int `json:"is_virtual_source,omitempty"`
	NewFlowOldPrice int `json:"new_flow_old_price,omitempty"`
}

// StockByFeed reports whether the price-list feed manages the item's stock:
// a stock level sent through the API is then not the item's (the next feed
// sync sets it again).
func (g GoodsItem) StockByFeed() bool {
	return g.SyncSource != nil && g.SyncSource.Availability == StockByPriceList
}

// GoodsRef is a category or producer reference of an item.
type GoodsRef struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	TitleUA string `json:"title_ua,omitempty"`
}

// ItemUpdate is one item of PUT /items/mass-update (the UpdatingItem
// model, models.md L3348-3366): the stock level to set. Price fields
// exist too; the pipeline sends stock only.
type ItemUpdate struct {
	ItemRzID      int64 `json:"item_rz_id"`
	StockQuantity int   `json:"stock_quantity"`
}

// MassUpdate is the body of PUT /items/mass-update. IsIgnoreCheck 0 keeps
// Rozetka's own checks (e.g. a price jump waiting for a manager,
// apiitems.md L5001).
type MassUpdate struct {
	IsIgnoreCheck int          `json:"isIgnoreCheck"`
	Items         []ItemUpdate `json:"items"`
}

// ItemReason is one reason an item was refused: {"id":1,"value":["text"]}.
type ItemReason struct {
	ID    int      `json:"id"`
	Value []string `json:"value"`
}

// ItemError is what a refused item gets: {"reason":[…]}.
type ItemError struct {
	Reason []ItemReason `json:"reason"`
}

// ItemErrors is the bulk error form of PUT /items/mass-update: "errors"
// keyed by item_rz_id instead of one MarketError (apiitems.md L5028-5077),
// {"success":false,"errors":{"102069758":{"reason":[{"id":1,"value":["text"]}]}}}.
// The client returns it (reachable with errors.As) so a caller can tell
// which items failed.
type ItemErrors map[int64]ItemError

// Text joins an item's reasons into one line ("" when the item has none).
func (e ItemErrors) Text(id int64) string {
	var parts []string
	for _, r := range e[id].Reason {
		parts = append(parts, strings.Join(r.Value, "; "))
	}
	return strings.Join(parts, "; ")
}

func (e ItemErrors) Error() string {
	ids := make([]int64, 0, len(e))
	for id := range e {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%d: %s", id, e.Text(id))
	}
	return fmt.Sprintf("rozetka refused %d item(s): %s", len(ids), strings.Join(parts, ", "))
}

// ItemErrorsEnvelope is a failed mass update as the API sends it.
type ItemErrorsEnvelope struct {
	Success bool       `json:"success"`
	Errors  ItemErrors `json:"errors"`
}
