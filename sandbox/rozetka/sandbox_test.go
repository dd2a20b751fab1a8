package rozetka

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/kramar/kramar/transforms/timeconv"
)

type fixture struct{ kittest.Served[*Sandbox] }

func newFixture(t testing.TB, opts Options, nOrders, nGoods int, before ...func(*Sandbox)) *fixture {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = kit.NewClock(kittest.Now)
	}
	sb := New(opts)
	for _, f := range before {
		f(sb)
	}
	srv := kittest.Serve(t, sb.Handler())
	f := &fixture{kittest.Served[*Sandbox]{SB: sb, Srv: srv, Store: sb.AddStore("shop@example.com", "s3cret", nOrders, nGoods)}}
	code, env := f.call(t, "POST", "/sites", wire.LoginRequest{Username: "shop@example.com", Password: base64.StdEncoding.EncodeToString([]byte("s3cret"))})
	if code != 200 || !env.Success {
		t.Fatalf("login: %d %+v", code, env.Errors)
	}
	var login wire.Login
	mustDecode(t, env.Content, &login)
	f.Token = login.AccessToken
	return f
}

func mustDecode(t testing.TB, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// call sends one request with the fixture's token and decodes the envelope.
func (f *fixture) call(t testing.TB, method, path string, body any) (int, wire.Envelope) {
	t.Helper()
	code, raw := f.callRaw(t, method, path, body)
	var env wire.Envelope
	mustDecode(t, raw, &env)
	return code, env
}

// callRaw sends one request with the fixture's token and returns the body.
func (f *fixture) callRaw(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	code, _, raw := kittest.Do(t, nil, method, f.Srv.URL+path, kittest.Bearer(nil, f.Token), body)
	return code, raw
}

func (f *fixture) search(t testing.TB, q url.Values) wire.OrderSearch {
	t.Helper()
	code, env := f.call(t, "GET", "/orders/search?"+q.Encode(), nil)
	if code != 200 || !env.Success {
		t.Fatalf("search %v: %d %+v", q, code, env.Errors)
	}
	var res wire.OrderSearch
	mustDecode(t, env.Content, &res)
	return res
}

func TestLoginNeedsBase64Password(t *testing.T) {
	f := newFixture(t, Options{Seed: 1}, 5, 0)
	f.Token = ""
	code, env := f.call(t, "POST", "/sites", wire.LoginRequest{Username: "shop@example.com", Password: "s3cret"})
	if code != 200 || env.Success || env.Errors == nil || env.Errors.Code != 1004 ||
		env.Errors.Message != "incorrect_username_password" || env.Errors.Description == "" {
		t.Fatalf("plain password: %d %+v", code, env.Errors)
	}
	for _, r := range f.SB.Recorder().Requests() {
		if strings.Contains(string(r.Body), "s3cret") || strings.Contains(string(r.Body), base64.StdEncoding.EncodeToString([]byte("s3cret"))) {
			t.Fatal("the recorder kept a password")
		}
	}
}

func TestSessionsExpire(t *testing.T) {
	f := newFixture(t, Options{Seed: 1, TokenTTL: time.Hour}, 5, 0)
	if code, env := f.call(t, "GET", "/orders/search", nil); code != 200 || !env.Success {
		t.Fatalf("fresh session: %d", code)
	}
	f.SB.Clock().Advance(time.Hour)
	code, env := f.call(t, "GET", "/orders/search", nil)
	if code != 401 || env.Success || env.Errors.Code != 6001 || env.Errors.Message != "session_expired" {
		t.Fatalf("expired session: %d %+v", code, env.Errors)
	}
	f.SB.AddToken(f.Store, "static-token")
	f.Token = "static-token"
	f.SB.ExpireTokens() // ends sessions, not API tokens
	if code, _ := f.call(t, "GET", "/orders/search", nil); code != 200 {
		t.Fatalf("static token after ExpireTokens: %d", code)
	}
}

func TestSearchPagesFiltersAndExpand(t *testing.T) {
	f := newFixture(t, Options{Seed: 3}, 250, 0)
	truth := f.SB.Orders(f.Store)
	from, to := "2026-07-29 00:00:00", "2026-07-31 23:59:59"
	want := map[int64]bool{}
	for _, o := range truth {
		if o.Changed >= from && o.Changed <= to {
			want[o.ID] = true
		}
	}
	q := url.Values{"changed_from": {from}, "changed_to": {to}, "expand": {"purchases,user"}}
	first := f.search(t, q)
	if first.Meta.TotalCount != len(want) || first.Meta.PerPage != 20 || first.Meta.PageCount != (len(want)+19)/20 {
		t.Fatalf("meta %+v for %d orders", first.Meta, len(want))
	}
	got := map[int64]bool{}
	var last int64
	for p := 1; p <= first.Meta.PageCount; p++ {
		q.Set("page", strconv.Itoa(p))
		for _, raw := range f.search(t, q).Orders {
			var o struct {
				ID        int64           `json:"id"`
				Delivery  json.RawMessage `json:"delivery"`
				Payment   json.RawMessage `json:"payment"`
				Purchases []wire.Purchase `json:"purchases"`
				User      *wire.User      `json:"user"`
			}
			mustDecode(t, raw, &o)
			if o.ID <= last {
				t.Fatalf("ids not ascending: %d after %d", o.ID, last)
			}
			last = o.ID
			if string(o.Delivery) != "null" || o.Payment != nil || len(o.Purchases) == 0 || o.User == nil {
				t.Fatalf("expand not honoured: %s", raw)
			}
			if o.User.Email != "true" && o.User.Email != "" {
				t.Fatalf("user.email %q", o.User.Email)
			}
			got[o.ID] = true
		}
	}
	if len(got) != len(want) {
		t.Fatalf("paged %d orders, want %d", len(got), len(want))
	}
	// Validation: bad dates are an error with the header, an empty list without.
	bad := url.Values{"changed_from": {"29.07.2026"}}
	if res := f.search(t, bad); len(res.Orders) != 0 {
		t.Fatalf("bad filter without validation gave %d orders", len(res.Orders))
	}
	_, _, raw := kittest.Do(t, nil, "GET", f.Srv.URL+"/orders/search?"+bad.Encode(), kittest.Bearer(http.Header{"Accept-Validate-Exception": {"1"}}, f.Token), nil)
	if !strings.Contains(string(raw), `"success":false`) || !strings.Contains(string(raw), `"code":1002`) {
		t.Fatalf("validated bad filter: %s", raw)
	}
}

func TestGeneratedOrdersLookLikeRozetka(t *testing.T) {
	f := newFixture(t, Options{Seed: 9}, 2000, 300)
	var another, ff, buyerCancel, nullTTN int
	for _, o := range f.SB.Orders(f.Store) {
		if o.Delivery.AnotherRecipient {
			another++
			if o.Delivery.RecipientPhone == o.UserPhone {
				t.Fatalf("order %d: another recipient with the buyer's phone", o.ID)
			}
		}
		if o.RecipientPhone != o.Delivery.RecipientPhone {
			t.Fatalf("order %d: order-level recipient differs from delivery", o.ID)
		}
		if o.IsFulfillment {
			ff++
		}
		if o.Status == 45 || o.Status == 40 {
			buyerCancel++
		}
		if len(o.Purchases) < 1 || len(o.Purchases) > 3 || o.Purchases[0].Item.PriceOfferID == "" {
			t.Fatalf("order %d purchases %+v", o.ID, o.Purchases)
		}
		if !strings.HasSuffix(string(o.Amount), "0") || strings.Count(string(o.Amount), ".") != 1 {
			t.Fatalf("amount %q", o.Amount)
		}
		if raw := f.SB.OrderJSON(f.Store, o.ID, ""); bytes.Contains(raw, []byte(`"ttn":null`)) {
			nullTTN++
		}
	}
	for name, n := range map[string]int{"another recipient": another, "fulfillment": ff, "buyer cancels": buyerCancel, "null ttn": nullTTN} {
		if n == 0 {
			t.Errorf("no %s among 2000 orders", name)
		}
	}
	if another < 450 || another > 750 {
		t.Errorf("%d of 2000 orders with another recipient, want ~30%%", another)
	}
	g := New(Options{Seed: 9, Clock: kit.NewClock(kittest.Now)})
	id := g.AddStore("shop@example.com", "s3cret", 2000, 300)
	if !bytes.Equal(g.OrderJSON(id, f.SB.Orders(f.Store)[77].ID, "delivery,purchases"), f.SB.OrderJSON(f.Store, f.SB.Orders(f.Store)[77].ID, "delivery,purchases")) {
		t.Error("the same seed gave different data")
	}
}

func TestNaivePagerLosesOrdersWhenTheSetShifts(t *testing.T) {
	f := newFixture(t, Options{Seed: 4}, 300, 0)
	to := f.SB.Clock().Now()
	f.SB.Clock().Advance(time.Minute) // changes during the pull land after `to`
	q := url.Values{"changed_from": {"2026-07-20 00:00:00"}, "changed_to": {timeconv.FormatKyiv(to, wire.TimeLayout)}}
	want := f.search(t, q).Meta.TotalCount
	if err := f.SB.ShiftDuringPull(f.Store, 3); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	pages := 0
	for p := 1; pages == 0 || p <= pages; p++ {
		q.Set("page", strconv.Itoa(p))
		res := f.search(t, q)
		if p == 1 {
			pages = res.Meta.PageCount
		}
		for _, raw := range res.Orders {
			id, _ := strconv.ParseInt(string(mustPeek(t, raw)), 10, 64)
			seen[id] = true
		}
	}
	if lost := want - len(seen); lost != 3 {
		t.Fatalf("naive pager saw %d of %d orders; a shift of 3 should lose exactly 3", len(seen), want)
	}
}

func mustPeek(t testing.TB, raw []byte) []byte {
	var o struct {
		ID json.Number `json:"id"`
	}
	mustDecode(t, raw, &o)
	return []byte(o.ID)
}

func TestUpdateFollowsTheRules(t *testing.T) {
	f := newFixture(t, Options{Seed: 5}, 0, 10)
	id := f.SB.AddOrder(f.Store, func(o *wire.Order) { o.Status, o.TTN, o.SellerComment = stNew, "", nil })
	put := func(u wire.UpdateOrder) wire.Envelope {
		_, env := f.call(t, "PUT", "/orders/"+strconv.FormatInt(id, 10)+"?expand=status_data", u)
		return env
	}
	if env := put(wire.UpdateOrder{Status: stDone}); env.Success || env.Errors.Code != 1005 {
		t.Fatalf("1 → 6 allowed: %+v", env.Errors)
	}
	if env := put(wire.UpdateOrder{Status: stShipped}); env.Success || env.Errors.Code != 1001 {
		t.Fatalf("3 without a TTN allowed: %+v", env.Errors)
	}
	f.SB.Clock().Advance(time.Hour)
	env := put(wire.UpdateOrder{Status: stPacking, TTN: "20450000000001", SellerComment: "відправлено"})
	if !env.Success {
		t.Fatalf("2 with TTN refused: %+v", env.Errors)
	}
	var o wire.Order
	mustDecode(t, env.Content, &o)
	if o.Status != stHandover || o.StatusData == nil || o.StatusData.ID != stHandover || o.TTN != "20450000000001" ||
		len(o.SellerComment) != 1 || o.Changed != timeconv.FormatKyiv(f.SB.Clock().Now(), wire.TimeLayout) {
		t.Fatalf("after 2+TTN: status %d ttn %q comments %d changed %s", o.Status, o.TTN, len(o.SellerComment), o.Changed)
	}
	if err := f.SB.SetStatus(f.Store, id, 45); err == nil {
		t.Fatal("61 → 45 (a buyer's cancel) allowed to the seller")
	}
	// The order has a TTN now, yet 3 still needs one in the body (the
	// apidoc's PUT /orders/{id}: ttn is required with 3 and 61).
	if env := put(wire.UpdateOrder{Status: stShipped}); env.Success || env.Errors.Code != 1001 {
		t.Fatalf("3 without a TTN in the body allowed: %+v", env.Errors)
	}
	if env := put(wire.UpdateOrder{Status: stShipped, TTN: "20450000000002"}); !env.Success {
		t.Fatalf("61 → 3 with a TTN refused: %+v", env.Errors)
	}
	if o, _ := f.SB.Order(f.Store, id); o.Status != stShipped || o.TTN != "20450000000002" {
		t.Fatalf("after 3+TTN: status %d ttn %q", o.Status, o.TTN)
	}
	if env := put(wire.UpdateOrder{Status: stPacking, TTN: "20450000000003"}); env.Success || env.Errors.Code != 1005 {
		t.Fatalf("3 → 2 allowed: %+v", env.Errors)
	}
	if _, env := f.call(t, "GET", "/orders/999", nil); env.Success || env.Errors.Code != 1019 {
		t.Fatalf("missing order: %+v", env.Errors)
	}

	ff := f.SB.AddOrder(f.Store, func(o *wire.Order) { o.Status, o.IsFulfillment, o.FFCanApprove = stNew, true, true })
	path := "/orders/approve-ff-order/" + strconv.FormatInt(ff, 10)
	if _, env := f.call(t, "POST", path, nil); !env.Success {
		t.Fatalf("approve: %+v", env.Errors)
	}
	if _, env := f.call(t, "POST", path, nil); env.Success {
		t.Fatal("approved twice")
	}
}

func TestReferenceListsAndGoods(t *testing.T) {
	f := newFixture(t, Options{Seed: 6}, 0, 250)
	var all []wire.OrderStatus
	for p := 1; ; p++ {
		_, env := f.call(t, "GET", "/order-statuses/search?page="+strconv.Itoa(p), nil)
		var l wire.OrderStatusList
		mustDecode(t, env.Content, &l)
		all = append(all, l.OrderStatus...)
		if p >= l.Meta.PageCount {
			break
		}
	}
	if len(all) != len(statusTable) || len(all) < 70 {
		t.Fatalf("%d statuses served, table has %d", len(all), len(statusTable))
	}
	for _, s := range all {
		if s.NameUK == "" || s.StatusGroup < 1 || s.StatusGroup > 3 {
			t.Fatalf("status %+v", s)
		}
	}
	_, env := f.call(t, "GET", "/goods/all?pageSize=100&page=3", nil)
	var g wire.GoodsList
	mustDecode(t, env.Content, &g)
	if g.Count != 250 || len(g.Items) != 50 || g.Meta.PageCount != 3 {
		t.Fatalf("goods page 3: count %d items %d meta %+v", g.Count, len(g.Items), g.Meta)
	}
}

func TestKyivWallFiltersAcrossDST(t *testing.T) {
	f := newFixture(t, Options{Seed: 7, Clock: kit.NewClock(time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC))}, 0, 5)
	// 03:30 happens twice on 2026-10-25; the filter compares wall clocks.
	id := f.SB.AddOrder(f.Store, func(o *wire.Order) { o.Created, o.Changed = "2026-10-25 03:30:00", "2026-10-25 03:30:00" })
	for _, c := range []struct {
		from, to string
		hit      bool
	}{{"2026-10-25 03:30:00", "2026-10-25 03:30:00", true}, {"2026-10-25 03:30:01", "2026-10-25 04:00:00", false}, {"2026-10-25", "2026-10-25", true}} {
		res := f.search(t, url.Values{"created_from": {c.from}, "created_to": {c.to}})
		if hit := len(res.Orders) == 1 && strings.Contains(string(res.Orders[0]), strconv.FormatInt(id, 10)); hit != c.hit {
			t.Errorf("[%s, %s]: found=%v, want %v", c.from, c.to, hit, c.hit)
		}
	}
}

// BenchmarkSeeding is the seeding of a large shop, which the catalog and
// order benchmarks wait for before they measure anything.
func BenchmarkSeeding(b *testing.B) {
	for b.Loop() {
		s := New(Options{Seed: 1, Clock: kit.NewClock(kittest.Now)})
		s.AddStore("big", "pw", 10_000, 50_000)
	}
}

func TestStatusAvailableExpandFollowsTheStatus(t *testing.T) {
	f := newFixture(t, Options{Seed: 7}, 0, 5)
	id := f.SB.AddOrder(f.Store, func(o *wire.Order) { o.Status = stPacking })
	read := func() wire.Order {
		_, env := f.call(t, "GET", "/orders/"+strconv.FormatInt(id, 10)+"?expand=status_available", nil)
		var o wire.Order
		mustDecode(t, env.Content, &o)
		return o
	}
	children := func(o wire.Order) map[int]bool {
		out := map[int]bool{}
		for _, e := range o.StatusAvailable {
			if e.ParentID != o.Status {
				t.Fatalf("edge %+v does not start at %d", e, o.Status)
			}
			out[e.ChildID] = true
		}
		return out
	}
	if c := children(read()); !c[stHandover] || !c[stShipped] || c[stDone] || !c[42] {
		t.Fatalf("from 2: %v", c)
	}
	if err := f.SB.Update(f.Store, id, wire.UpdateOrder{Status: stShipped, TTN: "20450000000004"}); err != nil {
		t.Fatal(err)
	}
	if c := children(read()); len(c) != 1 || !c[stDone] {
		t.Fatalf("from 3: %v", c)
	}
	if err := f.SB.SetStatus(f.Store, id, stDone); err != nil {
		t.Fatal(err)
	}
	if o := read(); o.StatusAvailable == nil || len(o.StatusAvailable) != 0 {
		t.Fatalf("from 6: %+v, want an empty list", o.StatusAvailable)
	}
	if raw := f.SB.OrderJSON(f.Store, id, ""); bytes.Contains(raw, []byte("status_available")) {
		t.Fatal("status_available sent without being asked for")
	}
}

func TestMassUpdateSetsStock(t *testing.T) {
	f := newFixture(t, Options{Seed: 8}, 0, 30)
	goods := f.SB.Goods(f.Store)
	a, b := goods[3], goods[17]
	stock := func(n int) *int { return &n }
	put := func(items ...massItem) (int, []byte) {
		return f.callRaw(t, "PUT", "/items/mass-update", map[string]any{"isIgnoreCheck": 0, "items": items})
	}
	// A batch with a refused item is refused item by item and applies nothing.
	code, raw := put(massItem{a.RzItemID, stock(a.StockQuantity + 7)}, massItem{42, stock(1)}, massItem{b.RzItemID, stock(-1)})
	var failed wire.ItemErrorsEnvelope
	mustDecode(t, raw, &failed)
	if code != 200 || failed.Success || len(failed.Errors) != 2 ||
		failed.Errors[42].Reason[0].ID != reasonUnknownItem || failed.Errors[b.RzItemID].Reason[0].ID != reasonBadStock {
		t.Fatalf("refusal: %d %s", code, raw)
	}
	if g := f.SB.Goods(f.Store); g[3].StockQuantity != a.StockQuantity {
		t.Fatalf("a refused batch changed stock: %d → %d", a.StockQuantity, g[3].StockQuantity)
	}
	code, raw = put(massItem{a.RzItemID, stock(a.StockQuantity + 7)}, massItem{b.RzItemID, stock(0)})
	if code != 200 || string(raw) != `{"success":true,"content":null}` {
		t.Fatalf("update: %d %s", code, raw)
	}
	// Visible through /goods/all.
	_, env := f.call(t, "GET", "/goods/all?pageSize=0", nil)
	var list wire.GoodsList
	mustDecode(t, env.Content, &list)
	got := map[int64]wire.GoodsItem{}
	for _, r := range list.Items {
		var g wire.GoodsItem
		mustDecode(t, r, &g)
		got[g.RzItemID] = g
	}
	if g := got[a.RzItemID]; g.StockQuantity != a.StockQuantity+7 {
		t.Fatalf("item a: stock %d, want %d", g.StockQuantity, a.StockQuantity+7)
	}
	if g := got[b.RzItemID]; g.StockQuantity != 0 || (b.Available != 2 && g.Available != 0) {
		t.Fatalf("item b: stock %d available %d", g.StockQuantity, g.Available)
	}
	if g := got[goods[4].RzItemID]; g.StockQuantity != goods[4].StockQuantity {
		t.Fatal("an item not in the batch changed")
	}
	if code, raw := put(); code != 200 || !bytes.Contains(raw, []byte(`"code":1001`)) {
		t.Fatalf("empty batch: %d %s", code, raw)
	}
}

// Goods carry one to three photos, the main one first, each with its
// preview, as a catalog row keeps them all.
func TestGoodsHaveSeveralPhotos(t *testing.T) {
	f := newFixture(t, Options{Seed: 3}, 0, 6)
	_, env := f.call(t, "GET", "/goods/all?pageSize=0", nil)
	var list wire.GoodsList
	mustDecode(t, env.Content, &list)
	counts := map[int]int{}
	for _, r := range list.Items {
		var g wire.GoodsItem
		mustDecode(t, r, &g)
		if len(g.Photo) == 0 || len(g.Photo) != len(g.PhotoPreview) || strings.Contains(g.Photo[0], "_") {
			t.Fatalf("item %d: photo %q, preview %q", g.RzItemID, g.Photo, g.PhotoPreview)
		}
		for k, p := range g.Photo {
			if g.PhotoPreview[k] != strings.Replace(p, "/original/", "/preview/", 1) {
				t.Errorf("item %d: preview %q of %q", g.RzItemID, g.PhotoPreview[k], p)
			}
		}
		counts[len(g.Photo)]++
	}
	if len(list.Items) != 6 || counts[1] != 2 || counts[2] != 2 || counts[3] != 2 {
		t.Fatalf("%d items, photos per item %v", len(list.Items), counts)
	}
}
