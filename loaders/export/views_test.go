package export_test

import (
	"context"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

// exec runs a statement against the test warehouse ({db} = its database).
func exec(t *testing.T, e *promtest.Env, q string) {
	t.Helper()
	if err := e.WH.Conn().Exec(context.Background(), strings.ReplaceAll(q, "{db}", e.WH.Database())); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// utcDay is the UTC day of a unix time, as ClickHouse prints a Date.
func utcDay(sec string) string {
	s, _ := strconv.ParseInt(sec, 10, 64)
	return time.Unix(s, 0).UTC().Format(time.DateOnly)
}

func utcMonth(sec string) string { return utcDay(sec)[:8] + "01" }

// tally sums one group of a view computed here from the current rows.
type tally struct {
	n, flagged int
	sums       [3]decimal.Decimal
}

// group is the tally of key k, started on first use.
func group(m map[string]*tally, k string) *tally {
	if m[k] == nil {
		m[k] = &tally{}
	}
	return m[k]
}

func TestExportAnalystViewsMatchTheCurrentRows(t *testing.T) {
	e := loaded(t)
	// Newer versions that the views must see instead of the old ones: an
	// order cancelled on Prom without a cancellation block and with a new
	// amount, and a refunded CPA commission with a ProSale charge.
	order := e.Query(`SELECT store, external_id FROM {db}.v_orders
		WHERE marketplace_status != 'canceled' AND cancel_reason = '' ORDER BY store, external_id LIMIT 1`)[0]
	store, id, _ := strings.Cut(order, "\t")
	exec(t, e, `INSERT INTO {db}.orders (marketplace, store, external_id, created_at, marketplace_status, currency, amount, items_count, _version)
		SELECT marketplace, store, external_id, created_at, 'canceled', currency, toDecimal64('777.70', 2), items_count, _version + 1
		FROM {db}.v_orders WHERE store = '`+store+`' AND external_id = '`+id+`'`)
	exec(t, e, `INSERT INTO {db}.royalties
		SELECT marketplace, store, order_id, toDecimal64('41.30', 2), 1, toDecimal64('12.05', 2), currency, accrued_at, _version + 1, now()
		FROM {db}.v_royalties WHERE store = '`+store+`' AND order_id = '`+id+`'`)
	if n := e.Query("SELECT count() FROM {db}.v_royalties WHERE cpa_refunded = 1")[0]; n == "0" {
		t.Fatal("no refunded royalty to check against")
	}

	// v_daily_sales from the orders, grouped and summed here.
	sales := map[string]*tally{}
	for _, l := range e.Query(`SELECT toUnixTimestamp(created_at), marketplace, store, currency, amount,
			cancel_reason != '' OR marketplace_status = 'canceled' FROM {db}.v_orders`) {
		f := strings.Split(l, "\t")
		g := group(sales, strings.Join([]string{utcDay(f[0]), f[1], f[2], f[3]}, "\t"))
		amount := decimal.RequireFromString(f[4])
		g.n++
		g.sums[0] = g.sums[0].Add(amount)
		if f[5] == "1" {
			g.flagged++
		} else {
			g.sums[1] = g.sums[1].Add(amount)
		}
	}
	var want, rates []string
	cancelled := 0
	for _, k := range slices.Sorted(maps.Keys(sales)) {
		g := sales[k]
		cancelled += g.flagged
		want = append(want, strings.Join([]string{k, strconv.Itoa(g.n), strconv.Itoa(g.flagged), g.sums[0].String(), g.sums[1].String()}, "\t"))
		rates = append(rates, strconv.FormatFloat(float64(g.flagged)/float64(g.n), 'f', 6, 64))
	}
	got := e.Query(`SELECT toString(day), marketplace, store, currency, orders, cancelled_orders, gross, revenue
		FROM {db}.v_daily_sales ORDER BY day, marketplace, store, currency`)
	if d := pipelinetest.Diff(want, got); d != "" || len(got) < 2 || cancelled == 0 {
		t.Errorf("v_daily_sales (%d rows, %d cancelled orders) differs from the orders:\n%s", len(got), cancelled, d)
	}
	got = e.Query(`SELECT cancellation_rate FROM {db}.v_daily_sales ORDER BY day, marketplace, store, currency`)
	for i := 0; i < len(got) && len(got) == len(rates); i++ {
		g, _ := strconv.ParseFloat(got[i], 64)
		w, _ := strconv.ParseFloat(rates[i], 64)
		if math.Abs(g-w) > 0.00005+1e-9 {
			t.Errorf("row %d: cancellation_rate %s, want %s to 4 places", i, got[i], rates[i])
		}
	}

	// v_royalties_monthly from the royalties.
	months := map[string]*tally{}
	for _, l := range e.Query(`SELECT toUnixTimestamp(accrued_at), marketplace, store, currency, cpa_amount, cpa_refunded, prosale_amount FROM {db}.v_royalties`) {
		f := strings.Split(l, "\t")
		g := group(months, strings.Join([]string{utcMonth(f[0]), f[1], f[2], f[3]}, "\t"))
		cpa := decimal.RequireFromString(f[4])
		g.n++
		g.sums[0] = g.sums[0].Add(cpa)
		g.sums[1] = g.sums[1].Add(decimal.RequireFromString(f[6]))
		if f[5] == "1" {
			g.sums[2] = g.sums[2].Add(cpa)
		}
	}
	want = nil
	for _, k := range slices.Sorted(maps.Keys(months)) {
		g := months[k]
		net := g.sums[0].Sub(g.sums[2]).Add(g.sums[1])
		want = append(want, strings.Join([]string{k, strconv.Itoa(g.n), g.sums[0].String(), g.sums[1].String(), g.sums[2].String(), net.String()}, "\t"))
	}
	got = e.Query(`SELECT toString(month), marketplace, store, currency, orders, cpa, prosale, refunded_cpa, net
		FROM {db}.v_royalties_monthly`)
	if d := pipelinetest.Diff(want, got); d != "" || len(got) == 0 {
		t.Errorf("v_royalties_monthly (%d rows) differs from the royalties:\n%s", len(got), d)
	}
}
