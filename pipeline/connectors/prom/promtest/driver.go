// Package promtest is Prom's part of the end-to-end harness: stores on the
// Prom sandbox, their truth, the acceptance driver and an Env of them.
package promtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

// Store adds a Prom store with orders to sb; it returns the spec and the
// store's token.
func Store(t testing.TB, sb *promsb.Sandbox, id string, orders int) (pipelinetest.StoreSpec, string) {
	env, token := pipelinetest.SecretEnv(t, "TOKEN", id)
	sb.AddStore(token, orders)
	return pipelinetest.StoreSpec{ID: id, Sandbox: sb, Secret: token, SecretEnv: env, YAML: "marketplace: prom\nbase_url: {url}/api/v1\ntoken_env: " + env +
		"\norder_type: Роздріб\norder_source: Prom.ua"}, token
}

// Truth reads a Prom sandbox store (by its token) as Driver.Truth does.
func Truth(t testing.TB, sb *promsb.Sandbox, token string) (orders, items []string) {
	for _, o := range sb.Orders(sb.StoreID(token)) {
		ttn, pay := "", ""
		if o.DeliveryProviderData != nil {
			ttn = o.DeliveryProviderData.DeclarationNumber
		}
		if o.PaymentData != nil {
			pay = o.PaymentData.Status
		}
		status := o.Status
		if status == "cancelled" {
			status = "canceled"
		}
		orders = append(orders, fmt.Sprintf("%d\t%s\t%s\t%s\t%s", o.ID, status, pipelinetest.Money(t, o.Price), ttn, pay))
		for i, p := range o.Products {
			items = append(items, fmt.Sprintf("%d\t%d\t%s\t%s", o.ID, i, p.ExternalID, pipelinetest.Money(t, p.TotalPrice)))
		}
	}
	return orders, items
}

// Env is the harness on one Prom sandbox.
type Env struct {
	*pipelinetest.Env
	SB *promsb.Sandbox
}

// New seeds one sandbox store per entry of orders and writes a config for them.
func New(t testing.TB, orders map[string]int) *Env {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 7})
	e := &Env{Env: pipelinetest.NewEnv(t, clock, sb.Handler()), SB: sb}
	e.Seed(orders, func(id string, n int) pipelinetest.StoreSpec { spec, _ := Store(t, sb, id, n); return spec },
		func(store string) (o, i []string) { return Truth(t, sb, e.Tokens[store]) })
	return e
}

// NewDriver is the acceptance suite's driver on a fresh Prom sandbox.
func NewDriver(clock *kit.Clock) pipelinetest.Driver {
	return &driver{pipelinetest.NewKeyed(promsb.New(promsb.Options{Clock: clock, Seed: 7}), Store, Truth)}
}

// driver runs the acceptance suite on the Prom sandbox; stores are known
// to it by their tokens.
type driver struct {
	*pipelinetest.Keyed[*promsb.Sandbox]
}

func (d *driver) Change(_ testing.TB, store string, round int) int {
	tok := d.Key(store)
	return pipelinetest.Changes(d.SB.Orders(d.SB.StoreID(tok)), round,
		func(o wire.Order, ttn string) error { return d.SB.SetTTN(tok, o.ID, ttn) },
		func(o wire.Order) error { return d.SB.SetPayment(tok, o.ID, "paid") },
		func(o wire.Order) error { return d.SB.SetStatus(tok, o.ID, "received") },
		func() { d.SB.AddOrder(tok, nil) })
}

func (d *driver) Revoke(_ testing.TB, store string) { d.SB.Revoke(d.Key(store)) }

func (d *driver) AddMalformed(_ testing.TB, store string) string {
	return fmt.Sprint(d.SB.AddMalformed(d.Key(store)))
}

// Outbound maps the CRM's statuses onto Prom's (statuses and cancellation
// reasons as in evo-company/company-api-example, php/api_php_example.php).
func (d *driver) Outbound() string {
	return `outbound:
  prom:
    Прийнято: {status: received}
    Відправлено: {status: received, ttn: true}
    Немає в наявності: {status: canceled, cancel_reason: not_available}
    Виконано: {status: delivered}
`
}

func (d *driver) PushCases(_ testing.TB, _ string, loaded []pipelinetest.Loaded) []pipelinetest.PushCase {
	return append(pipelinetest.Cycle(loaded, "pending", 6, pipelinetest.Push("Прийнято", "received"),
		pipelinetest.Push("Немає в наявності", "canceled"), pipelinetest.Push("Відправлено", "received").WithTTN()),
		pipelinetest.Cycle(loaded, "received", 2, pipelinetest.Push("Виконано", "delivered"))...)
}

func (d *driver) IsWrite(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, "/orders/set_status") || strings.HasSuffix(r.URL.Path, "/delivery/save_declaration_id")
}

func (d *driver) Applied(r kit.Request) string {
	var b struct {
		IDs     []int64 `json:"ids"`
		OrderID int64   `json:"order_id"`
	}
	switch {
	case strings.HasSuffix(r.Path, "/orders/set_status"):
		if json.Unmarshal(r.Body, &b) == nil && len(b.IDs) > 0 {
			return fmt.Sprint("set_status ", b.IDs[0])
		}
	case strings.HasSuffix(r.Path, "/delivery/save_declaration_id"):
		if json.Unmarshal(r.Body, &b) == nil {
			return fmt.Sprint("save_declaration_id ", b.OrderID)
		}
	}
	return ""
}
