package epicentr_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
)

const token = "tok-S3CR3T"

var now = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func serve(t *testing.T, n int) (*epicentr.Sandbox, string, string) {
	t.Helper()
	sb := epicentr.New(epicentr.Options{Clock: kit.NewClock(now), Seed: 5})
	id := sb.AddStore(token, n)
	return sb, id, kittest.Serve(t, sb.Handler()).URL
}

func get(t *testing.T, base, path string, query url.Values, auth string, out any) int {
	t.Helper()
	code, _, b := kittest.Do(t, nil, http.MethodGet, base+path+"?"+query.Encode(), kittest.Bearer(nil, auth), nil)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v: %s", path, err, b)
		}
	}
	return code
}

func TestSeedIsDeterministicAndRealistic(t *testing.T) {
	a, ida, _ := serve(t, 2000)
	b, idb, _ := serve(t, 2000)
	oa, ob := a.Orders(ida), b.Orders(idb)
	alternate, withNumber := 0, 0
	for i := range oa {
		ja, _ := json.Marshal(oa[i])
		jb, _ := json.Marshal(ob[i])
		if !bytes.Equal(ja, jb) {
			t.Fatalf("order %d differs between two sandboxes of one seed", i)
		}
		ad := oa[i].Address
		if ad.IsAlternateRecipient {
			alternate++
			if r := ad.Recipient; r == nil || r.LastName+r.FirstName == ad.LastName+ad.FirstName && r.Phone == ad.Phone {
				t.Fatalf("alternate recipient is the buyer: %+v", ad)
			}
		}
		if ad.Shipment.Number != "" {
			withNumber++
		}
	}
	if share := float64(alternate) / float64(len(oa)); share < 0.25 || share > 0.35 {
		t.Errorf("alternate recipients: %.2f of orders, want about 0.30", share)
	}
	if withNumber < len(oa)/3 {
		t.Errorf("only %d orders carry a shipment number", withNumber)
	}
}

func TestCursorsWalkBothWaysAndBelongToTheirQuery(t *testing.T) {
	sb, id, base := serve(t, 230)
	q := url.Values{"limit": {"100"}, "sort[]": {"createdAt"}}
	var all []string
	var pages []wire.OrderList
	for {
		var page wire.OrderList
		if code := get(t, base, wire.PathOrders, q, token, &page); code != http.StatusOK {
			t.Fatalf("list: %d", code)
		}
		pages = append(pages, page)
		for _, raw := range page.Items {
			var o wire.Order
			_ = json.Unmarshal(raw, &o)
			all = append(all, o.ID)
		}
		if page.Next == "" {
			break
		}
		q.Set("cursor", string(page.Next))
	}
	truth := sb.Orders(id) // oldest first, as sort[]=createdAt
	if len(pages) != 3 || len(all) != len(truth) || all[0] != truth[0].ID || all[229] != truth[229].ID {
		t.Fatalf("%d pages, %d orders", len(pages), len(all))
	}
	if pages[0].Current != "" || pages[1].Current == "" || pages[0].Prev != "" || pages[2].Prev == "" {
		t.Fatalf("current/prev cursors: %+v", pages)
	}
	// prev of the last page is the middle page again.
	q.Set("cursor", string(pages[2].Prev))
	var back wire.OrderList
	get(t, base, wire.PathOrders, q, token, &back)
	if len(back.Items) != 100 || !bytes.Equal(back.Items[0], pages[1].Items[0]) {
		t.Fatalf("prev page: %d items", len(back.Items))
	}
	// A cursor of another query is refused, not misread.
	q.Set("filter[statusCode][]", wire.StatusNew)
	var e wire.APIError
	if code := get(t, base, wire.PathOrders, q, token, &e); code != http.StatusBadRequest || e.Message != "Invalid cursor" {
		t.Fatalf("foreign cursor: %d %+v", code, e)
	}
}

func TestErrorsAndRecorder(t *testing.T) {
	sb, id, base := serve(t, 3)
	var e wire.APIError
	if code := get(t, base, "/v9/nothing", nil, "", &e); code != http.StatusNotFound || e.Message != wire.NoRoute {
		t.Fatalf("unknown path: %d %+v", code, e)
	}
	if code := get(t, base, wire.PathOrderDetails+"missing", nil, token, &e); code != http.StatusNotFound || e.Message != "Order not found" {
		t.Fatalf("missing order: %d %+v", code, e)
	}
	order := sb.Orders(id)[0]
	if code := get(t, base, wire.PathOrderDetails+order.ID, nil, token, nil); code != http.StatusOK {
		t.Fatalf("order: %d", code)
	}
	sb.Revoke(token)
	if code := get(t, base, wire.PathOrders, nil, token, &e); code != http.StatusUnauthorized {
		t.Fatalf("revoked: %d", code)
	}
	for _, r := range sb.Recorder().Requests() {
		if strings.Contains(r.RawQuery+string(r.Body), "S3CR3T") {
			t.Fatalf("the recorder kept the token: %+v", r)
		}
	}
	if n := sb.Recorder().Count("/v"); n != 4 {
		t.Fatalf("%d requests recorded, want 4", n)
	}
}

func TestStatusRulesOfTheControlMethods(t *testing.T) {
	sb, id, base := serve(t, 0)
	oid := sb.AddOrder(id, func(o *wire.Order) {
		o.StatusCode = wire.StatusConfirmed
		o.Address.Shipment.Provider, o.Address.Shipment.Number = wire.ProviderUkrposhta, ""
	})
	if err := sb.SetStatus(id, oid, wire.StatusSent); err == nil {
		t.Fatal("sent without a shipment number")
	}
	if err := sb.SetShipmentNumber(id, oid, "20450000000000"); err == nil {
		t.Fatal("a Nova Poshta number accepted for Ukrposhta")
	}
	for _, step := range []func() error{
		func() error { return sb.SetShipmentNumber(id, oid, "RA067022878UA") },
		func() error { return sb.SetStatus(id, oid, wire.StatusSent) },
		func() error { return sb.SetStatus(id, oid, wire.StatusDelivered) },
		func() error { return sb.SetStatus(id, oid, wire.StatusCompleted) },
		func() error { return sb.SetStatus(id, oid, wire.StatusReturnRequested) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := sb.SetStatus(id, oid, wire.StatusNew); err == nil {
		t.Fatal("return_requested → new accepted")
	}
	// The control API over HTTP reads the same truth.
	var truth struct{ Orders []wire.Order }
	get(t, base, "/_sandbox/orders", url.Values{"store": {id}}, "", &truth)
	if len(truth.Orders) != 1 || truth.Orders[0].StatusCode != wire.StatusReturnRequested {
		t.Fatalf("control truth: %+v", truth.Orders)
	}
}
