package pages_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/console/pages"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
)

// now is the pages' clock in the tests: a November day, noon UTC.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// xss is what a marketplace might send to run a script on the console.
const xss = "<script>alert(1)</script>"

// newWarehouse is a fresh warehouse database of the test's.
func newWarehouse(t testing.TB) *clickhouse.Warehouse { return chtest.New(t) }

// closedWarehouse is a connection to wh's database that is already closed:
// every read fails.
func closedWarehouse(t testing.TB, wh *clickhouse.Warehouse) *clickhouse.Warehouse {
	t.Helper()
	c, err := clickhouse.Open(context.Background(), chtest.DSNOf(t, wh))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return c
}

func run(id, store, job, status string, at time.Time, errText string) clickhouse.Run {
	return clickhouse.Run{RunID: id, Marketplace: "prom", Store: store, Job: job, Status: status,
		StartedAt: at, FinishedAt: at.Add(2 * time.Second), Fetched: 10, New: 4, Updated: 1, Unchanged: 5, Error: errText}
}

func recordRuns(t testing.TB, wh *clickhouse.Warehouse, runs ...clickhouse.Run) {
	t.Helper()
	for _, r := range runs {
		if err := wh.RecordRun(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// order is a current order of a prom store; status "" leaves it unmapped.
func order(store, id string, created time.Time, mpStatus, statusName, status, amount string) canon.Order {
	return canon.Order{Marketplace: "prom", Store: store, ExternalID: id, CreatedAt: created, ModifiedAt: created,
		MarketplaceStatus: mpStatus, StatusName: statusName, Status: status, Currency: "UAH",
		Amount: dec(amount), BuyerFirstName: "Олена " + xss}
}

func insertOrders(t testing.TB, wh *clickhouse.Warehouse, orders ...canon.Order) {
	t.Helper()
	b, err := rows.Build(orders, rows.Meta{RunID: "seed", Version: rows.NextVersion(), LoadedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if err := wh.InsertBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func configOf(stores ...config.Store) *config.Config { return &config.Config{Stores: stores} }

func promStore(id string) config.Store { return config.Store{ID: id, Marketplace: "prom"} }

// fakeSession is a signed-in user, or nobody when name is "".
type fakeSession struct{ name, role string }

func (s fakeSession) User(*http.Request) (string, string) { return s.name, s.role }
func (s fakeSession) CSRF(*http.Request) string           { return "csrf-token-42" }

func handlerOf(t testing.TB, wh *clickhouse.Warehouse, cfg *config.Config, s pages.Session) http.Handler {
	t.Helper()
	h, err := pages.New(pages.Deps{Warehouse: wh, Config: func() *config.Config { return cfg }, Clock: func() time.Time { return now }, Session: s})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get answers GET path with h: the status, the headers and the body.
func get(t testing.TB, h http.Handler, path string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Header(), string(body)
}

// money is an amount as the warehouse reads it.
type money = decimal.Decimal

func dec(s string) money { return decimal.RequireFromString(s) }
