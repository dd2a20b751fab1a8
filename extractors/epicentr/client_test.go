package epicentr_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
)

const token = "eyJhbGciOiJSUzI1NiIs.test-S3CR3T"

var testNow = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

type fixture struct {
	sb     *epsb.Sandbox
	store  string
	url    string
	client *epicentr.Client
}

func newFixture(t *testing.T, nOrders int, cfg source.Config) *fixture {
	t.Helper()
	sb := epsb.New(epsb.Options{Clock: kit.NewClock(testNow), Seed: 11})
	store := sb.AddStore(token, nOrders)
	cfg.Store = "ep-shop"
	if cfg.Token == "" {
		cfg.Token = token
	}
	url, cfg := sourcetest.Serve(t, sb.Handler(), cfg)
	return &fixture{sb: sb, store: store, url: url, client: epicentr.NewClient(cfg)}
}

// pull runs ModifiedBetween over the last 30 days, calling during(page)
// after each page, and counts the deliveries of each id.
func (f *fixture) pull(t *testing.T, from time.Time, during func(int)) (map[string]int, error) {
	return sourcetest.Pull(t, f.client, from, testNow, during)
}

// assertOnce: every id of want delivered exactly once, nothing else.
func assertOnce(t *testing.T, seen map[string]int, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("an empty truth proves nothing")
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("order %s delivered %d times, want once", id, seen[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d orders delivered, want %d", len(seen), len(want))
	}
}

func ids(orders []epicentr.Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.ID
	}
	return out
}

func TestCursorPagingIsExactOverFiveThousandOrders(t *testing.T) {
	f := newFixture(t, 5000, source.Config{})
	seen, err := f.pull(t, testNow.Add(-30*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	truth := f.sb.Orders(f.store)
	assertOnce(t, seen, ids(truth))
	active := 0
	for _, o := range truth {
		if slices.Contains(epicentr.ActiveStatuses, o.StatusCode) {
			active++
		}
	}
	// Walk 1 (active statuses) and walk 2 (everything), 100 a page.
	if got, want := f.sb.Recorder().Count(epicentr.PathOrders), (active+99)/100+50; got != want {
		t.Errorf("%d list requests, want %d", got, want)
	}
	q := f.sb.Recorder().Requests()[0].RawQuery
	for _, part := range []string{"filter%5BstatusCode%5D%5B%5D=new", "sort%5B%5D=-createdAt", "limit=100"} {
		if !strings.Contains(q, part) {
			t.Errorf("first query %s lacks %s", q, part)
		}
	}
}

func TestSettledOrdersAreReadBackToTheHorizonOnly(t *testing.T) {
	f := newFixture(t, 3000, source.Config{PageSize: 50})
	f.client.SettledHorizon = 24 * time.Hour
	from := testNow.Add(-48 * time.Hour)
	seen, err := f.pull(t, from, nil)
	if err != nil {
		t.Fatal(err)
	}
	cutoff := from.Add(-24 * time.Hour)
	var must []string
	for _, o := range f.sb.Orders(f.store) {
		created, _ := time.Parse(time.RFC3339, o.CreatedAt)
		if slices.Contains(epicentr.ActiveStatuses, o.StatusCode) || !created.Before(cutoff) {
			must = append(must, o.ID)
		}
	}
	for _, id := range must {
		if seen[id] != 1 {
			t.Errorf("order %s delivered %d times", id, seen[id])
		}
	}
	// At most one page of older settled orders beyond the horizon.
	if extra := len(seen) - len(must); extra < 0 || extra > 50 {
		t.Errorf("%d orders beyond the horizon, want at most one page", extra)
	}
	if len(seen) > 2000 {
		t.Errorf("%d orders read for a 3-day reach of a 14-day store", len(seen))
	}
}

// pullUnderFaults pulls a store of 5,000 orders with cfg in force, checks
// each order arrived exactly once and returns the faults that happened.
func TestFaultsLoseAndDoubleNothing(t *testing.T) {
	kittest.FaultCases(t, func(t *testing.T, cfg kit.FaultConfig) *kit.Faults {
		f := newFixture(t, 5000, source.Config{})
		f.sb.Faults().Set(cfg)
		seen, err := f.pull(t, testNow.Add(-30*24*time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		assertOnce(t, seen, ids(f.sb.Orders(f.store)))
		return f.sb.Faults()
	})
}

// A stale copy of the first page carries no `current` (a first page has
// none); its `next` — the cursor just asked for — gives it away.
func TestAStaleFirstPageIsAskedAgain(t *testing.T) {
	stale := 0
	for seed := int64(1); seed <= 6; seed++ {
		f := newFixture(t, 150, source.Config{PageSize: 50})
		f.sb.Faults().Set(kit.FaultConfig{Rate: 0.5, Kinds: []kit.Kind{kit.DuplicatePage}, Seed: seed})
		seen, err := f.pull(t, testNow.Add(-30*24*time.Hour), nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		assertOnce(t, seen, ids(f.sb.Orders(f.store)))
		stale += f.sb.Faults().Counts()[kit.DuplicatePage]
	}
	if stale == 0 {
		t.Fatal("no stale page was served")
	}
}

func TestAServerStuckOnStalePagesFailsTheWalk(t *testing.T) {
	f := newFixture(t, 300, source.Config{PageSize: 50})
	f.sb.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.DuplicatePage}, Seed: 1})
	if _, err := f.pull(t, testNow.Add(-30*24*time.Hour), nil); err == nil || !strings.Contains(err.Error(), "page already read") {
		t.Fatalf("want the walk to give up: %v", err)
	}
}

func TestOrdersChangingDuringTheWalkAreNotLost(t *testing.T) {
	f := newFixture(t, 1500, source.Config{PageSize: 40})
	before := f.sb.Orders(f.store)
	moved := 0
	seen, err := f.pull(t, testNow.Add(-30*24*time.Hour), func(page int) {
		if page != 3 {
			return
		}
		// Orders leave the active set, new ones arrive at the head.
		for _, o := range f.sb.Orders(f.store) {
			if o.StatusCode == epicentr.StatusNew && moved < 30 {
				if f.sb.Cancel(f.store, o.ID, "customer_failed_to_contact") == nil {
					moved++
				}
			}
		}
		f.sb.AddOrder(f.store, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if moved == 0 {
		t.Fatal("nothing changed mid-walk")
	}
	for _, id := range ids(before) {
		if seen[id] != 1 {
			t.Errorf("order %s delivered %d times", id, seen[id])
		}
	}
}

func TestRefusedTokenIsAnAuthErrorWithoutTheToken(t *testing.T) {
	f := newFixture(t, 10, source.Config{Token: "wrong-S3CR3T"})
	_, err := f.pull(t, testNow.Add(-time.Hour), nil)
	if httpx.KindOf(err) != httpx.KindAuth {
		t.Fatalf("kind %q: %v", httpx.KindOf(err), err)
	}
	if msg := err.Error(); !strings.Contains(msg, "ep-shop") || strings.Contains(msg, "S3CR3T") {
		t.Fatalf("error must name the store, never the token: %v", err)
	}
	if n := f.sb.Recorder().Count(epicentr.PathOrders); n != 1 {
		t.Fatalf("%d attempts, want 1 (a refusal is not retried)", n)
	}
	f.sb.Revoke(token)
	ok := epicentr.NewClient(source.Config{Store: "ep-shop", BaseURL: f.url, Token: token})
	if _, err := ok.Get(context.Background(), "x"); httpx.KindOf(err) != httpx.KindAuth {
		t.Fatalf("revoked token: %v", err)
	}
}

func TestGetNotFoundAndUnknownRoute(t *testing.T) {
	f := newFixture(t, 5, source.Config{})
	ctx := context.Background()
	want := f.sb.Orders(f.store)[2]
	if body := sourcetest.Get(t, f.client, want.ID, "00000000-0000-4000-8000-000000000000"); string(body) != string(f.sb.OrderJSON(f.store, want.ID)) {
		t.Fatalf("get: %s", body)
	}
	var nf *source.NotFoundError
	wrong := epicentr.NewClient(source.Config{Store: "ep-shop", BaseURL: f.url + "/api", Token: token})
	_, err := wrong.Get(ctx, want.ID)
	if errors.As(err, &nf) || httpx.KindOf(err) != httpx.KindRequest || !strings.Contains(err.Error(), epicentr.NoRoute) {
		t.Fatalf("a wrong base URL must be a request error, not a missing order: %v", err)
	}
	if got := string(epicentr.Unwrap([]byte(`{"data":{"id":"a"}}`))); got != `{"id":"a"}` {
		t.Fatalf("unwrap: %s", got)
	}
}

func TestStatusesShipmentNumberAndCancel(t *testing.T) {
	f := newFixture(t, 0, source.Config{})
	ctx := context.Background()
	fresh := func() string {
		return f.sb.AddOrder(f.store, func(o *epicentr.Order) {
			o.StatusCode = epicentr.StatusNew
			o.Address.Shipment.Provider, o.Address.Shipment.Number = epicentr.ProviderNovaPoshta, ""
		})
	}
	id := fresh()
	allowed := func() []string {
		s, err := f.client.AllowedStatuses(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := allowed(); !slices.Equal(got, []string{"confirmed_by_merchant", "confirmed", "canceled"}) {
		t.Fatalf("new allows %v", got)
	}
	if err := f.client.ChangeStatus(ctx, id, epicentr.StatusSent); httpx.KindOf(err) != httpx.KindRequest {
		t.Fatalf("new → sent: %v", err)
	}
	must(t, f.client.ChangeStatus(ctx, id, epicentr.StatusConfirmed))
	if got := allowed(); !slices.Equal(got, []string{"canceled"}) {
		t.Fatalf("confirmed without a waybill allows %v", got)
	}
	if err := f.client.SetShipmentNumber(ctx, id, "12345"); err == nil || !strings.Contains(err.Error(), "Validation failed") {
		t.Fatalf("a 5-digit Nova Poshta number: %v", err)
	}
	must(t, f.client.SetShipmentNumber(ctx, id, "2045 0000 0000 01"))
	if got := allowed(); !slices.Contains(got, epicentr.StatusSent) {
		t.Fatalf("with a waybill: %v", got)
	}
	must(t, f.client.ChangeStatus(ctx, id, epicentr.StatusSent))
	if o, _ := f.sb.Order(f.store, id); o.StatusCode != epicentr.StatusSent || o.Address.Shipment.Number != "20450000000001" {
		t.Fatalf("after sending: %s %s", o.StatusCode, o.Address.Shipment.Number)
	}

	other := fresh()
	if err := f.client.ChangeStatus(ctx, other, epicentr.StatusCanceled); err == nil {
		t.Fatal("a cancel without a reason was accepted")
	}
	if err := f.client.Cancel(ctx, other, epicentr.CancelRequest{ReasonCode: "because"}); err == nil {
		t.Fatal("an unknown reason was accepted")
	}
	if err := f.client.Cancel(ctx, other, epicentr.CancelRequest{ReasonCode: "customer_failed_to_contact", TranslationKey: epicentr.TranslationKey("customer_other_reason")}); err == nil {
		t.Fatal("a translation key of another reason was accepted")
	}
	must(t, f.client.Cancel(ctx, other, epicentr.CancelRequest{ReasonCode: "customer_failed_to_contact", Comment: "не відповідає"}))
	if r, ok := f.sb.CancelReason(f.store, other); !ok || r.TranslationKey != "order.customer_cancel_reason.customer_failed_to_contact" || r.Comment != "не відповідає" {
		t.Fatalf("cancel reason kept: %+v %v", r, ok)
	}
	reasons, err := f.client.CancelReasons(ctx)
	if err != nil || len(reasons) < 9 || !slices.ContainsFunc(reasons, func(r epicentr.CancelReason) bool { return r.Code == "customer_order_duplicate" }) {
		t.Fatalf("cancel reasons: %v %v", reasons, err)
	}
	var nf *source.NotFoundError
	if _, err := f.client.AllowedStatuses(ctx, "nope"); err == nil || errors.As(err, &nf) {
		t.Fatalf("allowed statuses of a missing order: %v", err)
	}
}

func TestOffersUpdateIsAppliedLater(t *testing.T) {
	f := newFixture(t, 0, source.Config{})
	ctx := context.Background()
	offer := f.sb.Offers(f.store)[0]
	res, err := f.client.UpdateOffers(ctx, []epicentr.OfferUpdate{
		{SKU: offer.SKU, Prices: &epicentr.OfferPrices{Price: "163.56"}, Availability: epicentr.NotAvailable},
		{SKU: "NO-SUCH-SKU", Availability: epicentr.InStock},
		{SKU: offer.SKU, Prices: &epicentr.OfferPrices{Price: "-5"}},
	})
	if err != nil || res.RequestID == "" || res.Total != 3 {
		t.Fatalf("post: %+v %v", res, err)
	}
	statuses := func(r epicentr.OfferUpdateResult) []string {
		var out []string
		for _, it := range r.Items {
			out = append(out, it.Status)
		}
		return out
	}
	if got := statuses(res); !slices.Equal(got, []string{"enqueued", "forbidden", "skipped"}) || res.Items[2].Errors["prices"][0] != "validation.positive" {
		t.Fatalf("first answer: %+v", res)
	}
	if res, _ = f.client.OfferUpdateResults(ctx, res.RequestID); res.Done() {
		t.Fatalf("done before the sandbox clock moved: %+v", res)
	}
	if f.sb.Offers(f.store)[0].Price != offer.Price {
		t.Fatal("applied before it was due")
	}
	f.sb.Clock().Advance(31 * time.Second)
	res, err = f.client.OfferUpdateResults(ctx, res.RequestID)
	if err != nil || !res.Done() || !slices.Equal(statuses(res), []string{"processed", "forbidden", "skipped"}) {
		t.Fatalf("results: %+v %v", res, err)
	}
	if got := f.sb.Offers(f.store)[0]; got.Price != 16356 || got.Availability != epicentr.NotAvailable {
		t.Fatalf("offer after the update: %+v", got)
	}
	if _, err := f.client.OfferUpdateResults(ctx, "nope"); httpx.KindOf(err) != httpx.KindRequest {
		t.Fatalf("unknown request: %v", err)
	}
	if _, err := f.client.UpdateOffers(ctx, nil); err == nil {
		t.Fatal("an empty batch was accepted")
	}
}

func TestBadListParametersAreRefused(t *testing.T) {
	f := newFixture(t, 3, source.Config{})
	for _, q := range []string{"limit=101", "limit=0", "sort[]=id", "filter[statusCode][]=finished", "cursor=bm9wZQ"} {
		resp, err := http.Get(f.url + epicentr.PathOrders + "?" + q) // no token: validation is after auth
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d", q, resp.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodGet, f.url+epicentr.PathOrders+"?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, resp.StatusCode)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
