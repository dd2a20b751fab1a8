package horoshop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	client "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	transform "github.com/kramar/kramar/transforms/horoshop"
)

// StatusCancelled is the built-in "Не доставлене / Canceled" status: an
// order in it can no longer be edited through the API (its editor is
// locked, IgorShutko/horoshop-mcp docs/tools/orders-public-api.md).
const StatusCancelled = "4"

// Pusher hands order statuses, waybills and stock back to one Horoshop
// shop. orders/update carries the status and the tracking code together,
// so a change is one call; stock goes through catalog/import (stock.go).
type Pusher struct {
	client *client.Client
	// warehouse is the shop's warehouse that takes the CRM's stock; empty
	// when the shop keeps no warehouse accounting (then presence and
	// quantity are written instead).
	warehouse string
	// presence caches the shop's own availability texts by what they say.
	presence map[transform.Availability]string
	learned  bool

	// sent remembers, per order, the status and tracking code of an
	// orders/update whose answer may be lost (see State).
	mu   sync.Mutex
	sent map[string]sentUpdate
	// articles are, per order, the articles of its lines as State last read
	// them: what a cancel keeps out of stock (KeptStock).
	articles map[string][]string
}

// sentUpdate is one orders/update that moved an order to status and set
// its tracking code in the same request.
type sentUpdate struct{ status, code string }

// Option adjusts a Pusher.
type Option func(*Pusher)

// WithWarehouse makes stock go into warehouse (the store's `warehouse`
// key, e.g. "office", the main warehouse in the wiki's example): a shop
// with warehouse accounting keeps stock only per warehouse.
func WithWarehouse(warehouse string) Option {
	return func(p *Pusher) { p.warehouse = strings.TrimSpace(warehouse) }
}

// newPusher is the store's pusher, stock going to its `warehouse`.
func newPusher(c source.Config) *Pusher {
	return NewPusher(c, WithWarehouse(canon.OptionsOf[transform.Options](c.Options).Warehouse))
}

// NewPusher opens the way back to the shop c describes.
func NewPusher(c source.Config, opts ...Option) *Pusher {
	p := &Pusher{client: client.NewClient(c), presence: map[transform.Availability]string{}, sent: map[string]sentUpdate{}, articles: map[string][]string{}}
	for _, o := range opts {
		o(p)
	}
	return p
}

var (
	_ marketplace.StockPusher = (*Pusher)(nil)
	_ marketplace.StockKeeper = (*Pusher)(nil)
)

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
// the shop shows. That is delivery_data.tnNumber, which only Horoshop's
// own Nova Poshta integration fills (null until it makes a waybill,
// IgorShutko/horoshop-mcp docs/tools/orders-public-api.md). The
// tracking_code kramar writes is not documented to come back; it is read
// only when a shop does return it. So a waybill kramar sent is usually not
// visible here. One inference is made: an orders/update that moved the
// order to a new status carried the tracking code in the same request, so
// when this Pusher sent one and the order now shows that status, the code
// went with it. Otherwise, after a lost answer the update is sent again
// (setting the same status and code twice changes nothing). Horoshop does
// not say which statuses an order may move to, so Allowed is nil.
func (p *Pusher) State(ctx context.Context, orderID string) (marketplace.State, error) {
	o, err := connectors.ReadOrder[client.Order](ctx, p.client.Get, decode.Into, orderID)
	if err != nil {
		return marketplace.State{}, err
	}
	st := marketplace.State{Status: strconv.Itoa(o.StatStatus), TTN: strings.TrimSpace(string(o.TrackingCode))}
	if d := o.DeliveryData; d != nil && d.TNNumber != nil && strings.TrimSpace(string(*d.TNNumber)) != "" {
		st.TTN = strings.TrimSpace(string(*d.TNNumber))
	}
	p.mu.Lock()
	if u, ok := p.sent[orderID]; ok && st.TTN == "" && st.Status == u.status {
		st.TTN = u.code
	}
	p.articles[orderID] = orderArticles(&o)
	p.mu.Unlock()
	return st, nil
}

// Apply sends the action as one orders/update. The shop's per-order log
// decides: ERROR (an unknown status id, a cancelled order) is a
// *marketplace.Rejected with the shop's message. The answer recorded says
// what the shop cannot show back: a tracking code is write-only, and a
// cancel leaves the goods deducted.
func (p *Pusher) Apply(ctx context.Context, a marketplace.Action, now marketplace.State) (string, error) {
	n, err := orderNumber(a.OrderID)
	if err != nil {
		return "", err
	}
	if now.Status == StatusCancelled {
		if a.Status == StatusCancelled {
			// The cancel shows; only the waybill could not be read back.
			return fmt.Sprintf("the order already shows status %s (an earlier call landed); tracking code %s cannot be confirmed: orders/get does not return it, and a cancelled order takes no more edits",
				StatusCancelled, strings.TrimSpace(a.TTN)), nil
		}
		return "", marketplace.Reject("order %s is cancelled (status %s); Horoshop does not edit cancelled orders", a.OrderID, StatusCancelled)
	}
	u := client.OrderUpdate{OrderID: n, TrackingCode: strings.TrimSpace(a.TTN)}
	if a.Status != "" {
		if u.Status, err = statusID(a.Status); err != nil {
			return "", err
		}
	}
	witnessed := u.TrackingCode != "" && a.Status != "" && now.Status != a.Status
	if witnessed {
		p.keepSent(a.OrderID, &sentUpdate{status: a.Status, code: u.TrackingCode})
	}
	logs, err := p.client.UpdateOrders(ctx, []client.OrderUpdate{u})
	if err != nil {
		err = refusal(err)
		if _, refused := marketplace.IsRejected(err); refused {
			p.keepSent(a.OrderID, nil)
		}
		return "", err
	}
	answer := client.StatusOK
	if len(logs) > 0 {
		if l := logs[0]; l.Status == client.StatusError {
			p.keepSent(a.OrderID, nil)
			return "", marketplace.Reject("orders/update: %s", l.Text())
		}
		answer = strings.TrimSpace(logs[0].Status + " " + logs[0].Text())
	}
	notes := []string{answer}
	if u.TrackingCode != "" {
		notes = append(notes, trackingNote(u.TrackingCode, now.TTN))
	}
	if a.Status == StatusCancelled {
		notes = append(notes, cancelNote)
	}
	return strings.Join(notes, "; "), nil
}

// keepSent keeps (or with nil forgets) the update sent to an order.
func (p *Pusher) keepSent(orderID string, u *sentUpdate) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u == nil {
		delete(p.sent, orderID)
		return
	}
	p.sent[orderID] = *u
}

// KeptStock names the articles of a cancelled order: status 4 through
// orders/update keeps their goods deducted (see cancelNote), so the CRM's
// stock of each must go to the shop again (marketplace.StockKeeper).
func (p *Pusher) KeptStock(_ context.Context, orderID string, a marketplace.Action) ([]string, error) {
	if a.Status != StatusCancelled {
		return nil, nil
	}
	// The pipeline reads the order (State) before every send, so its lines
	// are at hand.
	p.mu.Lock()
	defer p.mu.Unlock()
	articles, ok := p.articles[orderID]
	if !ok {
		return nil, fmt.Errorf("order %s was not read before its cancel", orderID)
	}
	return articles, nil
}

// orderArticles are the distinct articles of an order's lines.
func orderArticles(o *client.Order) []string {
	var articles []string
	seen := map[string]bool{}
	for _, line := range o.Products {
		if a := strings.TrimSpace(line.Article); a != "" && !seen[a] {
			seen[a] = true
			articles = append(articles, a)
		}
	}
	return articles
}

// cancelNote goes with every cancel: status 4 through orders/update keeps
// the goods deducted (only the admin's cancel with return_quantity=1
// returns them, measured) and locks the order (IgorShutko/horoshop-mcp
// docs/tools/orders-public-api.md).
const cancelNote = "stock NOT returned: Horoshop keeps the ordered goods deducted after a cancel through the API, " +
	"and the order is now locked; with push.stock the CRM's counts of its goods are sent again in this cycle, " +
	"otherwise restore them in the admin («Склад»)"

// trackingNote says what became of a tracking code: orders/update keeps
// it as the UkrPoshta code of the buyer's profile (wiki "Updating Orders",
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321), and
// orders/get does not return it, so it cannot be read back.
func trackingNote(code, shown string) string {
	note := "tracking_code " + code + " sent; orders/get does not return it, so it is not confirmed"
	if shown != "" && !marketplace.SameTTN(shown, code) {
		note += "; the shop's own waybill (delivery_data.tnNumber) is " + shown
	}
	return note
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

// statusID reads a status as orders/update takes it: the shop's numeric id.
func statusID(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return 0, marketplace.Reject("status %q is not a Horoshop status id", s)
	}
	return n, nil
}
