package prom

import (
	"context"
	"fmt"

	"github.com/kramar/kramar/extractors/httpx"
)

// The write calls below change the store, so each goes out once: a lost
// answer ends the call (httpx.NotRepeatable) and the caller reads the order
// again before deciding to re-send.

// RefusedError is a write Prom answered with HTTP 200 but did not apply.
type RefusedError struct {
	Call   string
	Reason string
}

func (e *RefusedError) Error() string { return e.Call + " refused: " + e.Reason }

// SetStatus posts /orders/set_status. The HTTP status proves nothing (Prom
// answers 200 on failure): the caller judges each id by the response's
// processed_ids.
func (c *Client) SetStatus(ctx context.Context, req SetStatusRequest) (SetStatusResponse, error) {
	var resp SetStatusResponse
	err := c.http.PostJSON(httpx.NotRepeatable(ctx), "/orders/set_status", req, &resp)
	return resp, err
}

// SaveDeclaration attaches waybill declarationID of carrier deliveryType
// (nova_poshta, ukrposhta, meest, justin) to an order. An answer
// other than {"status":"success"} is a *RefusedError.
//
// Prom answers a repeat with a waybill the order already has in the same
// way, HTTP 200 {"status":"error","message":"Этот ЭН уже добавлен к данному
// заказу"} (checked on a live account by the integration with
// attach_prom_declaration_id, which also expects a Ukrainian wording), so a
// *RefusedError does not prove the waybill is missing: a caller that may be
// repeating an earlier call reads the order back (declaration_number)
// before calling it a refusal. The message text is not relied on.
func (c *Client) SaveDeclaration(ctx context.Context, orderID int64, declarationID, deliveryType string) error {
	var resp StatusResponse
	req := SaveDeclarationRequest{OrderID: orderID, DeclarationID: declarationID, DeliveryType: deliveryType}
	if err := c.http.PostJSON(httpx.NotRepeatable(ctx), "/delivery/save_declaration_id", req, &resp); err != nil {
		return err
	}
	if resp.Status == "success" {
		return nil
	}
	reason := fmt.Sprintf("status %q", resp.Status)
	if msg := firstNonEmpty(resp.Error, resp.Message); msg != "" {
		reason += ": " + msg
	}
	return &RefusedError{Call: "save_declaration_id", Reason: reason}
}

// EditByExternalID posts /products/edit_by_external_id with edits as a JSON
// array (real batches are 50–100 items). Per-item outcomes are in the
// response's processed_ids and errors.
func (c *Client) EditByExternalID(ctx context.Context, edits []ProductEdit) (EditResponse, error) {
	var resp EditResponse
	err := c.http.PostJSON(httpx.NotRepeatable(ctx), "/products/edit_by_external_id", edits, &resp)
	return resp, err
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
