package rozetka_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

func TestAcceptance(t *testing.T) {
	pipelinetest.Acceptance(t, func(clock *kit.Clock) pipelinetest.Driver {
		return &driver{sb: rzsb.New(rzsb.Options{Clock: clock, Seed: 7}), ids: map[string]string{}, specs: map[string]pipelinetest.StoreSpec{}}
	})
}

// driver runs the acceptance suite on the Rozetka sandbox.
type driver struct {
	sb    *rzsb.Sandbox
	ids   map[string]string // store → the sandbox's id
	specs map[string]pipelinetest.StoreSpec
}

func (d *driver) AddStore(t testing.TB, id string, orders int) pipelinetest.StoreSpec {
	spec, sid := pipelinetest.RozetkaStore(t, d.sb, id, orders, 0)
	d.ids[id], d.specs[id] = sid, spec
	return spec
}

func (d *driver) Truth(t testing.TB, store string) (orders, items []string) {
	return pipelinetest.RozetkaTruth(t, d.sb, d.ids[store])
}

func (d *driver) Change(t testing.TB, store string, round int) int {
	sid := d.ids[store]
	orders := d.sb.Orders(sid)
	n := 0
	for i := round; i < len(orders); i += 9 {
		var err error
		switch i % 3 {
		case 0:
			err = d.sb.SetTTN(sid, orders[i].ID, fmt.Sprintf("2045%010d", i))
		case 1:
			err = d.sb.SetPayment(sid, orders[i].ID, "paid")
		default:
			err = d.sb.SetStatus(sid, orders[i].ID, 26)
		}
		if err == nil {
			n++
		}
	}
	d.sb.AddOrder(sid, nil)
	return n + 1
}

// Revoke: Rozetka's API logs in with the cabinet's password, so a
// credential goes bad when the seller changes it.
func (d *driver) Revoke(t testing.TB, store string) { pipelinetest.ChangeSecret(t, d.specs[store]) }

func (d *driver) AddMalformed(_ testing.TB, store string) string {
	return fmt.Sprint(d.sb.AddMalformed(d.ids[store]))
}

func (d *driver) ExpireSessions(string) { d.sb.ExpireTokens() }

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
	var out []pipelinetest.PushCase
	for _, o := range loaded {
		if o.Status != "1" || len(out) == 6 {
			continue
		}
		var c pipelinetest.PushCase
		switch len(out) % 3 {
		case 0:
			c = pipelinetest.PushCase{Change: pipeline.CRMChange{OrderID: o.ID, Status: "Прийнято"}, Status: "26"}
		case 1:
			c = pipelinetest.PushCase{Change: pipeline.CRMChange{OrderID: o.ID, Status: "Немає в наявності"}, Status: "42"}
		default:
			c = pipelinetest.PushCase{Change: pipeline.CRMChange{OrderID: o.ID, Status: "Передано перевізнику",
				TTN: fmt.Sprintf("5900001122%04d", len(out)), Carrier: "nova_poshta"}, Status: "61"}
		}
		out = append(out, c)
	}
	return out
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
