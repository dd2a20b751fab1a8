// Package lavka_test adds a marketplace, Lavka, that exists only in this
// file: its wire shape, client, transform, simulator, acceptance driver and
// the one registration line. It passes the acceptance suite, and no file
// outside this folder names it: adding a marketplace touches its own
// folders and one line that registers it.
package lavka_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/paging"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/people"
)

const marketplace = "lavka"

// The registration line.
func init() {
	connectors.Register(connectors.Connector{Marketplace: marketplace, DisplayName: "Лавка", Open: open, Transform: transform,
		RecordID: func(raw json.RawMessage) string { return source.PeekID(raw, "id") }, TransformVersion: "1"})
}

// order is Lavka's order on the wire.
type order struct {
	ID      int64  `json:"id" kramar:"required"`
	Status  string `json:"status"`
	Total   string `json:"total" kramar:"required"`
	Waybill string `json:"waybill"`
	Paid    bool   `json:"paid"`
	Created string `json:"created"`
	Updated string `json:"updated"`
	Buyer   string `json:"buyer"`
	Phone   string `json:"phone"`
	Lines   []line `json:"lines"`
}

type line struct {
	SKU string `json:"sku"`
	Qty string `json:"qty"`
	Sum string `json:"sum"`
}

type listAnswer struct {
	Orders []json.RawMessage `json:"orders"`
	Page   int               `json:"page"`
	Pages  int               `json:"pages"`
}

// client reads one store: GET /v1/orders pages the orders changed in a
// window, GET /v1/orders/{id} reads one.
type client struct {
	api   *httpx.Client
	store string
	size  int
}

func open(c source.Config) source.Orders {
	o := c.HTTPOptions("https://api.lavka.example")
	token := c.Token
	o.Authorize = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	return &client{api: httpx.New(o), store: c.Store, size: cmp.Or(c.PageSize, 50)}
}

func (c *client) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	w := paging.Walk{What: "store " + c.store + ": /v1/orders", Strategy: paging.Number, First: paging.Request{Page: 1},
		Check: paging.RepeatSeen,
		Fetch: func(ctx context.Context, r paging.Request) (paging.Page, error) {
			q := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)},
				"page": {strconv.Itoa(r.Page)}, "per_page": {strconv.Itoa(c.size)}}
			var a listAnswer
			if err := c.api.GetJSON(ctx, "/v1/orders", q, &a); err != nil {
				return paging.Page{}, err
			}
			id := func(raw json.RawMessage) string { return source.PeekID(raw, "id") }
			return paging.Page{Records: paging.Records(a.Orders, id), Current: strconv.Itoa(a.Page), Last: a.Page >= a.Pages}, nil
		}}
	return w.Run(ctx, page)
}

func (c *client) Get(ctx context.Context, id string) (source.RawOrder, error) {
	var raw json.RawMessage
	if err := c.api.GetJSON(ctx, "/v1/orders/"+url.PathEscape(id), nil, &raw); err != nil {
		if httpx.StatusOf(err) == http.StatusNotFound {
			return source.RawOrder{}, &source.NotFoundError{ID: id}
		}
		return source.RawOrder{}, err
	}
	return source.RawOrder{ID: id, Body: raw}, nil
}

var transform = decode.Transform(func(w *order, st canon.Store) (canon.Order, error) {
	o := st.NewOrder(marketplace, "UAH", "")
	o.ExternalID, o.MarketplaceStatus, o.Status = strconv.FormatInt(w.ID, 10), w.Status, st.Mappings.Status[w.Status]
	o.TTN, o.Paid, o.PaymentStatus = w.Waybill, w.Paid, map[bool]string{true: "paid", false: "unpaid"}[w.Paid]
	var err error
	if o.CreatedAt, err = time.Parse(time.RFC3339, w.Created); err != nil {
		return o, canon.FieldErr("created", err.Error())
	}
	if o.ModifiedAt, err = time.Parse(time.RFC3339, w.Updated); err != nil {
		return o, canon.FieldErr("updated", err.Error())
	}
	if o.Amount, err = money.ParseField("total", w.Total, true); err != nil {
		return o, err
	}
	o.FullAmount = o.Amount
	o.BuyerLastName, o.BuyerFirstName, o.BuyerMiddleName = people.SplitFullName(w.Buyer)
	o.BuyerPhone = people.NormalizePhone(w.Phone)
	for i, l := range w.Lines {
		at := fmt.Sprintf("lines[%d].", i)
		it := canon.Item{Line: uint32(i), ExternalID: l.SKU, SKU: l.SKU}
		if it.Quantity, err = money.ParseField(at+"qty", l.Qty, true); err != nil {
			return o, err
		}
		if it.Total, err = money.ParseField(at+"sum", l.Sum, true); err != nil {
			return o, err
		}
		if !it.Quantity.IsZero() {
			it.Price = it.Total.DivRound(it.Quantity, 2)
		}
		o.Items = append(o.Items, it)
	}
	return o, nil
})

// sim is Lavka's simulator on the sandbox kit.
type sim struct {
	kit.Base
	tokens *kit.Tokens
	stores kit.Stores[*shop]
	seed   int64
}

type shop struct {
	index int
	book  *kit.Book[int64, rec]
}

type rec struct {
	o       order
	updated time.Time
}

func newSim(clock *kit.Clock) *sim {
	s := &sim{seed: 9, Base: kit.NewBase(kit.BaseOptions{Options: kit.Options{Clock: clock, Seed: 9}, ErrorBody: kit.DefaultErrorBody,
		FaultScope: kit.FaultScope{Faultable: kit.OutsideControl,
			Paged: func(r *http.Request) bool { return r.URL.Path == "/v1/orders" && r.URL.Query().Get("page") != "1" }}})}
	s.tokens = kit.BaseTokens(&s.Base)
	api := http.NewServeMux()
	api.HandleFunc("GET /v1/orders", s.list)
	api.HandleFunc("GET /v1/orders/{id}", s.one)
	kit.SetHandler(&s.Base, kit.Guard(&s.Base, kit.DefaultErrorBody, api))
	return s
}

func bookOptions() kit.BookOptions[int64, rec] {
	return kit.BookOptions[int64, rec]{ID: func(r *rec) int64 { return r.o.ID }}
}

func (s *sim) addStore(token string, n int) string {
	st := s.stores.Add(func(i int) (string, *shop) {
		return fmt.Sprintf("shop-%d", i+1), &shop{index: i, book: kit.NewBook(bookOptions())}
	})
	id := fmt.Sprintf("shop-%d", st.index+1)
	s.tokens.Add(token, id)
	now := s.Clock().Now()
	for i := range n {
		r := fake.Rand(s.seed, st.index, 0, i)
		created, updated := fake.Seeded(r, now, 10*24*time.Hour, i, n, 3)
		s.add(st, r, created, updated)
	}
	return id
}

func (s *sim) add(st *shop, r *rand.Rand, created, updated time.Time) int64 {
	return st.book.Add(func(last *rec, _ int) *rec {
		id := int64(5000)
		if last != nil {
			id = last.o.ID + 1 + r.Int64N(3)
		}
		p := fake.NewPerson(r)
		o := order{ID: id, Status: fake.Pick(r, []string{"new", "packed", "sent", "done"}), Paid: r.IntN(2) == 0,
			Created: created.UTC().Format(time.RFC3339), Updated: updated.UTC().Format(time.RFC3339), Buyer: p.Typed(r), Phone: p.PhoneTyped(r)}
		total := decimal.Zero
		for j := range 1 + r.IntN(3) {
			qty := 1 + r.IntN(3)
			sum := decimal.New(int64(qty)*(100+r.Int64N(90000)), -2)
			total = total.Add(sum)
			o.Lines = append(o.Lines, line{SKU: fmt.Sprintf("LV-%03d-%d", r.IntN(500), j), Qty: strconv.Itoa(qty), Sum: sum.StringFixed(2)})
		}
		o.Total = total.StringFixed(2)
		return &rec{o: o, updated: updated}
	}).o.ID
}

func (s *sim) shopOf(r *http.Request) *shop {
	st, _ := s.stores.Get(kit.StoreFrom(r.Context()))
	return st
}

func (s *sim) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err1 := time.Parse(time.RFC3339, q.Get("from"))
	to, err2 := time.Parse(time.RFC3339, q.Get("to"))
	page, err3 := strconv.Atoi(q.Get("page"))
	size, err4 := strconv.Atoi(q.Get("per_page"))
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || page < 1 || size < 1 {
		kit.WriteError(w, kit.DefaultErrorBody, http.StatusBadRequest, "bad query")
		return
	}
	matched := s.shopOf(r).book.Filter(func(x *rec) bool { return !x.updated.Before(from) && !x.updated.After(to) })
	pages := max(1, (len(matched)+size-1)/size)
	if kit.FaultFrom(r.Context()) == kit.DuplicatePage {
		page-- // the previous page again, as a stale cache answers
	}
	start, end := (page-1)*size, page*size
	if kit.FaultFrom(r.Context()) == kit.ShiftPage {
		start = max(0, start-kit.ShiftFrom(r.Context())) // a few earlier orders first, then the whole page: overlap, never a gap
	}
	a := listAnswer{Orders: []json.RawMessage{}, Page: page, Pages: pages}
	for _, x := range matched[min(start, len(matched)):min(end, len(matched))] {
		a.Orders = append(a.Orders, kit.MustJSON(x.o))
	}
	kit.WriteJSON(w, http.StatusOK, a)
}

func (s *sim) one(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	x, ok := s.shopOf(r).book.Get(id)
	if !ok {
		kit.WriteError(w, kit.DefaultErrorBody, http.StatusNotFound, "no such order")
		return
	}
	kit.WriteJSON(w, http.StatusOK, x.o)
}

// driver runs the acceptance suite on the simulator.
type driver struct {
	sim    *sim
	shops  map[string]string
	tokens map[string]string
}

func newDriver(clock *kit.Clock) pipelinetest.Driver {
	return &driver{sim: newSim(clock), shops: map[string]string{}, tokens: map[string]string{}}
}

func (d *driver) AddStore(t testing.TB, id string, n int) pipelinetest.StoreSpec {
	env, token := pipelinetest.SecretEnv(t, "LAVKA_TOKEN", id)
	d.shops[id], d.tokens[id] = d.sim.addStore(token, n), token
	return pipelinetest.StoreSpec{ID: id, Sandbox: d.sim, Secret: token, SecretEnv: env,
		YAML: "marketplace: lavka\nbase_url: {url}\ntoken_env: " + env + "\norder_type: Роздріб\norder_source: Лавка"}
}

func (d *driver) book(store string) *kit.Book[int64, rec] {
	st, _ := d.sim.stores.Get(d.shops[store])
	return st.book
}

func (d *driver) Truth(t testing.TB, store string) (orders, items []string) {
	for _, x := range d.book(store).Snapshot() {
		pay := map[bool]string{true: "paid", false: "unpaid"}[x.o.Paid]
		orders = append(orders, fmt.Sprintf("%d\t%s\t%s\t%s\t%s", x.o.ID, x.o.Status, pipelinetest.Money(t, x.o.Total), x.o.Waybill, pay))
		for i, l := range x.o.Lines {
			items = append(items, fmt.Sprintf("%d\t%d\t%s\t%s", x.o.ID, i, l.SKU, pipelinetest.Money(t, l.Sum)))
		}
	}
	return orders, items
}

func (d *driver) Change(_ testing.TB, store string, round int) int {
	now := d.sim.Clock().Now()
	b, n := d.book(store), 0
	for i, x := range b.Snapshot() {
		if i%9 != round {
			continue
		}
		if b.Update(x.o.ID, func(r *rec) error {
			r.o.Status, r.o.Waybill, r.updated = "sent", fmt.Sprintf("2045%010d", i), now
			r.o.Updated = now.UTC().Format(time.RFC3339)
			return nil
		}) == nil {
			n++
		}
	}
	st, _ := d.sim.stores.Get(d.shops[store])
	d.sim.add(st, fake.Rand(9, st.index, 1, round), now, now)
	return n + 1
}

func (d *driver) Revoke(_ testing.TB, store string) { d.sim.tokens.Revoke(d.tokens[store]) }

func (d *driver) AddMalformed(_ testing.TB, store string) string {
	now := d.sim.Clock().Now()
	st, _ := d.sim.stores.Get(d.shops[store])
	id := d.sim.add(st, fake.Rand(9, st.index, 2, 0), now, now)
	_ = st.book.Update(id, func(r *rec) error { r.o.Total = "12,,3"; return nil })
	return strconv.FormatInt(id, 10)
}

func TestAcceptance(t *testing.T) { pipelinetest.Acceptance(t, newDriver) }

// TestNoSharedFileNamesIt: the marketplace's name appears in no code,
// config, spec, migration or build file outside this folder; only the
// docs point here, as the example to copy.
func TestNoSharedFileNamesIt(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	here, _ := os.Getwd()
	files := 0
	err = filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case e.IsDir() && (e.Name() == ".git" || e.Name() == "bin" || path == here):
			return filepath.SkipDir
		case e.IsDir():
			return nil
		case strings.HasSuffix(path, ".md"):
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if strings.Contains(strings.ToLower(string(body)), marketplace) {
			t.Errorf("%s names the test marketplace", path)
		}
		return nil
	})
	if err != nil || files < 100 {
		t.Fatalf("searched %d files: %v", files, err)
	}
}
