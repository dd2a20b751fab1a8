package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/kramar/kramar/pipeline"
)

// The console in a real browser, against `kramar serve` on the sandboxes:
// log in, see the failing store with its error, open its page and see an
// unmapped status with its YAML snippet, download the month's expenses
// workbook and open it, log out — each page without a console error, a
// screenshot of each in the test's temp dir, and the pages usable at 360 px.
func TestConsoleInABrowser(t *testing.T) {
	m, _, _ := promPair(t)
	withLogins(t, m)
	// Both stores load their orders (the harness maps no status); then
	// prom-a's token is changed in the cabinet, not in kramar: its next run
	// fails.
	for id, r := range m.Run(context.Background(), pipeline.JobOrders) {
		if !r.OK() {
			t.Fatalf("orders of %s: %v", id, r.Err)
		}
	}
	month := m.Clock.Now().UTC().Format("2006-01")
	if _, err := pipeline.GenerateExpenses(context.Background(), m.WH, m.Clock.Now().UTC(), nil, m.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TOKEN_PROM_A", "a-changed-token")
	d := startServe(t, m)
	base := "http://" + d.addr
	waitFor(t, 20*time.Second, "prom-a's failing run", func() bool {
		return count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-a' AND status = 'auth_failed'`) > 0
	})

	b := newHeadless(t, 1280, 900)
	b.do("log in", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "olena"), chromedp.SendKeys(chromedp.CSS("#password"), webOpsPassword),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(`a[href="/stores/prom-a"]`)))
	stores := b.text()
	if !strings.Contains(stores, "Магазини") || !strings.Contains(stores, "prom-a") || !strings.Contains(stores, "prom-b") {
		t.Errorf("the stores page:\n%s", stores)
	}
	row, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(`tr:has(a[href="/stores/prom-a"])`)))
	if err != nil || !strings.Contains(strings.ToLower(row), "токен") && !strings.Contains(strings.ToLower(row), "доступ") {
		t.Errorf("prom-a's row does not say in words what failed: %q (%v)", row, err)
	}
	b.screenshot("stores")
	b.noProblems("/")

	b.do("open the failing store", chromedp.Click(chromedp.CSS(`a[href="/stores/prom-a"]`)), chromedp.WaitVisible(chromedp.CSS("#unmapped")))
	snippet, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("pre.yaml")))
	if err != nil || !strings.Contains(snippet, "mappings:") || !strings.Contains(snippet, "prom:") || !strings.Contains(snippet, "status:") {
		t.Errorf("the store page's YAML snippet: %q (%v)", snippet, err)
	}
	b.screenshot("store")
	b.noProblems("/stores/prom-a")

	// A product matched by hand from the store page comes back to it.
	change := `form.actions.match`
	b.do("match a product", chromedp.SendKeys(chromedp.CSS(change+` input[name="match_key"]`), "p-from-browser"),
		chromedp.SendKeys(chromedp.CSS(change+` input[name="product_key"]`), "MY-KETTLE"),
		chromedp.Click(chromedp.CSS(change+` button`)))
	matched := func() []string {
		return m.Query(`SELECT product_key, changed_by FROM {db}.product_matches WHERE store = 'prom-a' AND match_key = 'p-from-browser'`)
	}
	waitFor(t, 10*time.Second, "the match made in the browser", func() bool { return len(matched()) > 0 })
	if got := matched(); len(got) != 1 || got[0] != "MY-KETTLE\tconsole:olena" {
		t.Errorf("the match made in the browser: %v", got)
	}
	waitFor(t, 10*time.Second, "the store page again after the match", func() bool {
		loc, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		return err == nil && strings.HasSuffix(loc, "/stores/prom-a#products")
	})

	b.do("open the reports", chromedp.Navigate(base+"/reports?month="+month), chromedp.WaitVisible(chromedp.CSS(`a[href^="/reports/expenses"]`)))
	b.screenshot("reports")
	b.noProblems("/reports")
	book := b.download(chromedp.Click(chromedp.CSS(`a[href^="/reports/expenses"]`)))
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatalf("the downloaded expenses workbook: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) < 2 || sheets[0] != "Підсумок" {
		t.Errorf("the downloaded workbook's sheets: %v, want the summary and a sheet per store", sheets)
	}

	b.do("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#name")))
	if text := b.text(); !strings.Contains(text, "Вхід") {
		t.Errorf("after logging out: %q", text)
	}
	b.screenshot("logged-out")
	b.noProblems("/login")
	b.do("the stores after logging out", chromedp.Navigate(base+"/stores/prom-a"), chromedp.WaitVisible(chromedp.CSS("#name")))

	// On a phone: nothing wider than the screen but the tables, which
	// scroll inside their own boxes.
	phone := newHeadless(t, 360, 740)
	phone.do("log in on a phone", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "olena"), chromedp.SendKeys(chromedp.CSS("#password"), webOpsPassword),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(`a[href="/stores/prom-a"]`)))
	for _, p := range []string{"/", "/stores/prom-a", "/reports?month=" + month, "/actions"} {
		phone.do("open "+p+" on a phone", chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("body")))
		width, err := chromedp.Run(phone.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 360 {
			t.Errorf("%s at 360 px is %d px wide (%v): the page scrolls sideways", p, width, err)
		}
		phone.screenshot("phone" + strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(p))
		phone.noProblems(p + " at 360 px")
	}
}
