package rozetka_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
	"github.com/kramar/kramar/transforms/timeconv"
)

const (
	user     = "shop@example.com"
	password = "pa$$-wörd"
)

var testNow = sourcetest.DSTWeek

type fixture struct {
	sb     *rzsb.Sandbox
	store  string
	url    string
	client *rozetka.Client
}

func newFixture(t *testing.T, nOrders, nGoods int, cfg source.Config) *fixture {
	t.Helper()
	sb := rzsb.New(rzsb.Options{Clock: kit.NewClock(testNow), Seed: 21})
	store := sb.AddStore(user, password, nOrders, nGoods)
	cfg.Store, cfg.BaseURL = "rz-shop", ""
	if cfg.Token == "" && cfg.Username == "" {
		cfg.Username, cfg.Password = user, password
	}
	url, cfg := sourcetest.Serve(t, sb.Handler(), cfg)
	return &fixture{sb: sb, store: store, url: url, client: rozetka.NewClient(cfg)}
}

// want is the truth: the ids of orders whose `changed` (Kyiv wall clock)
// falls in [from, to].
func (f *fixture) want(t *testing.T, from, to time.Time) map[string]bool {
	return sourcetest.Window(t, f.sb.Orders(f.store), from, to, func(o rozetka.Order) (string, string) {
		return strconv.FormatInt(o.ID, 10), o.Changed
	})
}

// pull runs ModifiedBetween, calling during(pageNo) after each page.
func (f *fixture) pull(t *testing.T, from, to time.Time, during func(int)) (map[string]int, error) {
	return sourcetest.Pull(t, f.client, from, to, during)
}

func TestPullLogsInWithBase64AndDeliversTheWindow(t *testing.T) {
	f := newFixture(t, 700, 0, source.Config{})
	from, to := testNow.Add(-5*24*time.Hour), testNow.Add(-time.Hour)
	seen, err := f.pull(t, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	kittest.AssertExact(t, seen, f.want(t, from, to))
	for id, n := range seen {
		if n != 1 {
			t.Errorf("order %s delivered %d times in a stable window", id, n)
		}
	}
	if n := f.sb.Recorder().Count("/sites"); n != 1 {
		t.Errorf("%d logins, want 1", n)
	}
	pages := (len(seen) + 19) / 20
	if n := f.sb.Recorder().Count("/orders/search"); n != pages {
		t.Errorf("%d search requests for %d pages", n, pages)
	}
	reqs := f.sb.Recorder().Requests()
	q := reqs[len(reqs)-1].RawQuery
	for _, part := range []string{"changed_from=" + strings.ReplaceAll(timeconv.FormatKyiv(from, rozetka.TimeLayout), " ", "+"), "sort=id", "expand=delivery%2Cpurchases"} {
		if !strings.Contains(q, strings.ReplaceAll(part, ":", "%3A")) {
			t.Errorf("query %s lacks %s", q, part)
		}
	}
}

func TestWrongPasswordIsAClearAuthError(t *testing.T) {
	f := newFixture(t, 5, 0, source.Config{Username: user, Password: "wrong-secret"})
	_, err := f.pull(t, testNow.Add(-time.Hour), testNow, nil)
	if httpx.KindOf(err) != httpx.KindAuth {
		t.Fatalf("kind %q: %v", httpx.KindOf(err), err)
	}
	var apiErr *rozetka.Error
	if !errors.As(err, &apiErr) || apiErr.Code != 1004 {
		t.Fatalf("want the API's 1004 behind the error: %v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "rz-shop") || !strings.Contains(msg, "incorrect_username_password") || strings.Contains(msg, "wrong-secret") {
		t.Fatalf("error must name the store and the cause, never the password: %v", err)
	}
	if n := f.sb.Recorder().Count("/sites"); n != 1 {
		t.Fatalf("%d login attempts, want 1 (a refusal is not retried)", n)
	}
}

func TestSessionExpiryMidPullReloginsOnce(t *testing.T) {
	f := newFixture(t, 500, 0, source.Config{})
	from, to := testNow.Add(-7*24*time.Hour), testNow
	seen, err := f.pull(t, from, to, func(page int) {
		if page == 4 {
			f.sb.ExpireTokens()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	kittest.AssertExact(t, seen, f.want(t, from, to))
	if n := f.sb.Recorder().Count("/sites"); n != 2 {
		t.Fatalf("%d logins, want 2 (the first and one re-login)", n)
	}
}

func TestStaticTokenAndItsRefusal(t *testing.T) {
	f := newFixture(t, 30, 0, source.Config{Token: "api-token-1"})
	f.sb.AddToken(f.store, "api-token-1")
	if _, err := f.pull(t, testNow.Add(-7*24*time.Hour), testNow, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.sb.Recorder().Count("/sites"); n != 0 {
		t.Fatalf("%d logins with a static token", n)
	}
	f.sb.Revoke("api-token-1")
	_, err := f.pull(t, testNow.Add(-time.Hour), testNow, nil)
	if httpx.KindOf(err) != httpx.KindAuth || strings.Contains(err.Error(), "api-token-1") {
		t.Fatalf("revoked token: %v", err)
	}
}

func TestOrdersMovingBetweenPagesAreNotLost(t *testing.T) {
	f := newFixture(t, 600, 0, source.Config{})
	from, to := testNow.Add(-7*24*time.Hour), testNow
	want := f.want(t, from, to)
	f.sb.Clock().Advance(time.Minute) // changes during the pull land after `to`
	if err := f.sb.ShiftDuringPull(f.store, 7); err != nil {
		t.Fatal(err)
	}
	// More orders leave while the pull is in the middle of the window.
	moved := 0
	seen, err := f.pull(t, from, to, func(page int) {
		if page != 10 {
			return
		}
		for _, o := range f.sb.Orders(f.store) {
			if want[strconv.FormatInt(o.ID, 10)] && moved < 25 && o.Status == 6 {
				_ = f.sb.SetTTN(f.store, o.ID, "20450000009999")
				moved++
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if moved == 0 {
		t.Fatal("nothing moved mid-pull")
	}
	kittest.AssertExact(t, seen, want)
}

func TestFaultsLoseNothing(t *testing.T) {
	from, to := testNow.Add(-7*24*time.Hour), testNow
	sourcetest.ExactUnderFaults(t, from, to, func(t *testing.T, cfg kit.FaultConfig) (source.Orders, map[string]bool, *kit.Faults) {
		f := newFixture(t, 2000, 0, source.Config{})
		f.sb.Faults().Set(cfg)
		return f.client, f.want(t, from, to), f.sb.Faults()
	})
}

func TestGetUpdateAndApprove(t *testing.T) {
	f := newFixture(t, 0, 20, source.Config{})
	ctx := context.Background()
	id := f.sb.AddOrder(f.store, func(o *rozetka.Order) { o.Status, o.TTN, o.IsFulfillment, o.FFCanApprove = 1, "", true, true })
	if body := sourcetest.Get(t, f.client, strconv.FormatInt(id, 10), "12345"); !strings.Contains(string(body), `"purchases":[`) {
		t.Fatalf("get: %s", body)
	}
	if _, err := f.client.UpdateOrder(ctx, id, rozetka.UpdateOrder{Status: 6}); err == nil {
		t.Fatal("1 → 6 accepted")
	} else if var1005 := new(rozetka.Error); !errors.As(err, &var1005) || var1005.Code != 1005 {
		t.Fatalf("refused transition: %v", err)
	}
	body, err := f.client.UpdateOrder(ctx, id, rozetka.UpdateOrder{Status: 26, SellerComment: "перевірено"})
	if err != nil || !strings.Contains(string(body), `"status":26`) {
		t.Fatalf("1 → 26: %v %s", err, body)
	}
	if _, err := f.client.ApproveFF(ctx, id); err != nil {
		t.Fatalf("approve: %v", err)
	}
	if o, _ := f.sb.Order(f.store, id); o.FFCanApprove || o.Status != 26 || len(o.SellerComment) == 0 {
		t.Fatalf("after update and approve: %+v", o)
	}
}

func TestReferenceListsAndGoods(t *testing.T) {
	f := newFixture(t, 0, 345, source.Config{})
	ctx := context.Background()
	statuses, err := f.client.OrderStatuses(ctx)
	if err != nil || len(statuses) < 70 {
		t.Fatalf("statuses: %d %v", len(statuses), err)
	}
	byID := map[int]rozetka.OrderStatus{}
	for _, s := range statuses {
		byID[s.ID] = s
	}
	if byID[45].NameUK != "Скасовано покупцем" || byID[45].StatusGroup != 3 || byID[6].StatusGroup != 2 {
		t.Fatalf("status 45 %+v, 6 %+v", byID[45], byID[6])
	}
	edges, err := f.client.StatusAvailables(ctx)
	if err != nil || len(edges) <= 20 {
		t.Fatalf("transitions: %d %v", len(edges), err)
	}
	ds, err := f.client.DeliveryServices(ctx)
	if err != nil || len(ds) == 0 {
		t.Fatalf("delivery services: %v", err)
	}
	pm, err := f.client.PaymentMethods(ctx)
	if err != nil || len(pm) != 3 {
		t.Fatalf("payment methods: %d %v", len(pm), err)
	}
	opts, err := f.client.Options(ctx)
	if err != nil || len(opts) != len(statuses)+len(ds)+len(pm) {
		t.Fatalf("options: %d %v", len(opts), err)
	}
	truth := f.sb.Goods(f.store)
	var got []rozetka.GoodsItem
	pages := 0
	err = f.client.Goods(ctx, 100, func(items []rozetka.GoodsItem) error {
		pages++
		got = append(got, items...)
		return nil
	})
	if err != nil || pages != 4 || len(got) != len(truth) {
		t.Fatalf("goods: %d items in %d pages, want %d in 4: %v", len(got), pages, len(truth), err)
	}
	for i := range got {
		if got[i].RzItemID != truth[i].RzItemID || got[i].Price != truth[i].Price || got[i].PriceOfferID != truth[i].PriceOfferID {
			t.Fatalf("item %d: %+v vs %+v", i, got[i], truth[i])
		}
	}
	n := 0
	if err := f.client.Products(ctx, func(recs []source.Record) error {
		for _, r := range recs {
			if r.ID == "" {
				t.Fatal("product without id")
			}
		}
		n += len(recs)
		return nil
	}); err != nil || n != len(truth) {
		t.Fatalf("products: %d %v", n, err)
	}
}

func TestOrderStatusAcceptsNameUA(t *testing.T) {
	var s rozetka.OrderStatus
	if err := s.UnmarshalJSON([]byte(`{"id":1,"name":"Новый заказ","name_ua":"Нове замовлення","status_group":1}`)); err != nil || s.NameUK != "Нове замовлення" {
		t.Fatalf("%+v %v", s, err)
	}
}

func TestMassUpdateNamesRefusedItems(t *testing.T) {
	f := newFixture(t, 0, 10, source.Config{})
	ctx := context.Background()
	g := f.sb.Goods(f.store)[2]
	err := f.client.MassUpdate(ctx, []rozetka.ItemUpdate{{ItemRzID: g.RzItemID, StockQuantity: 5}, {ItemRzID: 77, StockQuantity: 1}})
	var refused rozetka.ItemErrors
	if !errors.As(err, &refused) || len(refused) != 1 || refused.Text(77) == "" || httpx.KindOf(err) != httpx.KindRequest {
		t.Fatalf("unknown item: %v", err)
	}
	if n := f.sb.Recorder().Count("/items/mass-update"); n != 1 {
		t.Fatalf("a refusal was sent %d times", n)
	}
	if err := f.client.MassUpdate(ctx, []rozetka.ItemUpdate{{ItemRzID: g.RzItemID, StockQuantity: 5}}); err != nil {
		t.Fatal(err)
	}
	if got := f.sb.Goods(f.store)[2].StockQuantity; got != 5 {
		t.Fatalf("stock %d, want 5", got)
	}
}

func TestOrderStateReadsTheAllowedStatuses(t *testing.T) {
	f := newFixture(t, 0, 5, source.Config{})
	ctx := context.Background()
	id := f.sb.AddOrder(f.store, func(o *rozetka.Order) { o.Status, o.TTN = 26, "" })
	o, err := f.client.OrderState(ctx, id)
	if err != nil || o.Status != 26 || o.TTN != "" || len(o.StatusAvailable) == 0 {
		t.Fatalf("state: %v %+v", err, o)
	}
	edges, err := f.client.StatusAvailablesFrom(ctx, 26)
	if err != nil || len(edges) == 0 {
		t.Fatalf("graph from 26: %v %d", err, len(edges))
	}
	for _, e := range edges {
		if e.ParentID != 26 {
			t.Fatalf("edge %+v", e)
		}
	}
	var nf *source.NotFoundError
	if _, err := f.client.OrderState(ctx, 12345); !errors.As(err, &nf) {
		t.Fatalf("missing order: %v", err)
	}
}

func TestUpdateOrderIsNotRepeatedAfterALostAnswer(t *testing.T) {
	f := newFixture(t, 0, 5, source.Config{})
	id := f.sb.AddOrder(f.store, func(o *rozetka.Order) { o.Status, o.TTN = 26, "" })
	if _, err := f.client.OrderState(context.Background(), id); err != nil { // logs in
		t.Fatal(err)
	}
	f.sb.Recorder().Reset()
	f.sb.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.AppliedTimeout}, MaxWait: time.Second})
	_, err := f.client.UpdateOrder(context.Background(), id, rozetka.UpdateOrder{Status: 2})
	f.sb.Faults().Set(kit.FaultConfig{})
	if err == nil || !httpx.Uncertain(err) {
		t.Fatalf("lost answer: %v", err)
	}
	// The sandbox records the request once its handler is done, which is
	// after the client gave up.
	deadline := time.Now().Add(3 * time.Second)
	for f.sb.Recorder().Count("/orders/") == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.sb.Recorder().Count("/orders/"); n != 1 {
		t.Fatalf("the write went out %d times", n)
	}
	if o, _ := f.sb.Order(f.store, id); o.Status != 2 {
		t.Fatalf("status %d: the write should have applied", o.Status)
	}
}
