package prom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kramar/kramar/extractors/httpx"
	client "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/connectors"
)

// Action kinds: Prom takes the waybill and the status in two calls.
const (
	actionTTN    = marketplace.KindTTN
	actionStatus = marketplace.KindStatus
)

// StockBatchSize is the most products one edit_by_external_id call carries
// (real batches are 50–100).
const StockBatchSize = 100

// Pusher sends order statuses, waybills and stock to one Prom store.
type Pusher struct {
	c *client.Client
}

// NewPusher opens the way back to the store c describes.
func NewPusher(c source.Config) *Pusher {
	return &Pusher{c: newClient(c)}
}

// Pusher is a marketplace.Pusher through connectors.Pushes; it sends stock
// too.
var _ marketplace.StockPusher = (*Pusher)(nil)

// Plan sends the waybill first, then the status: a status such as
// delivered reads better on an order that already carries its ТТН.
func (p *Pusher) Plan(c marketplace.Change) ([]marketplace.Action, error) {
	if _, err := orderID(c.OrderID); err != nil {
		return nil, err
	}
	var out []marketplace.Action
	if c.TTN != "" {
		if !slices.Contains(client.DeliveryTypes, c.Carrier) {
			return nil, marketplace.Reject("carrier %q cannot carry a ТТН on Prom (one of: %s)", c.Carrier, strings.Join(client.DeliveryTypes, ", "))
		}
		out = append(out, marketplace.Action{Kind: actionTTN, Change: marketplace.Change{OrderID: c.OrderID, TTN: c.TTN, Carrier: c.Carrier}})
	}
	if c.Status != "" {
		// "custom-<id>" (a company's own status) is sent as custom_status_id.
		status := client.NormalizeStatus(strings.ToLower(strings.TrimSpace(c.Status)))
		a := marketplace.Action{Kind: actionStatus, Change: marketplace.Change{OrderID: c.OrderID, Status: status}}
		if status == client.StatusCanceled {
			if err := checkCancel(c.CancelReason, c.CancelText); err != nil {
				return nil, err
			}
			a.CancelReason, a.CancelText = c.CancelReason, c.CancelText
		}
		out = append(out, a)
	}
	return out, nil
}

// checkCancel applies set_status's rules for a cancellation (as in
// evo-company/company-api-example php/api_php_example.php): a reason is
// required, and three reasons also need a text.
func checkCancel(reason, text string) error {
	if reason == "" {
		return marketplace.Reject("cancellation on Prom needs a cancellation reason (one of: %s)", reasonList())
	}
	needsText, ok := client.CancellationReasons[reason]
	if !ok {
		return marketplace.Reject("unknown cancellation reason %q (one of: %s)", reason, reasonList())
	}
	if needsText && strings.TrimSpace(text) == "" {
		return marketplace.Reject("cancellation reason %s needs a cancellation text", reason)
	}
	return nil
}

func reasonList() string {
	names := make([]string, 0, len(client.CancellationReasons))
	for r := range client.CancellationReasons {
		names = append(names, r)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func orderID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, marketplace.Reject("Prom order id %q is not a positive number", s)
	}
	return id, nil
}

// State reads the order; Prom does not say which statuses it may move to,
// so Allowed stays nil and set_status judges.
func (p *Pusher) State(ctx context.Context, id string) (marketplace.State, error) {
	o, err := connectors.ReadOrder[struct {
		Status   string                   `json:"status"`
		Delivery *client.DeliveryProvider `json:"delivery_provider_data"`
	}](ctx, p.c.Get, json.Unmarshal, id)
	if err != nil {
		return marketplace.State{}, err
	}
	st := marketplace.State{Status: client.NormalizeStatus(o.Status)}
	if o.Delivery != nil {
		st.TTN = o.Delivery.DeclarationNumber
	}
	return st, nil
}

// Apply makes the one call of a.
func (p *Pusher) Apply(ctx context.Context, a marketplace.Action, _ marketplace.State) (string, error) {
	id, err := orderID(a.OrderID)
	if err != nil {
		return "", err
	}
	switch a.Kind {
	case actionTTN:
		err := p.c.SaveDeclaration(ctx, id, a.TTN, a.Carrier)
		var refused *client.RefusedError
		if errors.As(err, &refused) {
			return p.alreadyAttached(ctx, a, refused)
		}
		if err != nil {
			return "", refusal(err)
		}
		return "status success", nil
	case actionStatus:
		req := client.SetStatusRequest{IDs: []int64{id}, Status: a.Status, CancellationReason: a.CancelReason, CancellationText: a.CancelText}
		if custom, ok := client.CustomStatusID(a.Status); ok {
			// A company's own status is set by its id, set_status's
			// custom_status_id (a third-party TypeScript client sends it beside
			// status); the order then shows "custom-<id>".
			req = client.SetStatusRequest{IDs: []int64{id}, CustomStatusID: custom}
		}
		resp, err := p.c.SetStatus(ctx, req)
		if err != nil {
			return "", refusal(err)
		}
		// HTTP 200 proves nothing: only processed_ids does.
		if slices.Contains(resp.ProcessedIDs, id) {
			return fmt.Sprintf("processed_ids %v", resp.ProcessedIDs), nil
		}
		why := "not in processed_ids"
		if msg := resp.Errors[a.OrderID]; msg != "" {
			why = string(msg)
		} else if slices.Contains(resp.NotProcessedIDs, id) {
			why = "in not_processed_ids"
		}
		return "", marketplace.Reject("Prom did not set status %s on order %d: %s", a.Status, id, why)
	}
	return "", fmt.Errorf("prom: unknown action kind %q", a.Kind)
}

// alreadyAttached judges save_declaration_id's 200 "status":"error". Prom
// answers a repeat with a waybill the order already carries that way («Этот
// ЭН уже добавлен к данному заказу», live-verified by the integration with
// attach_prom_declaration_id): after an uncertain first call, the retry
// meets it although the waybill landed. So the order is read back, and the
// answer is a refusal only when declaration_number does not hold the ТТН.
func (p *Pusher) alreadyAttached(ctx context.Context, a marketplace.Action, refused *client.RefusedError) (string, error) {
	st, err := p.State(ctx, a.OrderID)
	if err != nil {
		if _, ok := marketplace.IsRejected(err); ok {
			return "", err
		}
		// Unknown either way: the engine reads the order again before any resend.
		return "", fmt.Errorf("prom: %v; reading order %s back: %w", refused, a.OrderID, err)
	}
	if marketplace.SameTTN(st.TTN, a.TTN) {
		return "already attached (" + refused.Reason + ")", nil
	}
	reason := refused.Error()
	if st.TTN != "" {
		reason += fmt.Sprintf(" (the order carries ТТН %s)", st.TTN)
	}
	return "", &marketplace.Rejected{Reason: reason}
}

// refusal turns a write error Prom answered with into a *Rejected: a 4xx
// or a 200 that refused proves nothing changed. Anything else (timeout,
// 5xx, a cut body) leaves the outcome unknown and is returned as is.
func refusal(err error) error {
	var refused *client.RefusedError
	if errors.As(err, &refused) || httpx.KindOf(err) == httpx.KindRequest {
		return &marketplace.Rejected{Reason: err.Error()}
	}
	return err
}

// StockBatch is the most items PushStock takes.
func (p *Pusher) StockBatch() int { return StockBatchSize }

// PushStock sets presence and quantity_in_stock by external id: a product
// in stock is "available", one at zero is "not_available".
func (p *Pusher) PushStock(ctx context.Context, items []marketplace.StockItem) ([]marketplace.StockResult, error) {
	if len(items) > StockBatchSize {
		return nil, fmt.Errorf("prom: stock batch of %d items, at most %d", len(items), StockBatchSize)
	}
	results := make([]marketplace.StockResult, len(items))
	edits := make([]client.ProductEdit, 0, len(items))
	for i, it := range items {
		results[i].ExternalID = it.ExternalID
		if it.ExternalID == "" {
			results[i].Err = marketplace.Reject("product has no external id")
			continue
		}
		qty := int64(it.Quantity)
		presence := "available"
		if qty == 0 {
			presence = "not_available"
		}
		edits = append(edits, client.ProductEdit{ID: it.ExternalID, Presence: presence, QuantityInStock: &qty})
	}
	if len(edits) == 0 {
		return results, nil
	}
	resp, err := p.c.EditByExternalID(ctx, edits)
	if err != nil {
		return nil, refusal(err)
	}
	processed := make(map[string]bool, len(resp.ProcessedIDs))
	for _, id := range resp.ProcessedIDs {
		processed[string(id)] = true
	}
	for i := range results {
		r := &results[i]
		switch msg, refused := resp.Errors[r.ExternalID]; {
		case r.Err != nil, processed[r.ExternalID] && !refused:
		case refused:
			r.Err = marketplace.Reject("Prom refused product %s: %s", r.ExternalID, msg)
		default:
			// Prom named it neither way: unknown, so it may be sent again.
			r.Err = fmt.Errorf("prom: product %s is not in the answer's processed_ids or errors", r.ExternalID)
		}
	}
	return results, nil
}
