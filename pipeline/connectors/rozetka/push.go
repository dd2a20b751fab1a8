package rozetka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kramar/kramar/extractors/httpx"
	client "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
)

// Statuses the pusher treats specially: the rules of PUT /orders/{id} in
// the apidoc mirror GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md
// (L3934-3937).
const (
	statusPacking   = "2"  // with a ТТН Rozetka moves the order on to 61
	statusShipped   = "3"  // needs a ТТН
	statusDuplicate = "49" // needs duplicate_order_id, which a Change does not carry
	statusHandover  = "61" // needs a ТТН
)

// beforeShipping are the statuses of an order that has not left yet: a
// ТТН attached to one also moves it to 61 ("Заплановано передачу
// перевізникові" in the OrdersStatuses model, docs/categories/models.md).
var beforeShipping = map[string]bool{"1": true, "2": true, "7": true, "26": true, "46": true, "47": true,
	"52": true, "53": true, "54": true, "55": true}

// stockBatch is how many items one PUT /items/mass-update carries. No
// limit is documented; 100 matches the page size of the goods examples
// (perPage 100 in docs/categories/apiitems.md), keeps a body at a few
// kilobytes, and bounds what one refused item costs: the rest of its batch
// is sent again.
const stockBatch = 100

// Pusher hands order statuses, ТТН and stock back to one Rozetka store.
// One PUT /orders/{id} carries a status and a ТТН together (orders.md).
type Pusher struct {
	api *client.Client
	// byFeed caches, per rz_item_id, whether the price-list feed manages
	// the item's stock (see PushStock): asked once per pusher.
	byFeed map[int64]bool
}

// NewPusher opens the way back to the store c describes.
func NewPusher(c source.Config) *Pusher {
	return &Pusher{api: client.NewClient(c), byFeed: map[int64]bool{}}
}

// Plan makes one action of a change. Rozetka takes no cancellation reason
// beside the status — its cancellation statuses are the reasons —
// so CancelReason and CancelText are not sent.
func (p *Pusher) Plan(c marketplace.Change) ([]marketplace.Action, error) {
	if _, err := orderID(c.OrderID); err != nil {
		return nil, err
	}
	if c.Status == "" && c.TTN == "" {
		return nil, nil
	}
	if c.Status != "" {
		if _, err := strconv.Atoi(c.Status); err != nil {
			return nil, marketplace.Reject("status %q is not a Rozetka status id", c.Status)
		}
	}
	a := marketplace.Action{Change: c}
	switch {
	case c.TTN == "" && (c.Status == statusShipped || c.Status == statusHandover):
		return nil, marketplace.Reject("status %s needs a ТТН", c.Status)
	case c.Status == statusDuplicate:
		return nil, marketplace.Reject("status 49 needs the duplicate order's id, which the CRM does not send")
	case c.Status == "":
		a.Kind = marketplace.KindTTN
	case c.TTN == "":
		a.Kind = marketplace.KindStatus
	default:
		a.Kind = marketplace.KindStatusTTN
		if c.Status == statusPacking {
			a.Expect = statusHandover // a ТТН with 2 lands the order in 61 (orders.md L3936)
		}
	}
	return []marketplace.Action{a}, nil
}

// State reads the order's status, ТТН and the statuses it may move to:
// the order's status_available expand, or — when the API leaves it out —
// the /status-availables graph from its status for every delivery type
// (then Rozetka still judges the delivery type itself).
func (p *Pusher) State(ctx context.Context, id string) (marketplace.State, error) {
	n, err := orderID(id)
	if err != nil {
		return marketplace.State{}, err
	}
	o, err := p.api.OrderState(ctx, n)
	if err != nil {
		return marketplace.State{}, connectors.NotInStore(err, id)
	}
	edges := o.StatusAvailable
	if edges == nil {
		if edges, err = p.api.StatusAvailablesFrom(ctx, o.Status); err != nil {
			return marketplace.State{}, err
		}
	}
	allowed := make([]string, 0, len(edges))
	for _, e := range edges {
		// Edges name their parent; one from elsewhere is not this order's.
		if e.ParentID != o.Status && e.ParentID != 0 {
			continue
		}
		if c := strconv.Itoa(e.ChildID); !slices.Contains(allowed, c) {
			allowed = append(allowed, c)
		}
	}
	return marketplace.State{Status: strconv.Itoa(o.Status), TTN: strings.TrimSpace(string(o.TTN)), Allowed: allowed}, nil
}

// Apply makes the one PUT /orders/{id} of a. A refusal Rozetka answers
// (HTTP 4xx, or success:false with a validation or transition code) is a
// *marketplace.Rejected with its message; a session, transport or server
// failure is returned as is: the change may or may not have landed.
func (p *Pusher) Apply(ctx context.Context, a marketplace.Action, now marketplace.State) (string, error) {
	n, err := orderID(a.OrderID)
	if err != nil {
		return "", err
	}
	status := a.Status
	if status == "" {
		if status, err = ttnStatus(now); err != nil {
			return "", err
		}
	}
	body := client.UpdateOrder{TTN: strings.TrimSpace(a.TTN)}
	if body.Status, err = strconv.Atoi(status); err != nil {
		return "", marketplace.Reject("status %q is not a Rozetka status id", status)
	}
	raw, err := p.api.UpdateOrder(ctx, n, body)
	if err != nil {
		return "", refusal(err)
	}
	var o struct {
		Status int               `json:"status"`
		TTN    client.NullString `json:"ttn"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return "accepted", nil // applied; the next State read shows the result
	}
	return fmt.Sprintf("status %d, ttn %q", o.Status, string(o.TTN)), nil
}

// ttnStatus picks the status a ТТН-only change goes with: the PUT needs a
// status (orders.md L3934). An order already in 3 or 61, or past shipping,
// keeps its status — Rozetka tracks the parcel once it has a ТТН (L3936).
// One that has not shipped goes to 61, where a ТТН belongs, if it may go
// there now; if it may not, the change is refused rather than guessed.
func ttnStatus(now marketplace.State) (string, error) {
	switch {
	case !beforeShipping[now.Status]: // 3, 61 and everything after
		return now.Status, nil
	case now.Allowed == nil || slices.Contains(now.Allowed, statusHandover):
		return statusHandover, nil
	}
	return "", marketplace.Reject("a ТТН needs the order in 61, and status %s cannot move to 61 now", now.Status)
}

// refusal turns an error Rozetka answered into a *marketplace.Rejected and
// leaves every other error as it is.
func refusal(err error) error {
	if httpx.KindOf(err) != httpx.KindRequest {
		return err
	}
	var e *client.Error
	if errors.As(err, &e) {
		return &marketplace.Rejected{Reason: e.Error()}
	}
	var he *httpx.Error
	if errors.As(err, &he) {
		return &marketplace.Rejected{Reason: he.Error()}
	}
	return &marketplace.Rejected{Reason: err.Error()}
}

// orderID reads a Rozetka order id; anything else cannot be sent.
func orderID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, marketplace.Reject("order id %q is not a Rozetka order id", s)
	}
	return n, nil
}

// StockBatch is the most items one PushStock call sends.
func (p *Pusher) StockBatch() int { return stockBatch }

// ReasonStockByFeed is why the stock of an item whose price-list feed
// manages it is not sent.
const ReasonStockByFeed = "stock of this item is managed by the price list feed on Rozetka; change it in the feed or switch the item to API"

// PushStock sets the stock of items with PUT /items/mass-update. Refused
// without sending:
//   - an item without a numeric ProductID (its rz_item_id);
//   - an item whose stock the price-list feed manages
//     (sync_source.availability 3, apidoc mirror GERA-OneTeam/Rozetka-API-Seller
//     docs/categories/apiitems.md L228): the feed's next sync would set its
//     stock again, so a pushed level would not last.
//
// The stock mode comes from the latest catalog load (StockManagedBy); only
// for items the catalog does not say it of (loaded before it was kept) does
// the pusher read /goods/all, one call an item, once per pusher; an item
// the store does not show is sent, and Rozetka judges it. Items Rozetka
// refuses come back keyed by id (the error example of PUT /items/mass-update
// in apiitems.md); since it is not documented whether the rest of such a
// batch was applied, the rest is sent again — setting a stock level twice
// is harmless.
func (p *Pusher) PushStock(ctx context.Context, items []marketplace.StockItem) ([]marketplace.StockResult, error) {
	results := make([]marketplace.StockResult, len(items))
	pending := map[int64][]int{} // rz_item_id → positions in items
	var order []int64
	for i, it := range items {
		results[i].ExternalID = it.ExternalID
		id, err := strconv.ParseInt(strings.TrimSpace(it.ProductID), 10, 64)
		if err != nil || id <= 0 {
			results[i].Err = marketplace.Reject("product %s is not in the store's Rozetka catalog; run the catalog job", it.ExternalID)
			continue
		}
		if pending[id] == nil {
			order = append(order, id)
		}
		pending[id] = append(pending[id], i)
		switch it.StockManagedBy {
		case canon.StockByFeed:
			p.byFeed[id] = true
		case canon.StockByAPI:
			p.byFeed[id] = false
		}
	}
	if err := p.learnStockModes(ctx, order); err != nil {
		return nil, err
	}
	sendable := order[:0]
	for _, id := range order {
		if !p.byFeed[id] {
			sendable = append(sendable, id)
			continue
		}
		for _, i := range pending[id] {
			results[i].Err = marketplace.Reject("%s", ReasonStockByFeed)
		}
	}
	order = sendable
	for len(order) > 0 {
		batch := make([]client.ItemUpdate, len(order))
		for k, id := range order {
			// The last of the CRM's items naming one product wins.
			last := pending[id][len(pending[id])-1]
			batch[k] = client.ItemUpdate{ItemRzID: id, StockQuantity: int(items[last].Quantity)}
		}
		err := p.api.MassUpdate(ctx, batch)
		if err == nil {
			return results, nil
		}
		var refused client.ItemErrors
		if !errors.As(err, &refused) {
			return nil, err
		}
		rest := order[:0]
		for _, id := range order {
			if _, ok := refused[id]; !ok {
				rest = append(rest, id)
				continue
			}
			for _, i := range pending[id] {
				results[i].Err = marketplace.Reject("rozetka refused item %d: %s", id, refused.Text(id))
			}
		}
		if len(rest) == len(order) {
			// Refusals that name none of the items sent: nothing to learn.
			return nil, err
		}
		order = rest
	}
	return results, nil
}

// learnStockModes reads, for the ids not asked yet, whether the price-list
// feed manages their stock.
func (p *Pusher) learnStockModes(ctx context.Context, ids []int64) error {
	var unknown []int64
	for _, id := range ids {
		if _, ok := p.byFeed[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	goods, err := p.api.GoodsByID(ctx, unknown)
	if err != nil {
		return fmt.Errorf("read the stock mode of %d item(s): %w", len(unknown), err)
	}
	for _, id := range unknown {
		g := goods[id]
		p.byFeed[id] = g.StockByFeed()
	}
	return nil
}

// The interfaces the pipeline uses.
var (
	_ marketplace.Pusher      = (*Pusher)(nil)
	_ marketplace.StockPusher = (*Pusher)(nil)
)
