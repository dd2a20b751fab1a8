package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/rozetka/rozetkatest"
	"github.com/kramar/kramar/sandbox/kit"
)

func TestRozetkaThreeStoresOfTwoThousandOrders(t *testing.T) {
	stores := map[string]int{"rz-a": 2000, "rz-b": 2000, "rz-c": 2000}
	e := rozetkatest.New(t, stores, 0)
	e.Clock.Advance(time.Minute) // the newest seeded orders are past the safety lag
	for s, r := range e.Run() {
		if !r.OK() || r.New != 2000 {
			t.Fatalf("first run %s: %+v", s, r)
		}
	}
	e.Clock.Advance(2 * time.Minute)
	for s, r := range e.Run() {
		if !r.OK() || r.New != 0 || r.Updated != 0 {
			t.Fatalf("second run %s changed rows: %+v", s, r)
		}
	}
	e.AssertEqual("rz-a", "rz-b", "rz-c")
	if got := e.Query(`SELECT count(), uniqExact(store, external_id) FROM {db}.v_orders`); got[0] != "6000\t6000" {
		t.Fatalf("v_orders rows and keys: %v, want 6000 of each", got)
	}
}

func TestRozetkaOrdersMovingBetweenPagesAreNotLost(t *testing.T) {
	e := rozetkatest.New(t, map[string]int{"rz-a": 500}, 0)
	e.Clock.Advance(time.Minute)
	if err := e.RZ.ShiftDuringPull(e.RZIDs["rz-a"], 15); err != nil {
		t.Fatal(err)
	}
	r := e.Run()["rz-a"]
	if !r.OK() || r.New != 500 {
		t.Fatalf("run with orders moving mid-pull: %+v, want all 500", r)
	}
	e.AssertEqual("rz-a")
}

func TestRozetkaRecipientCommentAndCustomerCancel(t *testing.T) {
	e := rozetkatest.New(t, map[string]int{"rz-a": 0}, 0)
	id := e.RZIDs["rz-a"]
	other := e.RZ.AddOrder(id, func(o *rozetka.Order) {
		o.Status, o.StatusGroup = 1, 1
		o.UserTitle = &rozetka.PersonTitle{LastName: "Петренко", FirstName: "Іван", SecondName: "Іванович"}
		o.UserPhone = "380501112233"
		o.Delivery.RecipientLastName, o.Delivery.RecipientFirstName, o.Delivery.RecipientSecondName = "Коваленко", "Олена", "Петрівна"
		o.Delivery.RecipientPhone = "380679998877"
	})
	same := e.RZ.AddOrder(id, func(o *rozetka.Order) {
		o.Status, o.StatusGroup = 1, 1
		o.UserTitle = &rozetka.PersonTitle{LastName: "Петренко", FirstName: "Іван"}
		o.UserPhone = "380501112233"
		o.Delivery.RecipientLastName, o.Delivery.RecipientFirstName, o.Delivery.RecipientSecondName = "Петренко", "Іван", ""
		o.Delivery.RecipientPhone = "+380501112233"
		o.RecipientTitle, o.RecipientPhone = nil, ""
	})
	cancelled := e.RZ.AddOrder(id, func(o *rozetka.Order) { o.Status, o.StatusGroup = 45, 3 })
	e.Clock.Advance(time.Minute)
	if r := e.Run()["rz-a"]; !r.OK() || r.New != 3 {
		t.Fatalf("run: %+v", r)
	}
	comment := func(id int64) string {
		return e.Query(`SELECT manager_comment FROM {db}.v_orders WHERE external_id = toString(?)`, id)[0]
	}
	if c := comment(other); !strings.Contains(c, "Коваленко Олена Петрівна") || !strings.Contains(c, "+380679998877") {
		t.Errorf("recipient ≠ buyer: comment %q, want the recipient's full name and phone", c)
	}
	if c := comment(same); c != "" {
		t.Errorf("recipient = buyer: comment %q, want none", c)
	}
	if got := e.Query(`SELECT status FROM {db}.v_orders WHERE external_id = toString(?)`, cancelled); got[0] != "Скасовано покупцем" {
		t.Errorf("customer cancellation got CRM status %q, want the configured one", got[0])
	}
}

func TestRozetkaKyivDSTNightsLandAtTheRightUTC(t *testing.T) {
	e := rozetkatest.New(t, map[string]int{"rz-a": 0}, 0)
	id := e.RZIDs["rz-a"]
	// Spring: 03:00→04:00 (a gap); autumn: 04:00→03:00 (03:xx happens twice,
	// read as the first, summer-time, occurrence — timeconv).
	want := map[string]string{
		"2026-03-29 02:30:00": "2026-03-29 00:30:00",
		"2026-03-29 04:00:00": "2026-03-29 01:00:00",
		"2026-10-25 02:30:00": "2026-10-24 23:30:00",
		"2026-10-25 03:30:00": "2026-10-25 00:30:00",
		"2026-10-25 04:00:00": "2026-10-25 02:00:00",
	}
	ids := map[int64]string{}
	for local := range want {
		ids[e.RZ.AddOrder(id, func(o *rozetka.Order) { o.Created = local })] = local
	}
	e.Clock.Advance(time.Minute)
	e.Run()
	for oid, local := range ids {
		got := e.Query(`SELECT toString(created_at, 'UTC') FROM {db}.v_orders WHERE external_id = toString(?)`, oid)
		if len(got) != 1 || got[0] != want[local] {
			t.Errorf("created %s Kyiv → %v UTC, want %s", local, got, want[local])
		}
	}
}

func TestRozetkaCatalogLoadsInLargeBatchesAndAFailedLoadKeepsTheLastGood(t *testing.T) {
	e := rozetkatest.New(t, map[string]int{"rz-a": 0}, 50000)
	r := e.Runner()
	res, err := r.RunJob(context.Background(), pipeline.JobCatalog)
	if err != nil || !res[0].OK() || res[0].New != 50000 {
		t.Fatalf("catalog load: %+v %v", res, err)
	}
	if got := e.Query(`SELECT count(), uniqExact(product_id) FROM {db}.v_products`); got[0] != "50000\t50000" {
		t.Fatalf("v_products: %v", got)
	}
	// Each insert is one _version: all but the last are full, by offers
	// (pipeline.CatalogBatch) or by their text (CatalogBatchBytes, less
	// one offer's worth).
	inserts := e.Query(`SELECT count() AS n, sum(length(name) + length(description) + length(description_html) + length(url) +
			length(category) + length(brand) + length(arrayStringConcat(arrayConcat(param_names, param_units, param_values, photos, category_path))))
		FROM {db}.products GROUP BY _version ORDER BY n DESC`)
	if len(inserts) < 2 || len(inserts) > 50000/pipeline.CatalogBatch+10 {
		t.Errorf("%d inserts for 50,000 offers: %v", len(inserts), inserts)
	}
	for _, row := range inserts[:len(inserts)-1] {
		var n, text int
		fmt.Sscan(strings.ReplaceAll(row, "\t", " "), &n, &text)
		if n != pipeline.CatalogBatch && text < pipeline.CatalogBatchBytes-8<<10 {
			t.Errorf("an insert of %d offers and %d bytes of text: neither bound was reached (inserts: %v)", n, text, inserts)
		}
	}
	// A load that dies half-way leaves the catalog as it was.
	e.RZ.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.ServerError}, Seed: 1})
	defer e.RZ.Faults().Set(kit.FaultConfig{})
	res, _ = r.RunJob(context.Background(), pipeline.JobCatalog)
	if res[0].OK() {
		t.Fatal("a catalog load against a failing marketplace succeeded")
	}
	if got := e.Query(`SELECT count() FROM {db}.v_products`); got[0] != "50000" {
		t.Errorf("after a failed load v_products holds %v offers, want the last good 50000", got)
	}
}
