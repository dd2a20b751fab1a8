package rozetka

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/sandbox/kit"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

const apiToken = "push-token"

type pushFixture struct {
	sb    *rzsb.Sandbox
	store string
	url   string
	p     *Pusher
}

func newPushFixture(t *testing.T, nGoods int) *pushFixture {
	t.Helper()
	sb := rzsb.New(rzsb.Options{Clock: kit.NewClock(time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)), Seed: 4})
	store := sb.AddStore("shop@example.com", "pw", 0, nGoods)
	sb.AddToken(store, apiToken)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	p := NewPusher(source.Config{Store: "rz-shop", BaseURL: srv.URL, Token: apiToken,
		HTTP: httpx.Options{Timeout: 300 * time.Millisecond, MaxAttempts: 3, InitialBackoff: time.Millisecond}})
	return &pushFixture{sb: sb, store: store, url: srv.URL, p: p}
}

func (f *pushFixture) addOrder(status int, ttn string) string {
	id := f.sb.AddOrder(f.store, func(o *wire.Order) { o.Status, o.TTN = status, wire.NullString(ttn) })
	return strconv.FormatInt(id, 10)
}

// order is the sandbox's truth (a zero order, status 0, when it is gone).
func (f *pushFixture) order(id string) wire.Order {
	n, _ := strconv.ParseInt(id, 10, 64)
	o, _ := f.sb.Order(f.store, n)
	return o
}

// puts are the recorded PUT requests as "path body".
func (f *pushFixture) puts() []string {
	var out []string
	for _, r := range f.sb.Recorder().Requests() {
		if r.Method == "PUT" {
			out = append(out, r.Path+" "+string(r.Body))
		}
	}
	return out
}

// push runs a change the way the push engine does: plan, then per action
// read the state, skip what is already there, check, apply.
func push(ctx context.Context, p *Pusher, c marketplace.Change) ([]marketplace.Action, error) {
	actions, err := p.Plan(c)
	if err != nil {
		return nil, err
	}
	for _, a := range actions {
		st, err := p.State(ctx, a.OrderID)
		if err != nil {
			return nil, err
		}
		if marketplace.Satisfied(st, a) {
			continue
		}
		if err := marketplace.CheckTransition(st, a); err != nil {
			return nil, err
		}
		if _, err := p.Apply(ctx, a, st); err != nil {
			return nil, err
		}
	}
	return actions, nil
}

func TestEachChangeIsOnePut(t *testing.T) {
	const ttn, ttn2 = "20450000000001", "20450000000002"
	for _, tc := range []struct {
		name       string
		from       int
		fromTTN    string
		change     marketplace.Change // OrderID is filled in
		wantKind   string
		wantBody   string
		wantStatus int
		wantTTN    string
	}{
		{"status alone", 26, "", marketplace.Change{Status: "2"}, "status", `{"status":2}`, 2, ""},
		{"3 with its ТТН", 2, "", marketplace.Change{Status: "3", TTN: ttn, Carrier: "nova_poshta"}, "status+ttn", `{"status":3,"ttn":"` + ttn + `"}`, 3, ttn},
		{"2 with a ТТН lands in 61", 26, "", marketplace.Change{Status: "2", TTN: ttn}, "status+ttn", `{"status":2,"ttn":"` + ttn + `"}`, 61, ttn},
		{"ТТН alone moves a packed order to 61", 2, "", marketplace.Change{TTN: ttn}, "ttn", `{"status":61,"ttn":"` + ttn + `"}`, 61, ttn},
		{"ТТН alone keeps a shipped order in 3", 3, ttn, marketplace.Change{TTN: ttn2}, "ttn", `{"status":3,"ttn":"` + ttn2 + `"}`, 3, ttn2},
		{"ТТН alone keeps a delivered order's status", 4, ttn, marketplace.Change{TTN: ttn2}, "ttn", `{"status":4,"ttn":"` + ttn2 + `"}`, 4, ttn2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newPushFixture(t, 0)
			ctx := context.Background()
			c := tc.change
			c.OrderID = f.addOrder(tc.from, tc.fromTTN)
			actions, err := push(ctx, f.p, c)
			if err != nil {
				t.Fatal(err)
			}
			if len(actions) != 1 || actions[0].Kind != tc.wantKind {
				t.Fatalf("plan: %+v", actions)
			}
			want := fmt.Sprintf("/orders/%s %s", c.OrderID, tc.wantBody)
			if got := f.puts(); len(got) != 1 || got[0] != want {
				t.Fatalf("PUTs %q, want [%q]", got, want)
			}
			if o := f.order(c.OrderID); o.Status != tc.wantStatus || string(o.TTN) != tc.wantTTN {
				t.Fatalf("order ends in %d ttn %q, want %d %q", o.Status, o.TTN, tc.wantStatus, tc.wantTTN)
			}
			st, err := f.p.State(ctx, c.OrderID)
			if err != nil || !marketplace.Satisfied(st, actions[0]) {
				t.Fatalf("not satisfied after apply: %v %+v %+v", err, st, actions[0])
			}
			// Pushing the same change again sends nothing.
			if _, err := push(ctx, f.p, c); err != nil || len(f.puts()) != 1 {
				t.Fatalf("repeat: %v, %d PUTs", err, len(f.puts()))
			}
		})
	}
}

func TestPacked2WithTTNExpects61(t *testing.T) {
	f := newPushFixture(t, 0)
	c := marketplace.Change{OrderID: f.addOrder(1, ""), Status: "2", TTN: "20450000000009"}
	actions, err := f.p.Plan(c)
	if err != nil || len(actions) != 1 || actions[0].Expect != "61" || actions[0].Expected() != "61" {
		t.Fatalf("plan: %v %+v", err, actions)
	}
	ctx := context.Background()
	st, err := f.p.State(ctx, c.OrderID)
	if err != nil || marketplace.CheckTransition(st, actions[0]) != nil {
		t.Fatalf("1 → 2: %v %+v", err, st)
	}
	if _, err := f.p.Apply(ctx, actions[0], st); err != nil {
		t.Fatal(err)
	}
	st, err = f.p.State(ctx, c.OrderID)
	if err != nil || st.Status != "61" || !marketplace.Satisfied(st, actions[0]) {
		t.Fatalf("after: %v %+v", err, st)
	}
}

func TestPlanRejectsWithoutARequest(t *testing.T) {
	f := newPushFixture(t, 0)
	id := f.addOrder(2, "")
	for _, c := range []marketplace.Change{
		{OrderID: id, Status: "3"},
		{OrderID: id, Status: "61"},
		{OrderID: id, Status: "49"},
		{OrderID: id, Status: "shipped"},
		{OrderID: "R-1", Status: "2"},
	} {
		if _, err := f.p.Plan(c); err == nil {
			t.Errorf("%+v planned", c)
		} else if _, ok := marketplace.IsRejected(err); !ok {
			t.Errorf("%+v: %v is not a rejection", c, err)
		}
	}
	if n := len(f.sb.Recorder().Requests()); n != 0 {
		t.Fatalf("planning made %d requests", n)
	}
}

func TestTransitionOutsideTheGraphIsRefusedBeforeSending(t *testing.T) {
	f := newPushFixture(t, 0)
	ctx := context.Background()
	id := f.addOrder(1, "")
	actions, err := f.p.Plan(marketplace.Change{OrderID: id, Status: "6"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.p.State(ctx, id)
	if err != nil || st.Status != "1" || len(st.Allowed) == 0 {
		t.Fatalf("state: %v %+v", err, st)
	}
	if _, ok := marketplace.IsRejected(marketplace.CheckTransition(st, actions[0])); !ok {
		t.Fatalf("1 → 6 passed the check, allowed %v", st.Allowed)
	}
	if got := f.puts(); len(got) != 0 {
		t.Fatalf("PUTs %q", got)
	}
	// Sent anyway, Rozetka refuses it: a rejection, and the order stays.
	if _, err := f.p.Apply(ctx, actions[0], st); err == nil {
		t.Fatal("1 → 6 applied")
	} else if reason, ok := marketplace.IsRejected(err); !ok || reason == "" {
		t.Fatalf("refusal: %v", err)
	}
	if o := f.order(id); o.Status != 1 || len(f.puts()) != 1 {
		t.Fatalf("status %d after a refusal, %d PUTs", o.Status, len(f.puts()))
	}
}

func TestTTNOnAnOrderThatCannotReach61IsRefused(t *testing.T) {
	f := newPushFixture(t, 0)
	id := f.addOrder(7, "") // not processed in time: back to 26 or 2 first
	a := marketplace.Action{Kind: "ttn", Change: marketplace.Change{OrderID: id, TTN: "20450000000003"}}
	st, err := f.p.State(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Apply(context.Background(), a, st); err == nil {
		t.Fatal("applied")
	} else if _, ok := marketplace.IsRejected(err); !ok {
		t.Fatalf("%v is not a rejection", err)
	}
	if len(f.puts()) != 0 {
		t.Fatal("sent")
	}
}

func TestLostAnswerIsUncertainAndSentOnce(t *testing.T) {
	f := newPushFixture(t, 0)
	ctx := context.Background()
	id := f.addOrder(26, "")
	actions, _ := f.p.Plan(marketplace.Change{OrderID: id, Status: "2"})
	st, err := f.p.State(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	f.sb.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.AppliedTimeout}, MaxWait: time.Second})
	_, err = f.p.Apply(ctx, actions[0], st)
	f.sb.Faults().Set(kit.FaultConfig{})
	if _, rejected := marketplace.IsRejected(err); err == nil || rejected || !httpx.Uncertain(err) {
		t.Fatalf("lost answer: %v", err)
	}
	// The sandbox records the request once its handler is done, after the
	// client gave up.
	deadline := time.Now().Add(3 * time.Second)
	for len(f.puts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(f.puts()); n != 1 {
		t.Fatalf("%d PUTs", n)
	}
	if st, err := f.p.State(ctx, id); err != nil || !marketplace.Satisfied(st, actions[0]) {
		t.Fatalf("the change landed, yet State shows %+v (%v)", st, err)
	}
}

func TestPushStock(t *testing.T) {
	f := newPushFixture(t, 20)
	ctx := context.Background()
	goods := f.sb.Goods(f.store)
	a, b := goods[1], goods[5]
	rz := func(g wire.GoodsItem) string { return strconv.FormatInt(g.RzItemID, 10) }
	items := []marketplace.StockItem{
		{ExternalID: "A", ProductID: rz(a), Quantity: uint32(a.StockQuantity + 3)},
		{ExternalID: "no-catalog", ProductID: "", Quantity: 1},
		{ExternalID: "B", ProductID: rz(b), Quantity: 0},
		{ExternalID: "gone", ProductID: "99", Quantity: 4},
		{ExternalID: "bad", ProductID: "PO-1", Quantity: 4},
	}
	res, err := f.p.PushStock(ctx, items)
	if err != nil || len(res) != len(items) {
		t.Fatalf("push: %v %+v", err, res)
	}
	for i, r := range res {
		_, rejected := marketplace.IsRejected(r.Err)
		wantRejected := items[i].ExternalID != "A" && items[i].ExternalID != "B"
		if r.ExternalID != items[i].ExternalID || rejected != wantRejected || (!wantRejected && r.Err != nil) {
			t.Errorf("%s: %v", items[i].ExternalID, r.Err)
		}
	}
	// The catalog shows the new stock.
	got := map[int64]int{}
	err = wire.NewClient(source.Config{Store: "check", BaseURL: f.url, Token: apiToken}).Goods(ctx, 0, func(page []wire.GoodsItem) error {
		for _, g := range page {
			got[g.RzItemID] = g.StockQuantity
		}
		return nil
	})
	if err != nil || got[a.RzItemID] != a.StockQuantity+3 || got[b.RzItemID] != 0 || got[goods[2].RzItemID] != goods[2].StockQuantity {
		t.Fatalf("goods after push: %v a=%d b=%d", err, got[a.RzItemID], got[b.RzItemID])
	}
	// Only numeric ids were sent; the refused one is left out of the resend.
	want := []string{
		fmt.Sprintf(`/items/mass-update {"isIgnoreCheck":0,"items":[{"item_rz_id":%d,"stock_quantity":%d},{"item_rz_id":%d,"stock_quantity":0},{"item_rz_id":99,"stock_quantity":4}]}`, a.RzItemID, a.StockQuantity+3, b.RzItemID),
		fmt.Sprintf(`/items/mass-update {"isIgnoreCheck":0,"items":[{"item_rz_id":%d,"stock_quantity":%d},{"item_rz_id":%d,"stock_quantity":0}]}`, a.RzItemID, a.StockQuantity+3, b.RzItemID),
	}
	if got := f.puts(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("PUTs\n%q\nwant\n%q", got, want)
	}
	if f.p.StockBatch() != 100 {
		t.Fatal("batch size")
	}
}

// An order read without its status_available expand falls back to the
// /status-availables graph from its status.
func TestStateFallsBackToTheGraph(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/orders/5":
			fmt.Fprint(w, `{"success":true,"content":{"id":5,"status":26,"ttn":null}}`)
		case "/status-availables/search":
			fmt.Fprint(w, `{"success":true,"content":{"statusAvailables":[
				{"id":1,"parent_id":26,"child_id":2,"delivery_type":0},{"id":2,"parent_id":26,"child_id":2,"delivery_type":1},
				{"id":3,"parent_id":26,"child_id":42,"delivery_type":0},{"id":4,"parent_id":2,"child_id":61,"delivery_type":0}],
				"_meta":{"totalCount":4,"pageCount":1,"currentPage":1,"perPage":20}}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	p := NewPusher(source.Config{Store: "s", BaseURL: srv.URL, Token: "t", HTTP: httpx.Options{MaxAttempts: 1}})
	st, err := p.State(context.Background(), "5")
	if err != nil || st.Status != "26" || st.TTN != "" || fmt.Sprint(st.Allowed) != "[2 42]" {
		t.Fatalf("state: %v %+v", err, st)
	}
}
