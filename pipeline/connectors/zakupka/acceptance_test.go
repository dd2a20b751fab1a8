package zakupka_test

import (
	"fmt"
	"testing"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/zakupka"
)

// TestAcceptance runs the suite on both of Zakupka's ways out: acc-a is a
// 1C exchange (login and password), acc-b a windows-1251 orders file (a key).
func TestAcceptance(t *testing.T) {
	pipelinetest.Acceptance(t, func(clock *kit.Clock) pipelinetest.Driver {
		return &driver{sb: zakupka.New(zakupka.Options{Clock: clock, Seed: 5}), keys: map[string]string{}}
	})
}

type driver struct {
	sb   *zakupka.Sandbox
	keys map[string]string // store → the sandbox's key
}

func (d *driver) AddStore(t testing.TB, id string, orders int) pipelinetest.StoreSpec {
	env, secret := pipelinetest.SecretEnv(t, "ZK_SECRET", id)
	key := "key-" + id
	// Every status is imported, so the truth is every order (Zakupka's
	// own new-only rule has its tests beside the pipeline).
	yaml := "marketplace: zakupka\norder_type: Роздріб\norder_source: Zakupka\nall_statuses: true\ntimeout: " + zakupka.TestTimeout + "\n"
	if len(d.keys)%2 == 0 {
		d.sb.AddStore(zakupka.StoreOptions{Key: key, Login: "exchange-" + id, Password: secret, Orders: orders})
		yaml += "base_url: {url}" + zakupka.ExchangePath + "\nprotocol: 1c_exchange\nusername: exchange-" + id + "\npassword_env: " + env
	} else {
		key = secret
		d.sb.AddStore(zakupka.StoreOptions{Key: key, Orders: orders, Encoding: zakupka.Windows1251})
		yaml += "base_url: {url}" + zakupka.OrdersPath + "\ntoken_env: " + env
	}
	d.keys[id] = key
	return pipelinetest.StoreSpec{ID: id, Sandbox: d.sb, YAML: yaml, Secret: secret, SecretEnv: env}
}

// Truth: the goods lines (services are the delivery) in their order, the
// amount their sum, the status and payment as the requisites say.
func (d *driver) Truth(t testing.TB, store string) (orders, items []string) {
	for _, doc := range d.sb.Orders(d.sb.StoreID(d.keys[store])) {
		status, _ := cml.FindRequisite(doc.Requisites, cml.ReqStatus)
		pay := "unpaid"
		if v, _ := cml.FindRequisite(doc.Requisites, cml.ReqPaid); v == "true" {
			pay = "paid"
		}
		amount := "0"
		line := 0
		for _, it := range doc.Items {
			if kind, _ := cml.FindRequisite(it.Requisites, cml.ReqItemKind); kind == "Услуга" {
				continue
			}
			sum := pipelinetest.Money(t, it.Sum)
			amount = pipelinetest.Add(amount, sum)
			items = append(items, fmt.Sprintf("%s\t%d\t%s\t%s", doc.Key(), line, it.ID, sum))
			line++
		}
		orders = append(orders, fmt.Sprintf("%s\t%s\t%s\t\t%s", doc.Key(), status, amount, pay))
	}
	return orders, items
}

func (d *driver) Change(t testing.TB, store string, round int) int {
	key := d.keys[store]
	n := 0
	for i, doc := range d.sb.Orders(d.sb.StoreID(key)) {
		if i%9 == round && d.sb.SetStatus(key, doc.Key(), zakupka.StatusShipped) == nil {
			n++
		}
	}
	if _, err := d.sb.AddOrder(key, nil); err != nil {
		t.Fatal(err)
	}
	return n + 1
}

func (d *driver) AddMalformed(t testing.TB, store string) string {
	id, err := d.sb.AddOrder(d.keys[store], func(doc *cml.Document) { doc.Items[0].Sum = "12,,3" })
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// FaultKinds: a file per request, so no page can repeat or shift.
func (d *driver) FaultKinds() []kit.Kind {
	return []kit.Kind{kit.TooManyRequests, kit.ServerError, kit.Timeout, kit.Truncated}
}
