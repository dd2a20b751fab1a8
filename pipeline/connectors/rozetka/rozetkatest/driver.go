// Package rozetkatest is Rozetka's part of the end-to-end harness: stores
// on the Rozetka sandbox, their truth, the acceptance driver and an Env.
package rozetkatest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

// Store adds a Rozetka store with orders and goods to sb; it returns the
// spec and the sandbox's id of the store (the password is spec.Secret).
func Store(t testing.TB, sb *rzsb.Sandbox, id string, orders, goods int) (pipelinetest.StoreSpec, string) {
	env, password := pipelinetest.SecretEnv(t, "PASSWORD", id)
	sid := sb.AddStore(id+"@example.ua", password, orders, goods)
	return pipelinetest.StoreSpec{ID: id, Sandbox: sb, Secret: password, SecretEnv: env, YAML: "marketplace: rozetka\nbase_url: {url}\nusername: " + id + "@example.ua\npassword_env: " + env +
		"\norder_type: Роздріб\norder_source: Rozetka"}, sid
}

// Truth reads a Rozetka sandbox store (by the sandbox's id) as
// Driver.Truth does: what the buyer pays for the goods, lines not removed
// while editing (purchase status 0), the seller's offer id.
func Truth(t testing.TB, sb *rzsb.Sandbox, storeID string) (orders, items []string) {
	for _, o := range sb.Orders(storeID) {
		pay := ""
		if o.Payment != nil && o.Payment.PaymentStatus != nil {
			pay = o.Payment.PaymentStatus.Name
		}
		orders = append(orders, fmt.Sprintf("%d\t%d\t%s\t%s\t%s", o.ID, o.Status, pipelinetest.Money(t, pipelinetest.Or(string(o.AmountWithDiscount), string(o.Amount))), o.TTN, pay))
		line := 0
		for _, p := range o.Purchases {
			if p.Status == 0 {
				continue
			}
			offer := ""
			if p.Item != nil {
				offer = p.Item.PriceOfferID
			}
			items = append(items, fmt.Sprintf("%d\t%d\t%s\t%s", o.ID, line, offer, pipelinetest.Money(t, pipelinetest.Or(string(p.CostWithDiscount), string(p.Cost)))))
			line++
		}
	}
	return orders, items
}

// Env is the harness on one Rozetka sandbox.
type Env struct {
	*pipelinetest.Env
	RZ    *rzsb.Sandbox
	RZIDs map[string]string // store -> the sandbox's store id
}

// New seeds one Rozetka sandbox store per entry of orders (each with goods
// offers) and writes a config that logs in with username and password.
func New(t testing.TB, orders map[string]int, goods int) *Env {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	sb := rzsb.New(rzsb.Options{Clock: clock, Seed: 7})
	e := &Env{Env: pipelinetest.NewEnv(t, clock, sb.Handler()), RZ: sb, RZIDs: map[string]string{}}
	e.Seed(orders, func(id string, n int) pipelinetest.StoreSpec {
		spec, sid := Store(t, sb, id, n, goods)
		spec.YAML += "\ncustomer_cancel_status: Скасовано покупцем"
		e.RZIDs[id] = sid
		return spec
	}, func(store string) (o, i []string) { return Truth(t, sb, e.RZIDs[store]) })
	return e
}

// NewDriver is the acceptance suite's driver on a fresh Rozetka sandbox.
func NewDriver(clock *kit.Clock) pipelinetest.Driver {
	return &driver{pipelinetest.NewKeyed(rzsb.New(rzsb.Options{Clock: clock, Seed: 7}), func(t testing.TB, sb *rzsb.Sandbox, id string, n int) (pipelinetest.StoreSpec, string) {
		return Store(t, sb, id, n, 0)
	}, Truth)}
}

// driver runs the acceptance suite on the Rozetka sandbox.
type driver struct {
	*pipelinetest.Keyed[*rzsb.Sandbox]
}

func (d *driver) Change(_ testing.TB, store string, round int) int {
	sid := d.Key(store)
	return pipelinetest.Changes(d.SB.Orders(sid), round,
		func(o wire.Order, ttn string) error { return d.SB.SetTTN(sid, o.ID, ttn) },
		func(o wire.Order) error { return d.SB.SetPayment(sid, o.ID, "paid") },
		func(o wire.Order) error { return d.SB.SetStatus(sid, o.ID, 26) },
		func() { d.SB.AddOrder(sid, nil) })
}

func (d *driver) AddMalformed(_ testing.TB, store string) string {
	return fmt.Sprint(d.SB.AddMalformed(d.Key(store)))
}

func (d *driver) ExpireSessions(string) { d.SB.ExpireTokens() }

func (d *driver) IsLogin(r kit.Request) bool { return r.Path == "/sites" }

func (d *driver) IsPage(r *http.Request) bool { return r.URL.Path == "/orders/search" }

// Outbound maps the CRM's statuses for Rozetka (GERA-OneTeam/Rozetka-API-Seller,
// docs/categories/models.md OrdersStatuses and orders.md).
func (d *driver) Outbound() string {
	return `outbound:
  rozetka:
    Прийнято: {status: "26"}
    Передано перевізнику: {status: "61", ttn: true}
    Немає в наявності: {status: "42"}
`
}

func (d *driver) PushCases(_ testing.TB, _ string, loaded []pipelinetest.Loaded) []pipelinetest.PushCase {
	return pipelinetest.Cycle(loaded, "1", 6, pipelinetest.Push("Прийнято", "26"), pipelinetest.Push("Немає в наявності", "42"),
		pipelinetest.Push("Передано перевізнику", "61").WithTTN())
}

func (d *driver) IsWrite(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/orders/")
}

func (d *driver) Applied(r kit.Request) string {
	if r.Method == http.MethodPut && strings.HasPrefix(r.Path, "/orders/") {
		return r.Method + " " + r.Path
	}
	return ""
}

// Scale: /orders/search serves 20 orders a page whatever is asked.
func (d *driver) Scale() int { return 6 }
