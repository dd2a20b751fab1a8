package horoshop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	client "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
)

// StatusCancelled is the built-in "Не доставлене / Canceled" status: an
// order in it can no longer be edited through the API (§1.6).
const StatusCancelled = "4"

// Pusher hands order statuses, waybills and stock back to one Horoshop
// shop. orders/update carries the status and the tracking code together,
// so a change is one call; stock goes through catalog/import.
type Pusher struct {
	client *client.Client
}

// NewPusher opens the way back to the shop c describes.
func NewPusher(c source.Config) *Pusher { return &Pusher{client: client.NewClient(c)} }

var _ marketplace.StockPusher = (*Pusher)(nil)

// Plan makes one action of a change: "status+ttn", "status" or "ttn"
// (none when the change asks for nothing). A status must be a Horoshop
// status id.
func (p *Pusher) Plan(c marketplace.Change) ([]marketplace.Action, error) {
	if _, err := orderNumber(c.OrderID); err != nil {
		return nil, err
	}
	var kind string
	switch {
	case c.Status != "" && c.TTN != "":
		kind = marketplace.KindStatusTTN
	case c.Status != "":
		kind = marketplace.KindStatus
	case c.TTN != "":
		kind = marketplace.KindTTN
	default:
		return nil, nil
	}
	if c.Status != "" {
		if _, err := statusID(c.Status); err != nil {
			return nil, err
		}
	}
	return []marketplace.Action{{Kind: kind, Change: c}}, nil
}

// State reads the order through orders/get: its status id and the waybill
// in delivery_data.tnNumber. Horoshop does not say which statuses an order
// may move to, so Allowed is nil.
func (p *Pusher) State(ctx context.Context, orderID string) (marketplace.State, error) {
	raw, err := p.client.Get(ctx, orderID)
	var nf *source.NotFoundError
	if errors.As(err, &nf) {
		return marketplace.State{}, marketplace.Reject("order %s is not in the shop", orderID)
	}
	if err != nil {
		return marketplace.State{}, err
	}
	var o client.Order
	if err := json.Unmarshal(raw.Body, &o); err != nil {
		return marketplace.State{}, fmt.Errorf("order %s: unreadable answer: %w", orderID, err)
	}
	st := marketplace.State{Status: strconv.Itoa(o.StatStatus)}
	if d := o.DeliveryData; d != nil && d.TNNumber != nil {
		st.TTN = string(*d.TNNumber)
	}
	return st, nil
}

// Apply sends the action as one orders/update. The shop's per-order log
// decides: ERROR (an unknown status id, a cancelled order) is a
// *marketplace.Rejected with the shop's message.
func (p *Pusher) Apply(ctx context.Context, a marketplace.Action, now marketplace.State) (string, error) {
	n, err := orderNumber(a.OrderID)
	if err != nil {
		return "", err
	}
	if now.Status == StatusCancelled {
		return "", marketplace.Reject("order %s is cancelled (status %s); Horoshop does not edit cancelled orders", a.OrderID, StatusCancelled)
	}
	u := client.OrderUpdate{OrderID: n, TrackingCode: strings.TrimSpace(a.TTN)}
	if a.Status != "" {
		if u.Status, err = statusID(a.Status); err != nil {
			return "", err
		}
	}
	logs, err := p.client.UpdateOrders(ctx, []client.OrderUpdate{u})
	if err != nil {
		return "", refusal(err)
	}
	if len(logs) == 0 {
		return client.StatusOK, nil
	}
	if l := logs[0]; l.Status == client.StatusError {
		return "", marketplace.Reject("orders/update: %s", l.Text())
	}
	return strings.TrimSpace(logs[0].Status + " " + logs[0].Text()), nil
}

// StockBatch is catalog/import's limit (§1.9).
func (p *Pusher) StockBatch() int { return client.ImportBatchMax }

// PushStock sends one batch through catalog/import: ExternalID is the
// article, the quantity goes as is and presence follows it (in stock when
// above zero), as presence is what the shop shows buyers (§1.7). A product
// the log refuses is a *marketplace.Rejected; one it does not mention
// counts as updated, as the call succeeded.
func (p *Pusher) PushStock(ctx context.Context, items []marketplace.StockItem) ([]marketplace.StockResult, error) {
	products := make([]client.ImportProduct, len(items))
	for i, it := range items {
		q := int(it.Quantity)
		presence := client.PresenceOutOfStock
		if q > 0 {
			presence = client.PresenceInStock
		}
		products[i] = client.ImportProduct{Article: it.ExternalID, Presence: presence, Quantity: &q}
	}
	logs, err := p.client.CatalogImport(ctx, products)
	if err != nil {
		return nil, err
	}
	byArticle := make(map[string]client.ImportLog, len(logs))
	for _, l := range logs {
		if l.Article != "" {
			byArticle[l.Article] = l
		}
	}
	out := make([]marketplace.StockResult, len(items))
	for i, it := range items {
		out[i].ExternalID = it.ExternalID
		l, ok := byArticle[it.ExternalID]
		if !ok && i < len(logs) && logs[i].Article == "" {
			l, ok = logs[i], true // a log without articles goes by position
		}
		if ok && l.Failed() {
			out[i].Err = marketplace.Reject("catalog/import code %s: %s", l.Code, l.Text())
		}
	}
	return out, nil
}

// refusal turns an answer that proves the shop refused the call (an ERROR
// envelope, an HTTP 4xx) into a *marketplace.Rejected; anything else (a
// lost answer, an HTML page, a login failure) is returned as it is.
func refusal(err error) error {
	var he *httpx.Error
	if client.IsAPIStatus(err, client.StatusError) ||
		errors.As(err, &he) && he.Kind == httpx.KindRequest && he.Status >= http.StatusBadRequest && he.Status < http.StatusInternalServerError {
		return &marketplace.Rejected{Reason: err.Error()}
	}
	return err
}

// orderNumber reads an order id as orders/update takes it.
func orderNumber(id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, marketplace.Reject("order id %q is not a Horoshop order number", id)
	}
	return n, nil
}

// statusID reads a status as orders/update takes it: the shop's id (§1.5).
func statusID(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return 0, marketplace.Reject("status %q is not a Horoshop status id", s)
	}
	return n, nil
}
