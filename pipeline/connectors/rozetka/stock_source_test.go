package rozetka

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/schema/canon"
)

// An item whose stock its price-list feed manages (sync_source.availability
// 3, apidoc mirror GERA-OneTeam/Rozetka-API-Seller
// docs/categories/apiitems.md L228) is refused with a reason in words and
// never sent: the feed's next sync would set its stock again.
func TestPushStockLeavesPriceListItemsToTheFeed(t *testing.T) {
	f := newPushFixture(t, 20)
	ctx := context.Background()
	goods := f.sb.Goods(f.store)
	api, feed := goods[2], goods[len(goods)-1]
	if api.StockByFeed() || !feed.StockByFeed() {
		t.Fatalf("fixture: %+v / %+v", api.SyncSource, feed.SyncSource)
	}
	rz := func(g wire.GoodsItem) string { return strconv.FormatInt(g.RzItemID, 10) }
	items := []marketplace.StockItem{
		{ExternalID: api.PriceOfferID, ProductID: rz(api), Quantity: 11},
		{ExternalID: feed.PriceOfferID, ProductID: rz(feed), Quantity: 12},
	}
	res, err := f.p.PushStock(ctx, items)
	if err != nil || len(res) != 2 {
		t.Fatalf("push: %v %+v", err, res)
	}
	if res[0].Err != nil {
		t.Fatalf("API item: %v", res[0].Err)
	}
	if reason, ok := marketplace.IsRejected(res[1].Err); !ok || reason != ReasonStockByFeed {
		t.Fatalf("price-list item: %v", res[1].Err)
	}
	want := fmt.Sprintf(`/items/mass-update {"isIgnoreCheck":0,"items":[{"item_rz_id":%d,"stock_quantity":11}]}`, api.RzItemID)
	if got := f.puts(); len(got) != 1 || got[0] != want {
		t.Fatalf("PUTs %q, want [%q]", got, want)
	}
	after := f.sb.Goods(f.store)
	if after[2].StockQuantity != 11 || after[len(after)-1].StockQuantity != feed.StockQuantity {
		t.Fatalf("stock after: API item %d, price-list item %d (was %d)", after[2].StockQuantity, after[len(after)-1].StockQuantity, feed.StockQuantity)
	}
	// The modes are read once per pusher, one /goods/all call an item.
	lookups := f.sb.Recorder().Count("/goods/all")
	if lookups != 2 {
		t.Fatalf("%d /goods/all lookups for 2 items", lookups)
	}
	// Only price-list items: nothing is sent at all, and nothing read again.
	res, err = f.p.PushStock(ctx, items[1:])
	if _, ok := marketplace.IsRejected(res[0].Err); err != nil || !ok {
		t.Fatalf("again: %v %+v", err, res)
	}
	if len(f.puts()) != 1 || f.sb.Recorder().Count("/goods/all") != lookups {
		t.Fatalf("second push: %d PUTs, %d lookups", len(f.puts()), f.sb.Recorder().Count("/goods/all"))
	}
}

// The catalog job keeps each item's stock mode (products.stock_managed_by):
// items that carry it are judged without asking Rozetka again.
func TestPushStockTakesTheStockModeFromTheCatalog(t *testing.T) {
	f := newPushFixture(t, 20)
	goods := f.sb.Goods(f.store)
	api, feed := goods[2], goods[len(goods)-1]
	rz := func(g wire.GoodsItem) string { return strconv.FormatInt(g.RzItemID, 10) }
	res, err := f.p.PushStock(context.Background(), []marketplace.StockItem{
		{ExternalID: api.PriceOfferID, ProductID: rz(api), Quantity: 11, StockManagedBy: canon.StockByAPI},
		{ExternalID: feed.PriceOfferID, ProductID: rz(feed), Quantity: 12, StockManagedBy: canon.StockByFeed},
	})
	if err != nil || res[0].Err != nil {
		t.Fatalf("push: %v %+v", err, res)
	}
	if reason, ok := marketplace.IsRejected(res[1].Err); !ok || reason != ReasonStockByFeed {
		t.Fatalf("price-list item: %v", res[1].Err)
	}
	if n := f.sb.Recorder().Count("/goods/all"); n != 0 {
		t.Fatalf("%d /goods/all lookups, want none", n)
	}
	if got := f.puts(); len(got) != 1 {
		t.Fatalf("PUTs %q", got)
	}
}
