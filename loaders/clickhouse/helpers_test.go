package clickhouse_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
)

var kyiv = time.FixedZone("EEST", 3*3600)

func testOrder(id string, lines int) canon.Order {
	o := canon.Order{
		Marketplace: "prom", Store: "shop1", ExternalID: id,
		// Given in Kyiv time on purpose: the warehouse must hold UTC.
		CreatedAt:  time.Date(2024, 3, 31, 3, 30, 0, 0, kyiv),
		ModifiedAt: time.Date(2024, 4, 1, 12, 0, 5, 0, kyiv),
		Status:     "new", Currency: "UAH", Paid: true,
		Amount:     decimal.RequireFromString("1234.50"),
		FullAmount: decimal.RequireFromString("0.01"),
		// The largest Decimal(18,2) amounts a Float64 would already round.
		DeliveryCost: decimal.RequireFromString("99999999.99"),
		Royalty: &canon.Royalty{
			CPAAmount: decimal.RequireFromString("61.73"), Currency: "UAH",
			AccruedAt: time.Date(2024, 3, 31, 3, 30, 0, 0, kyiv),
		},
	}
	for i := 0; i < lines; i++ {
		o.Items = append(o.Items, canon.Item{
			ProductID: fmt.Sprint(100 + i), Name: fmt.Sprintf("product %d", i),
			Quantity: decimal.RequireFromString("1.250"), Price: decimal.RequireFromString("987.65"),
			Total: decimal.RequireFromString("1234.56"),
		})
	}
	return o
}

// testOrders are n orders of two lines each, order i of the store store(i).
func testOrders(n int, store func(i int) string) []canon.Order {
	orders := make([]canon.Order, n)
	for i := range orders {
		orders[i] = testOrder(fmt.Sprint(i), 2)
		orders[i].Store = store(i)
	}
	return orders
}

// batchOf is the rows of orders as one run wrote them, released when the
// test ends.
func batchOf(t testing.TB, run string, orders []canon.Order) rows.Batch {
	t.Helper()
	b, err := rows.Build(orders, rows.Meta{RunID: run, Version: rows.NextVersion(), LoadedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Release)
	return b
}
