// Package horoshoptest is Horoshop's part of the end-to-end harness: shops
// on the Horoshop sandbox, their truth and the acceptance driver.
package horoshoptest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
)

// Store adds a Horoshop shop with orders and products to sb; it returns
// the spec and the sandbox's id of the shop.
func Store(t testing.TB, sb *horoshop.Sandbox, id string, orders, products int) (pipelinetest.StoreSpec, string) {
	env, password := pipelinetest.SecretEnv(t, "HS_PASSWORD", id)
	sid := sb.AddStore("api-"+id, password, orders, products)
	return pipelinetest.StoreSpec{ID: id, Sandbox: sb, Secret: password, SecretEnv: env, YAML: "marketplace: horoshop\nbase_url: {url}\nusername: api-" + id + "\npassword_env: " + env +
		"\norder_type: Роздріб\norder_source: Сайт"}, sid
}

// NewDriver is the acceptance suite's driver on a fresh Horoshop sandbox.
func NewDriver(clock *kit.Clock) pipelinetest.Driver {
	return &driver{pipelinetest.NewKeyed(horoshop.New(horoshop.Options{Clock: clock, Seed: 11}), func(t testing.TB, sb *horoshop.Sandbox, id string, n int) (pipelinetest.StoreSpec, string) {
		return Store(t, sb, id, n, 30)
	}, Truth)}
}

// driver runs the acceptance suite on the Horoshop sandbox.
type driver struct {
	*pipelinetest.Keyed[*horoshop.Sandbox]
}

// Truth is what the warehouse must show of a shop: per order its number,
// status, amount (total_sum) to the kopeck, waybill and payment; per line
// the order, line, article and total.
func Truth(t testing.TB, sb *horoshop.Sandbox, shop string) (orders, items []string) {
	for _, o := range sb.Orders(shop) {
		ttn, pay := "", "unpaid"
		if d := o.DeliveryData; d != nil && d.TNNumber != nil {
			ttn = string(*d.TNNumber)
		}
		if o.Payed {
			pay = "paid"
		}
		orders = append(orders, fmt.Sprintf("%d\t%d\t%s\t%s\t%s", o.OrderID, o.StatStatus, pipelinetest.Money(t, string(o.TotalSum)), ttn, pay))
		for i, p := range o.Products {
			items = append(items, fmt.Sprintf("%d\t%d\t%s\t%s", o.OrderID, i, p.Article, pipelinetest.Money(t, string(p.TotalPrice))))
		}
	}
	return orders, items
}

// Change changes orders placed days ago too: orders/get filters on the date
// an order was placed, so only the re-read window finds them.
func (d *driver) Change(_ testing.TB, store string, round int) int {
	shop := d.Key(store)
	return pipelinetest.Changes(d.SB.Orders(shop), round,
		func(o wire.Order, ttn string) error { return d.SB.SetTTN(shop, o.OrderID, ttn) },
		func(o wire.Order) error { return d.SB.SetPayment(shop, o.OrderID, true) },
		func(o wire.Order) error {
			if o.StatStatus == 4 {
				return errors.New("cancelled") // a cancelled order stays so
			}
			return d.SB.SetStatus(shop, o.OrderID, 6)
		},
		func() { d.SB.AddOrder(shop, nil) })
}

func (d *driver) AddMalformed(_ testing.TB, store string) string {
	return fmt.Sprint(d.SB.AddOrder(d.Key(store), func(o *wire.Order) { o.TotalSum = "-12.30" }))
}

func (d *driver) ExpireSessions(string) { d.SB.ExpireTokens() }

func (d *driver) IsLogin(r kit.Request) bool { return r.Path == wire.PathAuth }

func (d *driver) IsPage(r *http.Request) bool { return r.URL.Path == wire.PathOrdersGet }

// Outbound maps the CRM's statuses for Horoshop
// (https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183381).
func (d *driver) Outbound() string {
	return `outbound:
  horoshop:
    Прийнято: {status: "2"}
    Відправлено: {status: "6", ttn: true}
    Скасовано: {status: "4"}
`
}

func (d *driver) PushCases(_ testing.TB, _ string, loaded []pipelinetest.Loaded) []pipelinetest.PushCase {
	return pipelinetest.Cycle(loaded, "1", 6,
		pipelinetest.Push("Прийнято", "2"), pipelinetest.Push("Скасовано", "4"), pipelinetest.Push("Відправлено", "6").WithTTN())
}

func (d *driver) IsWrite(r *http.Request) bool { return r.URL.Path == wire.PathOrdersUpdate }

func (d *driver) Applied(r kit.Request) string {
	if r.Path != wire.PathOrdersUpdate {
		return ""
	}
	var b struct {
		Orders []struct {
			OrderID json.Number `json:"order_id"`
		} `json:"orders"`
	}
	if json.Unmarshal(r.Body, &b) != nil || len(b.Orders) == 0 {
		return r.Path + " ?"
	}
	return r.Path + " " + string(b.Orders[0].OrderID)
}
