// Package epicentrtest is Epicentr's part of the end-to-end harness:
// stores on the Epicentr sandbox, their truth and the acceptance driver.
package epicentrtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// Store adds an Epicentr store with orders to sb; it returns the spec and
// the sandbox's id of the store.
func Store(t testing.TB, sb *epsb.Sandbox, id string, orders int) (pipelinetest.StoreSpec, string) {
	env, token := pipelinetest.SecretEnv(t, "EP_TOKEN", id)
	sid := sb.AddStore(token, orders)
	return pipelinetest.StoreSpec{ID: id, Sandbox: sb, Secret: token, SecretEnv: env, YAML: "marketplace: epicentr\nbase_url: {url}\ntoken_env: " + env +
		"\norder_type: Роздріб\norder_source: Епіцентр"}, sid
}

// NewDriver is the acceptance suite's driver on a fresh Epicentr sandbox.
func NewDriver(clock *kit.Clock) pipelinetest.Driver {
	return &driver{pipelinetest.NewKeyed(epsb.New(epsb.Options{Clock: clock, Seed: 7}), Store, Truth)}
}

// driver runs the acceptance suite on the Epicentr sandbox.
type driver struct {
	*pipelinetest.Keyed[*epsb.Sandbox]
}

// Truth is what the warehouse must show: one line per order (id, status,
// subtotal, shipment number, payment) and one per line (order, line,
// article, price × quantity).
func Truth(t testing.TB, sb *epsb.Sandbox, storeID string) (orders, items []string) {
	for _, o := range sb.Orders(storeID) {
		pay := ""
		if o.Address.Shipment != nil {
			pay = strings.ToLower(strings.TrimSpace(o.Address.Shipment.PaymentStatus))
		}
		orders = append(orders, strings.Join([]string{o.ID, o.StatusCode, kop(t, o.Subtotal).StringFixed(2), string(o.Address.Shipment.Number), pay}, "\t"))
		for i, it := range o.Items {
			total := kop(t, it.Price).Mul(kop(t, it.Quantity))
			items = append(items, fmt.Sprintf("%s\t%d\t%s\t%s", o.ID, i, article(it), total.StringFixed(2)))
		}
	}
	return orders, items
}

// kop reads a sandbox number at two decimals, independently of the transform.
func kop(t testing.TB, n wire.Number) decimal.Decimal {
	d, err := decimal.NewFromString(string(n))
	if err != nil {
		t.Fatalf("sandbox number %q: %v", n, err)
	}
	return d
}

// article is the seller's article of a line as live clients read it:
// productExternalId, then sku, article, externalId; lines typed without
// any of them have none.
func article(it wire.Item) string {
	for _, s := range []string{string(it.ProductExternalID), it.SKU, string(it.Article), string(it.ExternalID)} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// Change makes the changes a day brings: new orders confirmed, waybills
// set and parcels sent (old orders among them), deliveries completed,
// cancels, and new orders.
func (d *driver) Change(t testing.TB, store string, round int) int {
	sid := d.Key(store)
	n := 0
	ok := func(err error) {
		if err == nil {
			n++
		}
	}
	for i, o := range d.SB.Orders(sid) {
		if i%7 != round {
			continue
		}
		switch o.StatusCode {
		case wire.StatusNew:
			if i%2 == 0 {
				ok(d.SB.Cancel(sid, o.ID, "customer_order_duplicate"))
			} else {
				ok(d.SB.SetStatus(sid, o.ID, wire.StatusConfirmed))
			}
		case wire.StatusConfirmed:
			if d.SB.SetShipmentNumber(sid, o.ID, fmt.Sprintf("5900%010d", i)) == nil || o.Address.Shipment.Number != "" {
				ok(d.SB.SetStatus(sid, o.ID, wire.StatusSent))
			}
		case wire.StatusSent:
			ok(d.SB.SetStatus(sid, o.ID, wire.StatusDelivered))
		case wire.StatusDelivered:
			ok(d.SB.SetStatus(sid, o.ID, wire.StatusCompleted))
		}
	}
	for range 3 {
		d.SB.AddOrder(sid, nil)
		n++
	}
	return n
}

func (d *driver) Revoke(_ testing.TB, store string) { d.SB.Revoke(d.Secret(store)) }

func (d *driver) AddMalformed(_ testing.TB, store string) string {
	return d.SB.AddOrder(d.Key(store), func(o *wire.Order) { o.Subtotal = "12,,3" })
}

// Outbound maps the CRM's statuses onto the codes Epicentr's change-status
// URLs take.
func (d *driver) Outbound() string {
	return `outbound:
  epicentr:
    Прийнято: {status: confirmed}
    Скасовано: {status: canceled, cancel_reason: customer_failed_to_contact, cancel_text: "Не відповідає на дзвінки"}
`
}

func (d *driver) PushCases(_ testing.TB, _ string, loaded []pipelinetest.Loaded) []pipelinetest.PushCase {
	return pipelinetest.Cycle(loaded, wire.StatusNew, 6,
		pipelinetest.Push("Прийнято", wire.StatusConfirmed), pipelinetest.Push("Скасовано", wire.StatusCanceled))
}

func (d *driver) IsWrite(r *http.Request) bool {
	return r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, "/v") && strings.Contains(r.URL.Path, "/oms/orders/")
}

func (d *driver) Applied(r kit.Request) string {
	if r.Method != http.MethodGet && strings.Contains(r.Path, "/oms/orders/") {
		return r.Method + " " + r.Path
	}
	return ""
}
