package prom

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/shopspring/decimal"
)

type fixture struct {
	sb   *Sandbox
	srv  *httptest.Server
	api  string // base URL + APIPath
	http *http.Client
}

func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = kit.NewClock(kittest.Now)
	}
	sb := New(opts)
	srv := kittest.Serve(t, sb.Handler())
	return &fixture{sb: sb, srv: srv, api: srv.URL + APIPath, http: srv.Client()}
}

// call sends one request and returns status, headers and body.
func (f *fixture) call(t testing.TB, method, token, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	return f.callIn(t, "", method, token, path, body)
}

// callIn is call with X-LANGUAGE: lang ("" = no header).
func (f *fixture) callIn(t testing.TB, lang, method, token, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	h := http.Header{}
	if lang != "" {
		h.Set(wire.LanguageHeader, lang)
	}
	return kittest.Do(t, f.http, method, f.srv.URL+path, kittest.Bearer(h, token), body)
}

// list fetches one /orders/list page and returns the raw orders.
func (f *fixture) list(t testing.TB, token string, params url.Values) []json.RawMessage {
	t.Helper()
	code, _, body := f.call(t, "GET", token, APIPath+"/orders/list?"+params.Encode(), nil)
	if code != http.StatusOK {
		t.Fatalf("list %v: %d %s", params, code, body)
	}
	var page wire.OrderList
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("list %v: %v", params, err)
	}
	return page.Orders
}

func rawID(t testing.TB, raw json.RawMessage) int64 {
	t.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

func pageIDs(t testing.TB, page []json.RawMessage) []int64 {
	ids := make([]int64, len(page))
	for i, r := range page {
		ids[i] = rawID(t, r)
	}
	return ids
}

// walk pages by last_id the way a client should, de-duplicating the boundary.
// A page with nothing new is the end only if it repeats: under a
// DuplicatePage fault it is the previous page again, so ask once more.
func (f *fixture) walk(t testing.TB, token string, extra url.Values) []int64 {
	t.Helper()
	var all []int64
	seen := map[int64]bool{}
	q := url.Values{"limit": {"100"}}
	for k, v := range extra {
		q[k] = v
	}
	stale := 0
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			t.Fatal("paging does not end")
		}
		ids := pageIDs(t, f.list(t, token, q))
		fresh := 0
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
				fresh++
			}
		}
		if fresh == 0 {
			if stale++; stale > 3 {
				return all
			}
			continue
		}
		stale = 0
		q.Set("last_id", strconv.FormatInt(ids[len(ids)-1], 10))
	}
}

// kopecks parses every money form the sandbox writes; more than two decimals fail.
func kopecks(s string) (int64, error) {
	clean := strings.ReplaceAll(strings.TrimSuffix(s, " грн"), " ", "")
	clean = strings.Replace(clean, ",", ".", 1)
	d, err := decimal.NewFromString(clean)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	k := d.Shift(2)
	if !k.IsInteger() {
		return 0, fmt.Errorf("%q is not whole kopecks", s)
	}
	return k.IntPart(), nil
}

func orderTime(t testing.TB, s string) time.Time {
	t.Helper()
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC()
		}
	}
	t.Fatalf("bad order time %q", s)
	return time.Time{}
}

func TestPagingWalksEveryOrderOnce(t *testing.T) {
	f := newFixture(t, Options{Seed: 7})
	f.sb.AddStore("tok-a", 1037)
	f.sb.AddStore("tok-b", 20)

	first := pageIDs(t, f.list(t, "tok-a", url.Values{"limit": {"100"}}))
	second := pageIDs(t, f.list(t, "tok-a", url.Values{"limit": {"100"}, "last_id": {strconv.FormatInt(first[99], 10)}}))
	if second[0] != first[99] {
		t.Fatalf("last_id must be inclusive: page 2 starts at %d, page 1 ended at %d", second[0], first[99])
	}

	got := f.walk(t, "tok-a", nil)
	var want []int64
	for _, o := range f.sb.Orders(f.sb.StoreID("tok-a")) {
		want = append(want, o.ID)
	}
	slices.Reverse(want) // desc by id is the default
	if !slices.Equal(got, want) {
		t.Fatalf("walk returned %d ids, truth has %d (first diff near %v)", len(got), len(want), firstDiff(got, want))
	}
	if n := len(f.walk(t, "tok-b", nil)); n != 20 {
		t.Fatalf("store b walk gave %d orders", n)
	}

	asc := pageIDs(t, f.list(t, "tok-a", url.Values{"sort_dir": {"asc"}, "limit": {"5"}}))
	if !slices.Equal(asc, slices.Sorted(slices.Values(want))[:5]) {
		t.Fatalf("asc page %v", asc)
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestFiltersAreInclusiveToTheSecond(t *testing.T) {
	f := newFixture(t, Options{Seed: 3})
	f.sb.AddStore("tok", 500)
	truth := f.sb.Orders(f.sb.StoreID("tok"))
	target := truth[250]
	mod := orderTime(t, target.DateModified).Truncate(time.Second)
	created := orderTime(t, target.DateCreated).Truncate(time.Second)
	at := func(tm time.Time) string { return tm.Format(wire.TimeLayout) }

	ids := pageIDs(t, f.list(t, "tok", url.Values{"last_modified_from": {at(mod)}, "last_modified_to": {at(mod)}}))
	if !slices.Contains(ids, target.ID) {
		t.Fatalf("order modified at %s missing from [%s, %s]", target.DateModified, at(mod), at(mod))
	}
	ids = pageIDs(t, f.list(t, "tok", url.Values{"last_modified_from": {at(mod.Add(time.Second))}, "last_modified_to": {at(mod.Add(time.Hour))}}))
	if slices.Contains(ids, target.ID) {
		t.Fatal("order returned although modified before last_modified_from")
	}
	ids = pageIDs(t, f.list(t, "tok", url.Values{"date_from": {at(created)}, "date_to": {at(created)}}))
	if !slices.Contains(ids, target.ID) {
		t.Fatal("date_from/date_to are not inclusive")
	}

	// A window of a day against the truth, independently computed.
	from, to := mod.Add(-12*time.Hour), mod.Add(12*time.Hour)
	var want []int64
	for _, o := range truth {
		m := orderTime(t, o.DateModified).Truncate(time.Second)
		if !m.Before(from) && !m.After(to) && o.Status == "delivered" {
			want = append(want, o.ID)
		}
	}
	slices.Reverse(want)
	got := f.walk(t, "tok", url.Values{"last_modified_from": {at(from)}, "last_modified_to": {at(to)}, "status": {"delivered"}})
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("window gave %d orders, want %d", len(got), len(want))
	}
}

func TestChangesBumpDateModified(t *testing.T) {
	clock := kit.NewClock(kittest.Now)
	f := newFixture(t, Options{Seed: 5, Clock: clock})
	f.sb.AddStore("tok", 50)
	id := f.sb.Orders(f.sb.StoreID("tok"))[10].ID

	steps := []struct {
		name  string
		apply func() error
		check func(o wire.Order) bool
	}{
		{"status", func() error { return f.sb.SetStatus("tok", id, "cancelled") }, func(o wire.Order) bool {
			return o.Status == "canceled" && o.StatusName == "Скасоване" && o.Cancellation != nil
		}},
		{"payment", func() error { return f.sb.SetPayment("tok", id, "refunded") }, func(o wire.Order) bool {
			return o.PaymentData != nil && o.PaymentData.Status == "refunded"
		}},
		{"ttn", func() error { return f.sb.SetTTN("tok", id, "20450123456789") }, func(o wire.Order) bool {
			return o.DeliveryProviderData != nil && o.DeliveryProviderData.DeclarationNumber == "20450123456789"
		}},
	}
	for _, st := range steps {
		clock.Advance(time.Hour)
		if err := st.apply(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		o, _ := f.sb.Order(f.sb.StoreID("tok"), id)
		if !st.check(o) || !orderTime(t, o.DateModified).Equal(clock.Now()) {
			t.Fatalf("%s: order after change %+v", st.name, o)
		}
		// The API serves the change, and a modified-since query finds it.
		from := clock.Now().Format(wire.TimeLayout)
		ids := pageIDs(t, f.list(t, "tok", url.Values{"last_modified_from": {from}}))
		if !slices.Equal(ids, []int64{id}) {
			t.Fatalf("%s: modified since %s = %v", st.name, from, ids)
		}
		_, _, body := f.callIn(t, "uk", "GET", "tok", APIPath+"/orders/"+strconv.FormatInt(id, 10), nil)
		var env struct{ Order wire.Order }
		if err := json.Unmarshal(body, &env); err != nil || !st.check(env.Order) {
			t.Fatalf("%s: /orders/{id} = %s (%v)", st.name, body, err)
		}
	}
	if err := f.sb.SetStatus("tok", 1, "paid"); !errors.Is(err, errNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if err := f.sb.SetStatus("tok", id, "shipped"); err == nil {
		t.Fatal("unknown status accepted")
	}

	clock.Advance(time.Minute)
	newID := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "pending"; o.ID = 1 })
	last := f.sb.Orders(f.sb.StoreID("tok"))[50]
	if newID != last.ID || newID <= id || last.Status != "pending" || last.StatusName != "Нове" ||
		!orderTime(t, last.DateCreated).Equal(clock.Now()) {
		t.Fatalf("AddOrder gave %d, last order %+v", newID, last)
	}
}

func TestSetStatusAndDeclarationEndpoints(t *testing.T) {
	f := newFixture(t, Options{Seed: 11})
	f.sb.AddStore("tok", 0)
	pending := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "pending" })
	done := f.sb.AddOrder("tok", func(o *wire.Order) { o.Status = "delivered" })

	bad := []map[string]any{
		{"ids": []int64{pending}, "status": "canceled"},
		{"ids": []int64{pending}, "status": "canceled", "cancellation_reason": "price_changed"},
		{"ids": []int64{pending}, "status": "received", "cancellation_reason": "duplicate"},
		{"ids": []int64{pending}, "status": "shipped"},
		{"ids": []int64{}, "status": "received"},
	}
	for _, body := range bad {
		code, _, resp := f.call(t, "POST", "tok", APIPath+"/orders/set_status", body)
		if code != http.StatusBadRequest || !strings.Contains(string(resp), `"error"`) {
			t.Fatalf("%v: %d %s", body, code, resp)
		}
	}
	code, _, resp := f.call(t, "POST", "tok", APIPath+"/orders/set_status",
		map[string]any{"ids": []int64{pending, done, 42}, "status": "cancelled", "cancellation_reason": "another", "cancellation_text": "Клієнт передумав"})
	var out struct {
		Processed    []int64 `json:"processed_ids"`
		NotProcessed []int64 `json:"not_processed_ids"`
	}
	if err := json.Unmarshal(resp, &out); err != nil || code != 200 ||
		!slices.Equal(out.Processed, []int64{pending}) || !slices.Equal(out.NotProcessed, []int64{done, 42}) {
		t.Fatalf("set_status: %d %s", code, resp)
	}
	o, _ := f.sb.Order(f.sb.StoreID("tok"), pending)
	if o.Status != "canceled" || o.Cancellation == nil || o.Cancellation.Title != "Клієнт передумав" {
		t.Fatalf("order after cancel: %+v", o)
	}

	code, _, resp = f.call(t, "POST", "tok", APIPath+"/delivery/save_declaration_id",
		map[string]any{"order_id": done, "declaration_id": "20450999888777", "delivery_type": "nova_poshta"})
	if code != 200 || string(resp) != `{"status":"success"}` {
		t.Fatalf("save_declaration_id: %d %s", code, resp)
	}
	if o, _ := f.sb.Order(f.sb.StoreID("tok"), done); o.DeliveryProviderData == nil || o.DeliveryProviderData.DeclarationNumber != "20450999888777" {
		t.Fatalf("TTN not saved: %+v", o.DeliveryProviderData)
	}
	// Input errors are HTTP 200 with "status":"error", as Prom answers them
	// (the live-verified integration with attach_prom_declaration_id).
	doneID := strconv.FormatInt(done, 10)
	for body, want := range map[string]string{
		`{"order_id":1,"declaration_id":"20450999888777","delivery_type":"nova_poshta"}`:         `404 {"error":"Order not found"}`,
		`{"order_id":` + doneID + `,"declaration_id":"x","delivery_type":"nova_poshta"}`:         `200 {"status":"error","message":"invalid declaration_id \"x\""}`,
		`{"order_id":` + doneID + `,"declaration_id":"20450999888777","delivery_type":"pigeon"}`: `200 {"status":"error","message":"invalid delivery_type \"pigeon\""}`,
		`{"declaration_id":"20450999888777","delivery_type":"nova_poshta"}`:                      `200 {"status":"error","message":"order_id is required"}`,
	} {
		code, _, resp := f.call(t, "POST", "tok", APIPath+"/delivery/save_declaration_id", json.RawMessage(body))
		if got := strconv.Itoa(code) + " " + string(resp); got != want {
			t.Fatalf("%s:\n got %s\nwant %s", body, got, want)
		}
	}
	if n := f.sb.Recorder().Count(APIPath + "/orders/set_status"); n != len(bad)+1 {
		t.Fatalf("recorded %d set_status calls", n)
	}
}

func TestRevokedAndUnknownTokens(t *testing.T) {
	f := newFixture(t, Options{Seed: 1})
	f.sb.AddStore("live", 5)
	f.sb.AddStore("gone", 5)
	f.sb.Revoke("gone")
	for _, tok := range []string{"gone", "nope", ""} {
		code, _, body := f.call(t, "GET", tok, APIPath+"/orders/list", nil)
		var e wire.ErrorBody
		if code != http.StatusUnauthorized || json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Fatalf("token %q: %d %s", tok, code, body)
		}
	}
	if code, _, _ := f.call(t, "GET", "live", APIPath+"/orders/list", nil); code != 200 {
		t.Fatalf("live token answered %d", code)
	}
	if len(f.sb.Orders(f.sb.StoreID("gone"))) != 5 {
		t.Fatal("revoking lost the store's truth")
	}
	for _, r := range f.sb.Recorder().Requests() {
		if strings.Contains(r.RawQuery+string(r.Body)+r.Store, "live") || strings.Contains(r.RawQuery+r.Store, "gone") {
			t.Fatalf("recorder holds a token: %+v", r)
		}
	}
	// The recorder files a request after its answer is written, so the
	// client may see the answer first: wait for the entry.
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		reqs := f.sb.Recorder().Requests()
		if last := reqs[len(reqs)-1]; last.Status == http.StatusOK {
			if last.Store != "store-1" {
				t.Fatalf("the live token's request is filed under store %q", last.Store)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the live token's request was never recorded")
		}
	}
}

func TestMalformedOrderInListPage(t *testing.T) {
	f := newFixture(t, Options{Seed: 2})
	f.sb.AddStore("tok", 30)
	badPrice := f.sb.AddMalformed("tok")
	badQty := f.sb.AddMalformed("tok")
	page := f.list(t, "tok", url.Values{"limit": {"10"}})
	if len(page) != 10 {
		t.Fatalf("page of %d", len(page))
	}
	rejected := map[int64]bool{}
	for _, raw := range page {
		var o wire.Order
		if err := json.Unmarshal(raw, &o); err != nil {
			rejected[rawID(t, raw)] = true
			continue
		}
		if _, err := kopecks(o.Price); err != nil {
			rejected[o.ID] = true
		}
	}
	if !reflect.DeepEqual(rejected, map[int64]bool{badPrice: true, badQty: true}) {
		t.Fatalf("rejected %v, want exactly %d and %d", rejected, badPrice, badQty)
	}
	if !strings.Contains(string(page[0]), `"quantity":"abc"`) {
		t.Fatalf("newest order should carry the broken quantity: %s", page[0])
	}
	// The control API serves the same bytes.
	code, _, body := f.call(t, "GET", "tok", "/_sandbox/orders/"+strconv.FormatInt(badQty, 10), nil)
	if code != 200 || !strings.Contains(string(body), `"quantity":"abc"`) {
		t.Fatalf("control order: %d %s", code, body)
	}
}

func TestFaultsObservable(t *testing.T) {
	f := newFixture(t, Options{Seed: 9})
	f.sb.AddStore("tok", 300)
	all := f.sb.Orders(f.sb.StoreID("tok"))
	cursor := all[200].ID // a desc walk has already seen everything above it
	next := url.Values{"limit": {"50"}, "last_id": {strconv.FormatInt(cursor, 10)}}
	clean := pageIDs(t, f.list(t, "tok", next))
	only := func(k kit.Kind) {
		f.sb.Faults().Set(kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{k}, MaxWait: 5 * time.Second})
	}

	only(kit.TooManyRequests)
	code, hdr, body := f.call(t, "GET", "tok", APIPath+"/orders/list", nil)
	if code != 429 || hdr.Get("Retry-After") != "1" || !json.Valid(body) {
		t.Fatalf("429: %d %q %s", code, hdr.Get("Retry-After"), body)
	}
	// Control endpoints are never faulted.
	if code, _, _ := f.call(t, "GET", "tok", "/_sandbox/orders", nil); code != 200 {
		t.Fatalf("control answered %d under faults", code)
	}

	only(kit.ServerError)
	if code, _, _ := f.call(t, "GET", "tok", APIPath+"/orders/list", nil); code < 500 || code > 503 {
		t.Fatalf("5xx: %d", code)
	}

	only(kit.Truncated)
	code, _, body = f.call(t, "GET", "tok", APIPath+"/orders/list?"+next.Encode(), nil)
	if code != 200 || json.Valid(body) || len(body) == 0 {
		t.Fatalf("truncated: %d valid=%v len=%d", code, json.Valid(body), len(body))
	}

	only(kit.Timeout)
	client := &http.Client{Timeout: 150 * time.Millisecond}
	if _, err := client.Get(f.api + "/orders/list"); err == nil {
		t.Fatal("timeout fault answered in time")
	}

	only(kit.DuplicatePage)
	dup := pageIDs(t, f.list(t, "tok", next))
	var prev []int64
	for i := 200; i < 250; i++ {
		prev = append(prev, all[i].ID)
	}
	slices.Reverse(prev)
	if !slices.Equal(dup, prev) {
		t.Fatalf("duplicate page %v…, want the previous page %v…", dup[:3], prev[:3])
	}
	first := pageIDs(t, f.list(t, "tok", url.Values{"limit": {"50"}}))
	if first[0] != all[len(all)-1].ID {
		t.Fatal("a first page (no cursor) must not be bent")
	}

	only(kit.ShiftPage)
	shifted := pageIDs(t, f.list(t, "tok", next))
	k := slices.Index(shifted, clean[0])
	if k < 1 || k > 5 || len(shifted) != 50 || !slices.Equal(shifted[k:], clean[:50-k]) {
		t.Fatalf("shift page %v vs clean %v", shifted[:8], clean[:8])
	}
	for _, id := range shifted[:k] {
		if id <= cursor {
			t.Fatalf("shift repeated %d, which the client has not seen", id)
		}
	}

	// A walk under every page fault still yields every order exactly once.
	f.sb.Faults().Set(kit.FaultConfig{Rate: 0.5, Kinds: []kit.Kind{kit.DuplicatePage, kit.ShiftPage}, Seed: 4})
	got := f.walk(t, "tok", nil)
	if len(got) != len(all) {
		t.Fatalf("faulted walk gave %d of %d", len(got), len(all))
	}
	c := f.sb.Faults().Counts()
	if c[kit.DuplicatePage] == 0 || c[kit.ShiftPage] == 0 {
		t.Fatalf("counts %v", c)
	}
}

func TestDeterministicPerSeed(t *testing.T) {
	gen := func(seed int64) []wire.Order {
		s := New(Options{Seed: seed, Clock: kit.NewClock(kittest.Now)})
		s.AddStore("a", 300)
		return s.Orders(s.StoreID("a"))
	}
	a, b, c := gen(1), gen(1), gen(2)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different data")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same data")
	}
}

func TestGeneratedDataShape(t *testing.T) {
	s := New(Options{Seed: 4, Clock: kit.NewClock(kittest.Now)})
	s.AddStore("a", 3000)
	orders := s.Orders(s.StoreID("a"))
	seen := map[string]int{}
	for i, o := range orders {
		if i > 0 && o.ID <= orders[i-1].ID {
			t.Fatal("ids not ascending")
		}
		created := orderTime(t, o.DateCreated)
		if created.After(kittest.Now) || created.Before(kittest.Now.Add(-8*24*time.Hour)) {
			t.Fatalf("order %d created %s", o.ID, o.DateCreated)
		}
		if orderTime(t, o.DateModified).Before(created) {
			t.Fatalf("order %d modified before created", o.ID)
		}
		if strings.HasSuffix(o.DateCreated, "+00:00") {
			seen["iso"]++
		} else {
			seen["compact"]++
		}
		price, err := kopecks(o.Price)
		if err != nil {
			t.Fatal(err)
		}
		var sum, cpa int64
		for _, p := range o.Products {
			unit, err1 := kopecks(p.Price)
			total, err2 := kopecks(p.TotalPrice)
			qty, err3 := p.Quantity.Float64()
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatalf("order %d product %+v", o.ID, p)
			}
			if float64(unit)*qty != float64(total) {
				t.Fatalf("order %d: %s × %s ≠ %s", o.ID, p.Price, p.Quantity, p.TotalPrice)
			}
			if qty != float64(int64(qty)) {
				seen["fractional"]++
			}
			sum += total
			if p.CPACommission != nil {
				c, err := kopecks(p.CPACommission.Amount)
				if err != nil {
					t.Fatal(err)
				}
				cpa += c
			}
		}
		if sum != price {
			t.Fatalf("order %d: lines sum %d ≠ price %s", o.ID, sum, o.Price)
		}
		if o.CPACommission != nil {
			if c, _ := kopecks(o.CPACommission.Amount); c != cpa {
				t.Fatalf("order %d: line cpa %d ≠ order cpa %s", o.ID, cpa, o.CPACommission.Amount)
			}
		}
		if strings.Contains(o.Price, " грн") {
			seen["hryvnia"]++
			if strings.Contains(strings.TrimSuffix(o.Price, " грн"), " ") {
				seen["thousands"]++
			}
		} else {
			seen["plain"]++
		}
		if (o.PaymentData != nil) != (o.PaymentOption.Name == "Пром-оплата") {
			t.Fatalf("order %d: payment_data %v with %q", o.ID, o.PaymentData, o.PaymentOption.Name)
		}
		if (o.Cancellation != nil) != (o.Status == "canceled") {
			t.Fatalf("order %d: cancellation %v with status %s", o.ID, o.Cancellation, o.Status)
		}
		if !strings.HasPrefix(o.Phone, "+380") || len(o.Phone) != 13 {
			t.Fatalf("phone %q", o.Phone)
		}
		if r := o.DeliveryRecipient; r != nil && r.Phone != o.Phone {
			seen["other_recipient"]++
		}
		if o.DeliveryProviderData == nil {
			seen["no_provider"]++
		}
		seen["status:"+o.Status]++
	}
	for _, k := range []string{"iso", "compact", "fractional", "hryvnia", "thousands", "plain", "no_provider",
		"status:pending", "status:received", "status:delivered", "status:canceled", "status:paid", "status:draft"} {
		if seen[k] == 0 {
			t.Errorf("no %s in 3000 orders", k)
		}
	}
	if share := float64(seen["other_recipient"]) / 3000; share < 0.25 || share > 0.35 {
		t.Errorf("other recipient share %.2f", share)
	}
}

func TestBadParameters(t *testing.T) {
	f := newFixture(t, Options{Seed: 1})
	f.sb.AddStore("tok", 1200)
	for _, q := range []string{"limit=0", "limit=x", "last_id=-1", "sort_dir=up", "status=shipped",
		"date_from=2026-08-01", "last_modified_to=2026-08-01T00:00:00Z"} {
		code, _, body := f.call(t, "GET", "tok", APIPath+"/orders/list?"+q, nil)
		if code != 400 || !strings.Contains(string(body), `"error"`) {
			t.Fatalf("%s: %d %s", q, code, body)
		}
	}
	if n := len(f.list(t, "tok", url.Values{"limit": {"5000"}})); n != maxLimit {
		t.Fatalf("limit cap: %d", n)
	}
	if n := len(f.list(t, "tok", nil)); n != defaultLimit {
		t.Fatalf("default limit: %d", n)
	}
	code, _, body := f.call(t, "GET", "tok", APIPath+"/orders/1", nil)
	if code != 404 || string(body) != `{"error":"Order not found"}` {
		t.Fatalf("missing order: %d %s", code, body)
	}
	code, _, body = f.call(t, "GET", "tok", APIPath+"/payment_options/list", nil)
	var po wire.PaymentOptionList
	if code != 200 || json.Unmarshal(body, &po) != nil || len(po.PaymentOptions) != 4 {
		t.Fatalf("payment options: %d %s", code, body)
	}
	code, _, body = f.call(t, "GET", "tok", APIPath+"/delivery_options/list", nil)
	var do wire.DeliveryOptionList
	if code != 200 || json.Unmarshal(body, &do) != nil || len(do.DeliveryOptions) == 0 {
		t.Fatalf("delivery options: %d %s", code, body)
	}
}

func TestControlHTTP(t *testing.T) {
	f := newFixture(t, Options{Seed: 1})
	if code, _, body := f.call(t, "POST", "", "/_sandbox/stores", map[string]any{"token": "t", "orders": 3}); code != 200 || !strings.Contains(string(body), "store-1") {
		t.Fatalf("add store: %d %s", code, body)
	}
	code, _, body := f.call(t, "POST", "t", "/_sandbox/orders", map[string]string{"status": "pending"})
	var added struct{ ID int64 }
	if code != 200 || json.Unmarshal(body, &added) != nil || added.ID == 0 {
		t.Fatalf("add order: %d %s", code, body)
	}
	f.call(t, "POST", "", "/_sandbox/clock", map[string]string{"advance": "2h"})
	code, _, body = f.call(t, "POST", "t", "/_sandbox/orders/"+strconv.FormatInt(added.ID, 10)+"/status", map[string]string{"status": "received"})
	if code != 200 || !strings.Contains(string(body), `"status":"received"`) {
		t.Fatalf("set status: %d %s", code, body)
	}
	if o, _ := f.sb.Order(f.sb.StoreID("t"), added.ID); !orderTime(t, o.DateModified).Equal(kittest.Now.Add(2 * time.Hour)) {
		t.Fatalf("modified %s", o.DateModified)
	}
	f.call(t, "PUT", "", "/_sandbox/faults", kit.FaultConfig{Rate: 1, Kinds: []kit.Kind{kit.TooManyRequests}})
	if code, _, _ := f.call(t, "GET", "t", APIPath+"/orders/list", nil); code != 429 {
		t.Fatalf("faults via control: %d", code)
	}
	f.call(t, "POST", "t", "/_sandbox/revoke", nil)
	f.call(t, "PUT", "", "/_sandbox/faults", kit.FaultConfig{})
	if code, _, _ := f.call(t, "GET", "t", APIPath+"/orders/list", nil); code != 401 {
		t.Fatalf("revoked via control: %d", code)
	}
	code, _, body = f.call(t, "GET", "", "/_sandbox/requests", nil)
	if code != 200 || strings.Contains(string(body), `"t"`) || !strings.Contains(string(body), `"status":401`) {
		t.Fatalf("requests: %d %s", code, body)
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t, Options{Seed: 1, RatePerSecond: 1})
	f.sb.AddStore("tok", 1)
	codes := map[int]int{}
	for range 3 {
		code, hdr, _ := f.call(t, "GET", "tok", APIPath+"/orders/list", nil)
		codes[code]++
		if code == 429 && hdr.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	if codes[200] != 1 || codes[429] != 2 {
		t.Fatalf("codes %v", codes)
	}
}
