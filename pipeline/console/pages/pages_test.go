package pages_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/console/pages"
	"github.com/kramar/kramar/schema/canon"
)

// shops is a warehouse of three prom stores: shop-ok loads fine, shop-bad
// lost its token after a good cycle and has an unmapped status, a reject
// and a rejected push, and shop-new never ran. Marketplace data carries a
// script everywhere the pages show it.
func shops(t *testing.T) (*clickhouse.Warehouse, *config.Config) {
	t.Helper()
	ctx := context.Background()
	wh := newWarehouse(t)
	cfg := configOf(promStore("shop-ok"), promStore("shop-bad"), promStore("shop-new"))
	cfg.Mappings = map[string]config.Mappings{"prom": {Status: map[string]string{"delivered": "Виконано"}}}
	recordRuns(t, wh,
		run("r1", "shop-ok", "orders", "ok", now.Add(-5*time.Minute), ""),
		run("r2", "shop-bad", "orders", "ok", now.Add(-3*time.Hour), ""),
		run("r3", "shop-bad", "orders", "auth_failed", now.Add(-10*time.Minute), "prom: 401 Unauthorized "+xss),
		run("r4", "shop-bad", "catalog", "ok", now.Add(-2*time.Hour), ""),
	)
	insertOrders(t, wh,
		order("shop-ok", "1", now.Add(-time.Hour), "delivered", "Виконано", "Виконано", "100.50"),
		order("shop-ok", "2", now.Add(-13*time.Hour), "delivered", "Виконано", "Виконано", "20.00"), // yesterday
		order("shop-bad", "3", now.Add(-2*time.Hour), "pending", "Нове "+xss, "", "300.00"),
		order("shop-bad", "4", now.Add(-3*time.Hour), "pending", "Нове "+xss, "", "1.25"),
		order("shop-bad", "5", now.Add(-4*time.Hour), "delivered", "Виконано", "Виконано", "7.00"),
	)
	if err := wh.RecordRejects(ctx, "r2", []canon.Reject{{Marketplace: "prom", Store: "shop-bad", RecordID: "o-77",
		Field: "price", Reason: "not a number: " + xss, Payload: `{"id":"o-77","price":"` + xss + `"}`}}, now.Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := wh.SaveState(ctx, "prom", "shop-bad", []clickhouse.StateEntry{
		{Kind: "held", Key: "o-90", Value: `{"since":"2026-11-19T08:00:00Z","until":"2026-11-19T08:00:00Z"}`},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := wh.RecordPushSteps(ctx,
		clickhouse.PushStep{PushID: "p1", Marketplace: "prom", Store: "shop-bad", OrderID: "3", Action: "status",
			FromStatus: "pending", ToStatus: "received", State: "rejected", Final: true, Attempt: 1,
			Reason: "status change not allowed " + xss, Response: `{"error":"` + xss + `"}`, At: now.Add(-time.Hour)},
		clickhouse.PushStep{PushID: "p2", Marketplace: "prom", Store: "shop-bad", OrderID: "4", State: "sending", At: now},
	); err != nil {
		t.Fatal(err)
	}
	if err := wh.RecordNotes(ctx, clickhouse.Note{Marketplace: "prom", Store: "shop-ok", OrderID: "1", Channel: "telegram", State: "queued"}); err != nil {
		t.Fatal(err)
	}
	return wh, cfg
}

// noScript fails when the page has the script unescaped, or lacks its
// escaped form where it should show it.
func noScript(t *testing.T, page, body string, shown bool) {
	t.Helper()
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "alert(1)</script>") {
		t.Errorf("%s: the marketplace's script is in the page unescaped", page)
	}
	if shown && !strings.Contains(body, html.EscapeString(xss)) {
		t.Errorf("%s: the marketplace's text (escaped) is not shown", page)
	}
}

// rowOf is the store list's table row of a store.
func rowOf(t *testing.T, body, store string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr class="state-[a-z_]+">\s*<td class="id"><a href="/stores/` + store + `">.*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row of %s in the store list:\n%s", store, body)
	}
	return m
}

func cells(row string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(row, -1) {
		out = append(out, strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], "")), " "))
	}
	return out
}

func TestPagesStoreListShowsTheFailingStoreFirstWithItsError(t *testing.T) {
	wh, cfg := shops(t)
	code, hdr, body := get(t, handlerOf(t, wh, cfg, nil), "/")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || hdr.Get("Cache-Control") != "no-store" ||
		!strings.Contains(hdr.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GET /: %d %v", code, hdr)
	}
	bad, okRow, fresh := strings.Index(body, `href="/stores/shop-bad"`), strings.Index(body, `href="/stores/shop-ok"`), strings.Index(body, `href="/stores/shop-new"`)
	if bad < 0 || okRow < 0 || fresh < 0 || !(bad < fresh && fresh < okRow) {
		t.Errorf("order of the stores: failing %d, never run %d, ok %d; want failing first, ok last", bad, fresh, okRow)
	}
	b := cells(rowOf(t, body, "shop-bad"))
	// Store, marketplace, state, jobs, orders today, held, open pushes, unsent messages, last error.
	if b[0] != "shop-bad" || b[1] != "prom" || b[2] != "збій" || b[4] != "3" || b[5] != "1" || b[6] != "1" || b[7] != "0" {
		t.Errorf("shop-bad's row: %q", b)
	}
	if !strings.Contains(b[3], "замовлення доступ відхилено (токен або пароль): 2026-11-20 09:00 (2 год 59 хв тому)") ||
		!strings.Contains(b[3], "каталог: 2026-11-20 10:00 (1 год 59 хв тому)") {
		t.Errorf("shop-bad's jobs: %q", b[3])
	}
	wantErr := "доступ відхилено (токен або пароль) у завданні «замовлення», 2026-11-20 11:50 UTC: prom: 401 Unauthorized " + html.EscapeString(xss)
	if b[8] != wantErr {
		t.Errorf("shop-bad's last error:\n got %q\nwant %q", b[8], wantErr)
	}
	o := cells(rowOf(t, body, "shop-ok"))
	if o[2] != "працює" || o[4] != "1" || o[5] != "0" || o[6] != "0" || o[7] != "1" || o[8] != "—" ||
		!strings.Contains(o[3], "замовлення: 2026-11-20 11:55 (4 хв тому)") {
		t.Errorf("shop-ok's row: %q", o)
	}
	n := cells(rowOf(t, body, "shop-new"))
	if n[2] != "ще не запускався" || n[3] != "—" || n[4] != "0" {
		t.Errorf("shop-new's row: %q", n)
	}
	if !strings.Contains(body, "зі збоєм: 1") {
		t.Errorf("the summary does not count the failing store")
	}
	noScript(t, "store list", body, true)
}

// The pages and `kramar status` call the same stores failing.
func TestPagesStoreListAgreesWithStatusOnEveryRunStatus(t *testing.T) {
	wh := newWarehouse(t)
	var stores []config.Store
	want := map[string]string{}
	for i, st := range []string{pipeline.StatusOK, pipeline.StatusNotModified, pipeline.StatusFailed, pipeline.StatusRateLimited, pipeline.StatusAuthFailed} {
		id := fmt.Sprintf("s%d", i)
		stores = append(stores, promStore(id))
		recordRuns(t, wh, run("r"+id, id, "catalog", st, now.Add(-time.Hour), ""))
		want[id] = map[bool]string{true: "працює", false: "збій"}[st == pipeline.StatusOK || st == pipeline.StatusNotModified]
	}
	// A failed backfill does not make a store failing; a merged firing is no run.
	stores = append(stores, promStore("bf"), promStore("merged"))
	recordRuns(t, wh, run("rb1", "bf", "orders", "ok", now.Add(-time.Hour), ""), run("rb2", "bf", "backfill", "failed", now, "x"),
		run("rm", "merged", "orders", "skipped_overlap", now, ""))
	want["bf"], want["merged"] = "працює", "ще не запускався"
	_, _, body := get(t, handlerOf(t, wh, configOf(stores...), nil), "/")
	for id, state := range want {
		if c := cells(rowOf(t, body, id)); c[2] != state {
			t.Errorf("%s: %q, want %q", id, c[2], state)
		}
	}
}

func TestPagesStorePageShowsRunsRejectsHoldsPushesUnmappedValuesAndCatalog(t *testing.T) {
	wh, cfg := shops(t)
	code, _, body := get(t, handlerOf(t, wh, cfg, nil), "/stores/shop-bad")
	if code != 200 {
		t.Fatalf("GET /stores/shop-bad: %d\n%s", code, body)
	}
	for _, want := range []string{
		// The unmapped status, with its orders, and the snippet to paste.
		`<td>статус</td><td><code>pending</code></td><td>Нове ` + html.EscapeString(xss) + `</td>
  <td class="n">2</td>`,
		"<pre class=\"yaml\">mappings:\n  prom:\n    status:\n      pending: Нове " + html.EscapeString(xss),
		// A recent run, its counts, duration and error.
		`<td>замовлення</td><td class="t">2026-11-20 11:50</td><td class="n">2.0 с</td>`,
		`<span class="bad">доступ відхилено (токен або пароль)</span>`,
		`<td class="err">prom: 401 Unauthorized ` + html.EscapeString(xss) + `</td>`,
		// The reject, its payload behind <details>.
		`<td class="t">2026-11-20 09:00</td><td><code>o-77</code></td><td><code>price</code></td><td class="err">not a number: ` + html.EscapeString(xss) + `</td>`,
		`<details><summary>показати</summary><pre class="payload">{&#34;id&#34;:&#34;o-77&#34;,&#34;price&#34;:&#34;` + html.EscapeString(xss),
		// The held order and the rejected push with its reason.
		`<tr><td><code>o-90</code></td><td class="t">2026-11-19 08:00</td>`,
		`<td>pending → received</td>`,
		`<span class="bad">відхилено маркетплейсом</span>`,
		`status change not allowed ` + html.EscapeString(xss),
		// The last catalog load and its offers (none loaded in this test).
		`Останнє завантаження: 2026-11-20 10:00 UTC,`,
		`<b>0</b> пропозицій`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the store page lacks %q", want)
		}
	}
	// The mapped status is no suggestion; the pending push is not a failed one.
	if strings.Contains(body, "<code>delivered</code>") || strings.Contains(body, "<code>4</code>") {
		t.Errorf("the store page lists a mapped status or an open push as a problem")
	}
	noScript(t, "store page", body, true)

	// The snippet is what `kramar mappings suggest --store shop-bad` prints.
	ss, err := pipeline.SuggestMappings(context.Background(), wh, cfg, []string{"shop-bad"})
	if err != nil {
		t.Fatal(err)
	}
	if yaml := html.EscapeString(config.RenderSuggestions(ss)); !strings.Contains(body, yaml) {
		t.Errorf("the snippet differs from mappings suggest's:\n%s", yaml)
	}

	_, _, body = get(t, handlerOf(t, wh, cfg, nil), "/stores/shop-new")
	for _, want := range []string{"Запусків ще не було.", "Каталог ще не завантажувався.", "Відхилених записів немає.", "Невдалих відправок немає."} {
		if !strings.Contains(body, want) {
			t.Errorf("the page of a store that never ran lacks %q", want)
		}
	}
}

func TestPagesUnknownStoreAndPathAre404(t *testing.T) {
	wh, cfg := shops(t)
	h := handlerOf(t, wh, cfg, nil)
	for _, path := range []string{"/stores/nope", "/stores/" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/nope"} {
		code, hdr, body := get(t, h, path)
		if code != 404 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, "<h1>404") {
			t.Errorf("GET %s: %d\n%s", path, code, body)
		}
		noScript(t, path, body, false)
	}
	if _, _, body := get(t, h, "/stores/nope"); !strings.Contains(body, "Магазину «nope» немає в конфігурації.") {
		t.Errorf("the 404 page does not name the store:\n%s", body)
	}
}

func TestPagesReportsShowTheMonthsTotalsAsTheWarehouseSumsThem(t *testing.T) {
	ctx := context.Background()
	wh, cfg := shops(t)
	october := time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)
	insertOrders(t, wh, order("shop-ok", "old", october, "delivered", "", "Виконано", "999.00"))
	exp := func(id, store, kind, amount, currency string, on time.Time) clickhouse.Expense {
		return clickhouse.Expense{ExpenseID: id, Marketplace: "prom", Store: store, OrderID: "o" + id, Kind: kind, Entry: clickhouse.EntryCharge,
			BookedOn: on, Amount: dec(amount), Currency: currency, Description: xss, Source: "import", CreatedAt: on}
	}
	if _, err := wh.RecordNewExpenses(ctx, []clickhouse.Expense{
		exp("1", "shop-ok", "cpa_commission", "10.10", "UAH", now),
		exp("2", "shop-bad", "cpa_commission", "5.05", "UAH", now),
		exp("3", "shop-bad", "delivery_fee "+xss, "40.00", "UAH", now),
		exp("4", "shop-bad", "cpa_commission", "1.00", "USD", now),
		exp("5", "shop-ok", "cpa_commission", "77.00", "UAH", october),
	}); err != nil {
		t.Fatal(err)
	}
	h := handlerOf(t, wh, cfg, nil)
	code, _, body := get(t, h, "/reports?month=2026-11")
	if code != 200 {
		t.Fatalf("GET /reports: %d\n%s", code, body)
	}
	// The month's totals as the workbooks read them.
	period := clickhouse.Period{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	totals, err := wh.ExpenseTotals(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[[2]string]money{}
	for _, x := range totals {
		byKind[[2]string{x.Kind, x.Currency}] = byKind[[2]string{x.Kind, x.Currency}].Add(x.Amount)
	}
	days, err := wh.OrdersPerDay(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	var revenue money
	var orders uint64
	for _, d := range days {
		revenue, orders = revenue.Add(d.Revenue), orders+d.Orders
	}
	for _, want := range []string{
		fmt.Sprintf(`<tr><td>Комісія CPA</td><td>UAH</td><td class="n">2</td><td class="n">%s</td></tr>`, byKind[[2]string{"cpa_commission", "UAH"}].StringFixed(2)),
		fmt.Sprintf(`<tr><td>Комісія CPA</td><td>USD</td><td class="n">1</td><td class="n">%s</td></tr>`, byKind[[2]string{"cpa_commission", "USD"}].StringFixed(2)),
		fmt.Sprintf(`<tr><td>delivery_fee %s</td><td>UAH</td><td class="n">1</td><td class="n">40.00</td></tr>`, html.EscapeString(xss)),
		fmt.Sprintf(`<tr><td>prom</td><td class="n">%d</td><td class="n">%s</td><td class="n">0</td></tr>`, orders, revenue.StringFixed(2)),
		// The figures themselves, against a slip in the warehouse's sums too.
		`<td class="n">15.15</td>`, `<td class="n">5</td><td class="n">428.75</td>`,
		// The workbooks of the month, for every store.
		`<a href="/reports/expenses?month=2026-11" download="kramar-expenses-2026-11.xlsx">`,
		`<a href="/reports/orders?month=2026-11"`, `<a href="/reports/royalties?month=2026-11"`,
		`<input type="month" name="month" value="2026-11" required>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the reports page lacks %s", want)
		}
	}
	noScript(t, "reports", body, true)

	// One store: its totals, links that name it; the month defaults to the clock's.
	_, _, body = get(t, h, "/reports?store=shop-ok")
	for _, want := range []string{
		`<tr><td>Комісія CPA</td><td>UAH</td><td class="n">1</td><td class="n">10.10</td></tr>`,
		`<tr><td>prom</td><td class="n">2</td><td class="n">120.50</td>`,
		`href="/reports/expenses?month=2026-11&amp;store=shop-ok"`,
		`<option value="shop-ok" selected>shop-ok</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the reports page of shop-ok lacks %s", want)
		}
	}
	if strings.Contains(body, "delivery_fee") {
		t.Errorf("shop-ok's totals show shop-bad's expense")
	}
	_, _, body = get(t, h, "/reports?month=2026-10")
	if !strings.Contains(body, `<td class="n">77.00</td>`) || !strings.Contains(body, `<td class="n">999.00</td>`) {
		t.Errorf("October's totals are not shown")
	}
	if code, _, body := get(t, h, "/reports?month=листопад"); code != 400 || !strings.Contains(body, "Місяць «листопад» не розпізнано") {
		t.Errorf("a month that does not parse: %d\n%s", code, body)
	}
}

func TestPagesHeaderShowsTheUserTheLogoutFormAndTheLinksOfTheirRole(t *testing.T) {
	wh, cfg := shops(t)
	logout := `<form class="user" method="post" action="/logout">`
	csrf := `<input type="hidden" name="csrf" value="csrf-token-42">`
	for _, c := range []struct {
		name    string
		session pages.Session
		user    string
		ops     bool
	}{
		{"no authentication", nil, "", true},
		{"ops", fakeSession{"Оксана " + xss, "ops"}, "Оксана " + html.EscapeString(xss), true},
		{"accountant", fakeSession{"Марія", "accountant"}, "Марія", false},
		{"nobody signed in", fakeSession{}, "", false},
	} {
		s := c.session
		for _, path := range []string{"/", "/stores/shop-bad", "/reports", "/stores/nope"} {
			_, _, body := get(t, handlerOf(t, wh, cfg, s), path)
			if got := strings.Contains(body, logout) && strings.Contains(body, csrf); got != (c.user != "") {
				t.Errorf("%s, %s: logout form shown %v", c.name, path, got)
			}
			if c.user != "" && !strings.Contains(body, "<span title=\""+c.session.(fakeSession).role+"\">"+c.user+"</span>") {
				t.Errorf("%s, %s: the user's name is not in the header", c.name, path)
			}
			if got := strings.Contains(body, `<a href="/metrics">Метрики</a>`); got != c.ops {
				t.Errorf("%s, %s: the ops link shown %v, want %v", c.name, path, got, c.ops)
			}
			noScript(t, c.name+" "+path, body, false)
		}
		// Accountants see reports only: no link to the stores.
		if _, _, body := get(t, handlerOf(t, wh, cfg, s), "/reports"); strings.Contains(body, `<a href="/">Магазини</a>`) != c.ops {
			t.Errorf("%s: the stores link shown %v, want %v", c.name, !c.ops, c.ops)
		}
	}
}

func TestPagesServeTheirAssets(t *testing.T) {
	wh, cfg := shops(t)
	h := handlerOf(t, wh, cfg, nil)
	for path, ctype := range map[string]string{"/assets/style.css": "text/css", "/assets/refresh.js": "text/javascript"} {
		code, hdr, body := get(t, h, path)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), ctype) || len(body) < 200 {
			t.Errorf("GET %s: %d %s, %d bytes", path, code, hdr.Get("Content-Type"), len(body))
		}
	}
	_, _, body := get(t, h, "/")
	if !strings.Contains(body, `<script src="/assets/refresh.js" defer></script>`) || !strings.Contains(body, `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
		t.Errorf("the store list has no refresh script or viewport")
	}
	if code, _, _ := get(t, h, "/assets/nope.css"); code != 404 {
		t.Errorf("a missing asset: %d", code)
	}
	if _, err := pages.New(pages.Deps{Config: func() *config.Config { return cfg }}); err == nil {
		t.Errorf("New without a warehouse: no error")
	}
}

// A config with only the clickhouse section (an analyst's): the pages show
// every store the warehouse has heard of, as `kramar status` does.
func TestPagesWithoutStoresInTheConfigShowTheWarehousesStores(t *testing.T) {
	wh, _ := shops(t)
	h := handlerOf(t, wh, configOf(), nil)
	_, _, body := get(t, h, "/")
	if c := cells(rowOf(t, body, "shop-bad")); c[2] != "збій" {
		t.Errorf("shop-bad: %q", c)
	}
	if c := cells(rowOf(t, body, "shop-ok")); c[2] != "працює" {
		t.Errorf("shop-ok: %q", c)
	}
	if code, _, body := get(t, h, "/stores/shop-bad"); code != 200 || !strings.Contains(body, "<code>pending</code>") {
		t.Errorf("GET /stores/shop-bad: %d", code)
	}
	if code, _, _ := get(t, h, "/stores/nope"); code != 404 {
		t.Errorf("GET /stores/nope: %d", code)
	}
}

func TestPagesAnswer500WithoutDetailsWhenTheWarehouseFails(t *testing.T) {
	wh, cfg := shops(t)
	h := handlerOf(t, closedWarehouse(t, wh), cfg, nil)
	for _, path := range []string{"/", "/stores/shop-bad", "/reports"} {
		code, _, body := get(t, h, path)
		if code != 500 || !strings.Contains(body, "Сховище даних (ClickHouse) не відповіло.") ||
			strings.Contains(body, "clickhouse:") || strings.Contains(body, wh.Database()) {
			t.Errorf("GET %s with the warehouse gone: %d\n%s", path, code, body)
		}
	}
}

func TestPagesStorePageListsUnmatchedProductsWithAMatchFormForOps(t *testing.T) {
	wh := newWarehouse(t)
	cfg := configOf(promStore("shop-a"))
	o := order("shop-a", "o-1", now.Add(-time.Hour), "received", "Прийнято", "Прийнято", "300")
	o.Items = []canon.Item{
		{Line: 0, ProductID: "p-unmatched", Name: "Чайник " + xss, Quantity: dec("3"), Price: dec("50"), Total: dec("150")},
		{Line: 1, ProductID: "p-auto", ExternalID: "SELLER-1", Name: "Сковорода", Quantity: dec("1"), Price: dec("150"), Total: dec("150")},
	}
	insertOrders(t, wh, o)
	form := `<form class="match" method="post" action="/stores/shop-a/matches">`
	for _, c := range []struct {
		name    string
		session pages.Session
		form    bool
	}{{"ops", fakeSession{"ops", "ops"}, true}, {"accountant", fakeSession{"Марія", "accountant"}, false}} {
		code, _, body := get(t, handlerOf(t, wh, cfg, c.session), "/stores/shop-a")
		if code != 200 {
			t.Fatalf("%s: GET /stores/shop-a: %d", c.name, code)
		}
		row := `<td><code>p-unmatched</code></td><td><code></code></td><td><code></code></td><td>Чайник ` + html.EscapeString(xss) + `</td>
  <td class="n">1</td><td class="n">3</td>`
		if !strings.Contains(body, row) {
			t.Errorf("%s: the unmatched product is not listed with its orders and quantity:\n%s", c.name, body)
		}
		if strings.Contains(body, "<code>p-auto</code>") {
			t.Errorf("%s: a line the marketplace gave the seller's id for is listed as unmatched", c.name)
		}
		hasForm := strings.Contains(body, form) && strings.Contains(body, `<input type="hidden" name="match_key" value="p-unmatched">`)
		if hasForm != c.form {
			t.Errorf("%s: match form shown %v, want %v", c.name, hasForm, c.form)
		}
	}
}
