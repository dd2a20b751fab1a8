package epicentr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	client "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/connectors"
)

// Action kinds of an Epicentr change: the waybill and the status go in
// separate calls.
const (
	KindTTN    = marketplace.KindTTN
	KindStatus = marketplace.KindStatus
)

// Pusher hands order statuses, waybills and stock back to one Epicentr
// seller company: the waybill through shipment-number, the status through
// change-status (a cancel with its reason), stock through /v1/offers.
type Pusher struct {
	client *client.Client
}

// NewPusher opens the way back to the store c describes.
func NewPusher(c source.Config) *Pusher { return &Pusher{client: client.NewClient(c)} }

var _ marketplace.StockPusher = (*Pusher)(nil)

// Plan makes the waybill action first, then the status one: Epicentr
// allows `sent` only once the order has its shipment number. A
// cancel without a reason code is refused here, as the API would.
func (p *Pusher) Plan(c marketplace.Change) ([]marketplace.Action, error) {
	var out []marketplace.Action
	if c.TTN != "" {
		out = append(out, marketplace.Action{Kind: KindTTN, Change: marketplace.Change{OrderID: c.OrderID, TTN: c.TTN, Carrier: c.Carrier}})
	}
	if c.Status != "" {
		if c.Status == client.StatusCanceled && strings.TrimSpace(c.CancelReason) == "" {
			return nil, marketplace.Reject("cancelling order %s needs a reason code (reason_code of the cancel reasons list)", c.OrderID)
		}
		out = append(out, marketplace.Action{Kind: KindStatus, Change: marketplace.Change{
			OrderID: c.OrderID, Status: c.Status, CancelReason: c.CancelReason, CancelText: c.CancelText,
		}})
	}
	return out, nil
}

// State reads the order (its statusCode and address.shipment.number) and
// the statuses it may move to now (allowed-statuses).
func (p *Pusher) State(ctx context.Context, orderID string) (marketplace.State, error) {
	o, err := connectors.ReadOrder[client.Order](ctx, p.client.Get, json.Unmarshal, orderID)
	if err != nil {
		return marketplace.State{}, err
	}
	allowed, err := p.client.AllowedStatuses(ctx, orderID)
	if err != nil {
		return marketplace.State{}, err
	}
	st := marketplace.State{Status: o.StatusCode, Allowed: append([]string{}, allowed...)}
	if a := o.Address; a != nil && a.Shipment != nil {
		st.TTN = string(a.Shipment.Number)
	}
	return st, nil
}

// Apply makes the action's one request: shipment-number for a waybill,
// change-status for a status (canceled with reason_code and comment).
func (p *Pusher) Apply(ctx context.Context, a marketplace.Action, _ marketplace.State) (string, error) {
	var err error
	switch {
	case a.Kind == KindTTN:
		err = p.client.SetShipmentNumber(ctx, a.OrderID, strings.TrimSpace(a.TTN))
	case a.Kind == KindStatus && a.Status == client.StatusCanceled:
		if strings.TrimSpace(a.CancelReason) == "" {
			return "", marketplace.Reject("cancelling order %s needs a reason code", a.OrderID)
		}
		err = p.client.Cancel(ctx, a.OrderID, client.CancelRequest{ReasonCode: a.CancelReason, Comment: a.CancelText})
	case a.Kind == KindStatus:
		err = p.client.ChangeStatus(ctx, a.OrderID, a.Status)
	default:
		return "", fmt.Errorf("order %s: no Epicentr call for action %q", a.OrderID, a.Kind)
	}
	if err != nil {
		return "", refusal(err)
	}
	return "OK", nil
}

// StockBatch is the /v1/offers batch size, client.MaxOfferBatch.
func (p *Pusher) StockBatch() int { return client.MaxOfferBatch }

// PushStock sends availability through /v1/offers: ExternalID is the sku,
// a quantity above zero is in_stock, zero not_available. The API takes no
// quantity, so none is sent. An item skipped or forbidden is a
// *marketplace.Rejected; enqueued ones are applied later by Epicentr and
// count as sent (the update is asynchronous).
func (p *Pusher) PushStock(ctx context.Context, items []marketplace.StockItem) ([]marketplace.StockResult, error) {
	updates := make([]client.OfferUpdate, len(items))
	for i, it := range items {
		updates[i] = client.OfferUpdate{SKU: it.ExternalID, Availability: client.NotAvailable}
		if it.Quantity > 0 {
			updates[i].Availability = client.InStock
		}
	}
	res, err := p.client.UpdateOffers(ctx, updates)
	if err != nil {
		return nil, err
	}
	bySKU := make(map[string]client.OfferItemResult, len(res.Items))
	for _, r := range res.Items {
		bySKU[r.SKU] = r
	}
	out := make([]marketplace.StockResult, len(items))
	for i, it := range items {
		out[i].ExternalID = it.ExternalID
		r, ok := bySKU[it.ExternalID]
		if ok && (r.Status == client.OfferSkipped || r.Status == client.OfferForbidden) {
			out[i].Err = marketplace.Reject("offer %s %s: %s", it.ExternalID, r.Status, fieldErrors(r.Errors))
		}
	}
	return out, nil
}

// fieldErrors renders {"sku": ["offer.not_found"]} as "sku offer.not_found".
func fieldErrors(errs map[string][]string) string {
	parts := make([]string, 0, len(errs))
	for field, keys := range errs {
		parts = append(parts, field+" "+strings.Join(keys, ", "))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "no reason given"
	}
	return strings.Join(parts, "; ")
}

// refusal turns an HTTP 4xx (Epicentr refused: a move not allowed, an
// unknown reason, a bad waybill, a missing order) into a
// *marketplace.Rejected. An unknown route is a wrong base URL, not a
// refusal; it and every other failure are returned as they are.
func refusal(err error) error {
	var he *httpx.Error
	if errors.As(err, &he) && he.Kind == httpx.KindRequest && he.Status >= http.StatusBadRequest && he.Status < http.StatusInternalServerError &&
		!strings.Contains(he.Msg, client.NoRoute) {
		return &marketplace.Rejected{Reason: err.Error()}
	}
	return err
}
