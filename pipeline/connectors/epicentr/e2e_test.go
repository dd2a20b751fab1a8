package epicentr_test

import (
	"context"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/pipeline"
	_ "github.com/kramar/kramar/pipeline/connectors/epicentr"
	"github.com/kramar/kramar/pipeline/connectors/epicentr/epicentrtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// env is the stores of a test on one Epicentr sandbox, in the shared
// harness; status new and completed are mapped.
type env struct {
	*pipelinetest.Multi
	sb  *epsb.Sandbox
	ids map[string]string // config store → sandbox store
}

func newEnv(t *testing.T, orders map[string]int) *env {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	e := &env{sb: epsb.New(epsb.Options{Clock: clock, Seed: 7}), ids: map[string]string{}}
	var specs []pipelinetest.StoreSpec
	for _, id := range pipelinetest.SortedKeys(orders) {
		spec, sid := epicentrtest.Store(t, e.sb, id, orders[id])
		e.ids[id], specs = sid, append(specs, spec)
	}
	e.Multi = pipelinetest.NewMulti(t, clock, specs, "mappings:\n  epicentr:\n    status:\n      new: Новий\n      completed: Виконано\n")
	clock.Advance(time.Minute) // the newest seeded orders are past the safety lag
	return e
}

// run is one order cycle in a fresh Runner, as a new process would start it.
func (e *env) run() map[string]pipeline.StoreResult {
	return e.Run(context.Background(), pipeline.JobOrders)
}

func (e *env) assertEqual(store string) {
	e.T().Helper()
	o, i := epicentrtest.Truth(e.T(), e.sb, e.ids[store])
	pipelinetest.AssertPicture(e.T(), e.WH, store, o, i)
}

func TestFiveThousandOrdersLoadExactly(t *testing.T) {
	e := newEnv(t, map[string]int{"ep-main": 5000})
	r := e.run()["ep-main"]
	if !r.OK() || r.New != 5000 || r.Rejected != 0 {
		t.Fatalf("first run: %+v", r)
	}
	e.assertEqual("ep-main")
	if got := e.Query(`SELECT count(), uniqExact(external_id) FROM {db}.v_orders`); got[0] != "5000\t5000" {
		t.Fatalf("v_orders rows and keys: %v", got)
	}
	if got := e.Query(`SELECT countIf(status != ''), countIf(marketplace_status IN ('new', 'completed')) FROM {db}.v_orders`); len(got) != 1 || strings.Split(got[0], "\t")[0] != strings.Split(got[0], "\t")[1] {
		t.Errorf("mapped statuses (CRM status set, new/completed orders): %v", got)
	}
	e.Clock.Advance(2 * time.Minute)
	if r := e.run()["ep-main"]; !r.OK() || r.New != 0 || r.Updated != 0 {
		t.Fatalf("a second run over unchanged data wrote rows: %+v", r)
	}
}

func TestAlternateRecipientLandsInTheManagerComment(t *testing.T) {
	e := newEnv(t, map[string]int{"ep-main": 0})
	id := e.ids["ep-main"]
	buyer := func(o *wire.Order) {
		o.StatusCode = wire.StatusConfirmed // a new order's contacts are hidden
		o.Address.LastName, o.Address.FirstName, o.Address.Patronymic, o.Address.Phone = "Савчук", "Ірина", "Олегівна", "0671112233"
	}
	other := e.sb.AddOrder(id, func(o *wire.Order) {
		buyer(o)
		o.Address.IsAlternateRecipient = true
		o.Address.Recipient = &wire.Person{LastName: "Гнатюк", FirstName: "Богдан", Patronymic: "Васильович", Phone: "380935554433"}
	})
	same := e.sb.AddOrder(id, func(o *wire.Order) {
		buyer(o)
		o.Address.IsAlternateRecipient = false
		o.Address.Recipient = &wire.Person{LastName: "Савчук", FirstName: "Ірина", Phone: "+380671112233"}
	})
	e.Clock.Advance(time.Minute)
	if r := e.run()["ep-main"]; !r.OK() || r.New != 2 {
		t.Fatalf("run: %+v", r)
	}
	comment := func(id string) string {
		return e.Query(`SELECT manager_comment FROM {db}.v_orders WHERE external_id = ?`, id)[0]
	}
	if c := comment(other); c != "Отримувач: Гнатюк Богдан Васильович, +380935554433" {
		t.Errorf("recipient ≠ buyer: comment %q", c)
	}
	if c := comment(same); c != "" {
		t.Errorf("recipient = buyer: comment %q, want none", c)
	}
	got := e.Query(`SELECT recipient_last_name, buyer_last_name FROM {db}.v_orders WHERE external_id = ?`, other)
	if got[0] != "Гнатюк\tСавчук" {
		t.Errorf("recipient and buyer: %v", got)
	}
}
