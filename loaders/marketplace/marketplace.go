// Package marketplace is the way back: what the pipeline needs from a
// marketplace to hand it the seller's order statuses, waybills (ТТН) and
// stock. Each marketplace's pusher (pipeline/connectors/<name>) implements
// Pusher, and StockPusher when the marketplace takes stock; pipeline/push
// drives them, with the retries, re-checks and push log that make every
// change land exactly once.
package marketplace

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Change is one wanted change of a marketplace order, already in the
// marketplace's vocabulary (the CRM status mapped through the store's
// outbound mapping).
type Change struct {
	OrderID string
	// Status is the target status code; "" leaves the status alone.
	Status string
	// TTN is the waybill to attach ("" = none); Carrier names its carrier
	// (nova_poshta, ukrposhta, …).
	TTN     string
	Carrier string
	// CancelReason and CancelText go with a cancellation where the
	// marketplace wants them (Prom's cancellation_reason / _text, Epicentr's
	// reason_code / comment).
	CancelReason string
	CancelText   string
}

// The kinds of call; a call's push_id is its change's key and its kind.
const (
	KindStatus    = "status"     // the status alone
	KindTTN       = "ttn"        // the waybill alone
	KindStatusTTN = "status+ttn" // both in one request
)

// Kinds lists every kind of call.
var Kinds = []string{KindStatus, KindTTN, KindStatusTTN}

// Action is one request to the marketplace: the part of a Change that one
// call carries.
type Action struct {
	// Kind names the call for the push log: KindStatus, KindTTN or KindStatusTTN.
	Kind string
	Change
	// Expect is the status the order shows once the action applied, when
	// the marketplace moves it elsewhere than Status (Rozetka: 2 with a ТТН
	// lands in 61, GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md).
	Expect string
}

// Expected is the status the order shows after a applied.
func (a Action) Expected() string {
	if a.Expect != "" {
		return a.Expect
	}
	return a.Status
}

// State is an order as the marketplace shows it now.
type State struct {
	Status string
	TTN    string
	// Allowed lists the statuses the order may move to now; nil when the
	// marketplace does not say (then it judges the request itself).
	Allowed []string
}

// Rejected is a change the marketplace refused, or would refuse: sending it
// again cannot help, so it is recorded and not retried.
type Rejected struct{ Reason string }

func (r *Rejected) Error() string { return "rejected: " + r.Reason }

// Reject builds a *Rejected with a formatted reason.
func Reject(format string, args ...any) error {
	return &Rejected{Reason: fmt.Sprintf(format, args...)}
}

// IsRejected reports whether err is a refusal, and its reason.
func IsRejected(err error) (string, bool) {
	var r *Rejected
	if errors.As(err, &r) {
		return r.Reason, true
	}
	return "", false
}

// Pusher hands order changes to one store of a marketplace. The pipeline
// calls State before every Apply and never retries an Apply blindly: a
// request whose answer was lost is followed by State again, so a change
// that landed is not sent twice.
type Pusher interface {
	// Plan splits a change into the calls this marketplace needs, in the
	// order they must be made (Prom takes the status and the ТТН in two
	// calls, Rozetka in one). A change that must not be sent (a status that
	// needs a ТТН and has none, a cancellation without its reason) is a
	// *Rejected. Plan makes no request.
	Plan(c Change) ([]Action, error)
	// State reads the order's current state from the marketplace.
	State(ctx context.Context, orderID string) (State, error)
	// Apply makes the one call of a, given the state just read. It returns
	// a short summary of the marketplace's answer. A *Rejected means the
	// marketplace refused and nothing changed; any other error leaves the
	// outcome unknown. Apply must not repeat a call whose answer was lost
	// (use httpx.NotRepeatable).
	Apply(ctx context.Context, a Action, now State) (response string, err error)
}

// StockKeeper is a pusher whose marketplace keeps an order's goods out of
// stock after a change it applied (Horoshop's cancel through the API):
// KeptStock names, as the CRM names products (crm_stock), those whose
// stock the CRM must send again once a landed on the order. The pipeline
// sends them in the same cycle's stock push, even when the CRM's count did
// not change, for the marketplace's count did.
type StockKeeper interface {
	KeptStock(ctx context.Context, orderID string, a Action) ([]string, error)
}

// StockItem is one product's stock to send.
type StockItem struct {
	// ExternalID is the product's id as the CRM names it (crm_stock).
	ExternalID string
	// ProductID is the marketplace's own id of the product, from the
	// store's latest catalog ("" when the catalog does not have it).
	ProductID string
	Quantity  uint32
	// StockManagedBy is who sets the product's stock on the marketplace,
	// as the latest catalog said (canon.StockByFeed, canon.StockByAPI, or
	// "" when unknown: a pusher that needs it asks the marketplace).
	StockManagedBy string
}

// StockResult is the marketplace's answer for one item of a batch; Err is
// a *Rejected when it refused the item.
type StockResult struct {
	ExternalID string
	Err        error
}

// StockPusher sends stock levels. Setting a stock level twice is harmless,
// so a batch whose answer was lost is simply sent again.
type StockPusher interface {
	// StockBatch is the most items one call may carry.
	StockBatch() int
	// PushStock sends one batch; an error means the whole batch failed.
	PushStock(ctx context.Context, items []StockItem) ([]StockResult, error)
}

// Satisfied reports whether st already shows a applied: the status it
// leads to and the ТТН it carries.
func Satisfied(st State, a Action) bool {
	if a.Status != "" && st.Status != a.Expected() {
		return false
	}
	return a.TTN == "" || SameTTN(st.TTN, a.TTN)
}

// SameTTN compares waybill numbers as carriers print them: spaces and case
// do not matter.
func SameTTN(a, b string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }
	return norm(a) == norm(b)
}

// CheckTransition refuses a status change the marketplace says the order
// cannot make now.
func CheckTransition(st State, a Action) error {
	if a.Status == "" || a.Status == st.Status || st.Allowed == nil {
		return nil
	}
	if slices.Contains(st.Allowed, a.Status) {
		return nil
	}
	allowed := "none"
	if len(st.Allowed) > 0 {
		allowed = strings.Join(st.Allowed, ", ")
	}
	return Reject("status %s → %s is not allowed now (allowed: %s)", st.Status, a.Status, allowed)
}
