package rozetka

import "encoding/json"

// GoodsList is the content of GET /goods/all and its siblings (§1.10).
type GoodsList struct {
	Count int               `json:"count"`
	Items []json.RawMessage `json:"items"`
	Meta  Meta              `json:"_meta"`
}

// GoodsItem is one offer of the seller's catalog (§1.10, abridged). Prices
// are whole hryvnias (ints), unlike order money.
type GoodsItem struct {
	RzItemID       int64     `json:"rz_item_id"`
	ItemID         int64     `json:"item_id"`
	PriceOfferID   string    `json:"price_offer_id"`
	Article        string    `json:"article"`
	Name           string    `json:"name"`
	NameUA         string    `json:"name_ua"`
	URL            string    `json:"url"`
	Price          int64     `json:"price"`
	PriceOld       int64     `json:"price_old"`
	PricePromo     *int64    `json:"price_promo"`
	StockQuantity  int       `json:"stock_quantity"`
	Available      int       `json:"available"` // 0 not in stock, 1 in stock, 2 removed from the price list
	AvailableTitle string    `json:"available_title"`
	RzCategory     *GoodsRef `json:"rz_category,omitempty"`
	Photo          []string  `json:"photo"`
	PhotoPreview   []string  `json:"photo_preview"`
	Sold           int       `json:"sold"`
	IsFF           Bool      `json:"is_ff"`
	CreatedAt      string    `json:"created_at"` // Kyiv local "2006-01-02 15:04:05"
	RzSellStatus   int       `json:"rz_sell_status"`
	UploadStatus   int       `json:"upload_status"`
	UploadTitle    string    `json:"upload_status_title,omitempty"`
}

// GoodsRef is a category or producer reference of an item.
type GoodsRef struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	TitleUA string `json:"title_ua,omitempty"`
}
