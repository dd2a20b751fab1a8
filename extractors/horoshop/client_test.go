package horoshop_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	hssb "github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/kramar/kramar/transforms/timeconv"
)

const (
	login    = "api"
	password = "q4lrfb3-S3CR3T"
)

var testNow = sourcetest.DSTWeek

type fixture struct {
	sb     *hssb.Sandbox
	store  string
	client *horoshop.Client
}

func newFixture(t *testing.T, nOrders, nProducts, pageSize int, pass string) *fixture {
	t.Helper()
	sb := hssb.New(hssb.Options{Clock: kit.NewClock(testNow), Seed: 17})
	store := sb.AddStore(login, password, nOrders, nProducts)
	_, cfg := sourcetest.Serve(t, sb.Handler(), source.Config{Store: "hs-shop", BaseURL: "/", Username: login, Password: pass, PageSize: pageSize})
	return &fixture{sb: sb, store: store, client: horoshop.NewClient(cfg)}
}

// want is the truth: the numbers of orders placed (Kyiv wall clock) in [from, to].
func (f *fixture) want(t *testing.T, from, to time.Time) map[string]bool {
	return sourcetest.Window(t, f.sb.Orders(f.store), from, to, func(o horoshop.Order) (string, string) {
		return strconv.FormatInt(o.OrderID, 10), o.StatCreated
	})
}

// pull reads [from, to] exactly (no revisit), calling during(page) after each page.
func (f *fixture) pull(t *testing.T, from, to time.Time, during func(int)) (map[string]int, error) {
	f.client.Revisit = 0
	return sourcetest.Pull(t, f.client, from, to, during)
}

func TestPagingIsExactWithOneLoginAndOverlappingPages(t *testing.T) {
	f := newFixture(t, 700, 0, 50, password)
	from, to := testNow.Add(-5*24*time.Hour), testNow.Add(-time.Hour)
	seen, err := f.pull(t, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := f.want(t, from, to)
	kittest.AssertExact(t, seen, want)
	rec := f.sb.Recorder()
	if n := rec.Count(horoshop.PathAuth); n != 1 {
		t.Errorf("%d logins, want 1", n)
	}
	// Pages of 50 overlapping by one: ceil((n-1)/49) pages, plus the one that finds the end.
	pages := (len(want)-1+48)/49 + 1
	if n := rec.Count(horoshop.PathOrdersGet); n != pages && n != pages-1 {
		t.Errorf("%d orders/get calls for %d orders, want about %d", n, len(want), pages)
	}
	reqs := rec.Requests()
	last := string(reqs[len(reqs)-1].Body)
	for _, part := range []string{`"from":"` + timeconv.FormatKyiv(from, horoshop.TimeLayout) + `"`, `"limit":50`, `"offset":`} {
		if !strings.Contains(last, part) {
			t.Errorf("request %s lacks %s", last, part)
		}
	}
	for _, r := range reqs {
		if strings.Contains(string(r.Body), "token") || strings.Contains(string(r.Body), password) {
			t.Fatalf("a secret reached the recorder: %s %s", r.Path, r.Body)
		}
	}
}

func TestWrongPasswordIsAClearAuthError(t *testing.T) {
	f := newFixture(t, 5, 0, 50, "wrong-secret")
	_, err := f.pull(t, testNow.Add(-24*time.Hour), testNow, nil)
	if httpx.KindOf(err) != httpx.KindAuth {
		t.Fatalf("kind %q: %v", httpx.KindOf(err), err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "hs-shop") || !strings.Contains(msg, "ERROR") || strings.Contains(msg, "wrong-secret") {
		t.Fatalf("error must name the store and the cause, never the password: %v", err)
	}
	if n := f.sb.Recorder().Count(horoshop.PathAuth); n != 1 {
		t.Fatalf("%d login attempts, want 1 (a refusal is not retried)", n)
	}
}

func TestExpiredTokenMidPullCostsExactlyOneRelogin(t *testing.T) {
	f := newFixture(t, 600, 0, 40, password)
	from, to := testNow.Add(-7*24*time.Hour), testNow
	seen, err := f.pull(t, from, to, func(page int) {
		if page == 4 {
			f.sb.Clock().Advance(horoshop.TokenLifetime) // 600 s on the sandbox clock
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	kittest.AssertExact(t, seen, f.want(t, from, to))
	if n := f.sb.Recorder().Count(horoshop.PathAuth); n != 2 {
		t.Fatalf("%d logins, want 2 (the first and one re-login)", n)
	}
	f.sb.ExpireTokens()
	if _, err := f.client.Get(context.Background(), "1001"); err != nil {
		t.Fatal(err)
	}
	if n := f.sb.Recorder().Count(horoshop.PathAuth); n != 3 {
		t.Fatalf("%d logins after ExpireTokens, want 3", n)
	}
}

func TestHTMLAnswerFailsAtOnceNamingTheStore(t *testing.T) {
	f := newFixture(t, 100, 0, 20, password)
	if _, err := f.client.Get(context.Background(), "1001"); err != nil {
		t.Fatal(err)
	}
	f.sb.HTML(true)
	before := f.sb.Recorder().Count("/api/")
	_, err := f.pull(t, testNow.Add(-7*24*time.Hour), testNow, nil)
	if err == nil {
		t.Fatal("an HTML answer passed")
	}
	for _, part := range []string{"store hs-shop", horoshop.PathOrdersGet, "HTML, not JSON", "base_url"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q lacks %q", err, part)
		}
	}
	if n := f.sb.Recorder().Count("/api/") - before; n != 1 {
		t.Errorf("%d requests after the HTML answer, want 1 (no retries)", n)
	}
	// Before any login the auth call meets the page.
	f2 := newFixture(t, 1, 0, 20, password)
	f2.sb.HTML(true)
	_, err = f2.client.Get(context.Background(), "1001")
	if err == nil || !strings.Contains(err.Error(), "store hs-shop: POST /api/auth/") || !strings.Contains(err.Error(), "HTML") {
		t.Fatalf("login against HTML: %v", err)
	}
}

func TestDeletedOrdersMidWalkAreNotLost(t *testing.T) {
	f := newFixture(t, 400, 0, 30, password)
	from, to := testNow.Add(-7*24*time.Hour), testNow
	want := f.want(t, from, to)
	deleted := map[string]bool{}
	seen, err := f.pull(t, from, to, func(page int) {
		if page != 3 && page != 6 {
			return
		}
		// Delete orders already read: every later order moves back.
		for _, id := range []int64{int64(1001 + page*3), int64(1002 + page*3), int64(1010 + page)} {
			if f.sb.DeleteOrder(f.store, id) == nil {
				deleted[strconv.FormatInt(id, 10)] = true
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for id := range deleted {
		if seen[id] == 0 {
			t.Fatalf("order %s was deleted before it was read; the test must delete read ones", id)
		}
	}
	kittest.AssertExact(t, seen, want)
}

func TestFaultsLoseNothing(t *testing.T) {
	from, to := testNow.Add(-7*24*time.Hour), testNow
	sourcetest.ExactUnderFaults(t, from, to, func(t *testing.T, cfg kit.FaultConfig) (source.Orders, map[string]bool, *kit.Faults) {
		f := newFixture(t, 2000, 0, 50, password)
		f.sb.Faults().Set(cfg)
		f.client.Revisit = 0
		return f.client, f.want(t, from, to), f.sb.Faults()
	})
}

func TestGetUpdateStatusesAndCatalog(t *testing.T) {
	f := newFixture(t, 0, 1234, 50, password)
	ctx := context.Background()
	id := f.sb.AddOrder(f.store, func(o *horoshop.Order) { o.StatStatus, o.Payed, o.DeliveryData = 1, false, nil })
	if body := sourcetest.Get(t, f.client, strconv.FormatInt(id, 10), "99999"); !strings.Contains(string(body), `"delivery_name":`) {
		t.Fatalf("get: %s", body)
	}
	paid := horoshop.OrderUpdate{OrderID: id, Status: 6, TrackingCode: "20450000001234"}
	paid.SetPaid(true)
	logs, err := f.client.UpdateOrders(ctx, []horoshop.OrderUpdate{paid, {OrderID: id, Status: 5}, {OrderID: 99999, Status: 2}})
	if err != nil || len(logs) != 3 {
		t.Fatalf("update: %v %+v", err, logs)
	}
	if logs[0].Status != "OK" || logs[1].Status != "ERROR" || !strings.Contains(logs[1].Text(), "status") || logs[2].Status != "ERROR" {
		t.Fatalf("update log: %+v", logs)
	}
	o, _ := f.sb.Order(f.store, id)
	// tracking_code is kept for the buyer's profile, not put into tnNumber
	// (wiki "Updating Orders", https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321).
	if o.StatStatus != 6 || !bool(o.Payed) || f.sb.TrackingCode(f.store, id) != "20450000001234" ||
		(o.DeliveryData != nil && o.DeliveryData.TNNumber != nil) {
		t.Fatalf("after update: status %d, payed %v, tracking %q, delivery %+v", o.StatStatus, o.Payed, f.sb.TrackingCode(f.store, id), o.DeliveryData)
	}
	must(t, f.sb.SetStatus(f.store, id, 4))
	if err := f.sb.SetStatus(f.store, id, 2); err == nil {
		t.Fatal("a cancelled order accepted a change")
	}

	statuses, err := f.client.OrderStatuses(ctx)
	if err != nil || len(statuses) != 5 || statuses[2].ID != 3 || !bool(statuses[2].IsSuccessful) {
		t.Fatalf("statuses: %+v %v", statuses, err)
	}
	opts, err := f.client.Options(ctx)
	if err != nil || len(opts) != 5 || opts[0].Name != "Нове" {
		t.Fatalf("options: %+v %v", opts, err)
	}

	truth := f.sb.Products(f.store)
	var got []string
	calls := f.sb.Recorder().Count(horoshop.PathCatalogExport)
	if err := f.client.Products(ctx, func(recs []source.Record) error {
		for _, r := range recs {
			got = append(got, r.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(truth) || got[0] != truth[0].Article || got[len(got)-1] != truth[len(truth)-1].Article {
		t.Fatalf("catalog: %d products, want %d", len(got), len(truth))
	}
	if n := f.sb.Recorder().Count(horoshop.PathCatalogExport) - calls; n != 3 {
		t.Errorf("%d catalog/export calls for 1234 products, want 3 (500 a call)", n)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The built-in statuses carry the titles of the wiki's
// get_available_statuses example ("Get order statuses",
// https://horoshop.atlassian.net/wiki/x/AgDB4w): 6 is «Надіслане» /
// "Shipping", 4 «Не доставлене» / "Canceled".
func TestBuiltinStatusTitlesAreTheWikis(t *testing.T) {
	want := map[int][2]string{1: {"Нове", "New"}, 2: {"В обробці", "Processing"}, 3: {"Доставлене", "Delivered"},
		4: {"Не доставлене", "Canceled"}, 6: {"Надіслане", "Shipping"}}
	got := horoshop.BuiltinStatuses()
	if len(got) != len(want) {
		t.Fatalf("%d statuses", len(got))
	}
	for _, s := range got {
		if w := want[s.ID]; s.Title["ua"] != w[0] || s.Title["en"] != w[1] || bool(s.IsSuccessful) != (s.ID == 3) {
			t.Errorf("status %d: %v, want %v", s.ID, s.Title, w)
		}
	}
}

func TestProductsByArticleAndPresenceTexts(t *testing.T) {
	f := newFixture(t, 0, 12, 50, password)
	ctx := context.Background()
	truth := f.sb.Products(f.store)
	got, err := f.client.ProductsByArticle(ctx, []string{truth[3].Article, "NO-SUCH", truth[7].Article}, "presence", "quantity")
	if err != nil || len(got) != 2 || got[truth[3].Article].Presence != truth[3].Presence || got[truth[7].Article].Quantity != truth[7].Quantity {
		t.Fatalf("by article: %+v %v", got, err)
	}
	if got[truth[3].Article].Price != "" {
		t.Errorf("includedParams did not narrow the answer: %+v", got[truth[3].Article])
	}
	texts, err := f.client.PresenceTexts(ctx)
	total := 0
	for _, n := range texts {
		total += n
	}
	if err != nil || total != 12 {
		t.Fatalf("presence texts: %v %v", texts, err)
	}
	for _, p := range truth {
		if texts[string(p.Presence)] == 0 {
			t.Errorf("text %q not counted", p.Presence)
		}
	}
}
