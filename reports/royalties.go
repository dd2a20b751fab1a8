package reports

import (
	"context"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// royaltiesSheet names the royalties workbook's sheet.
const royaltiesSheet = "Комісії"

var royaltyColumns = []column{
	{header: "Замовлення", width: 16},
	{header: "Магазин", width: 18},
	{header: "Маркетплейс", width: 14},
	{header: "Дата", width: 12, kind: dateCell},
	{header: "Статус", width: 18},
	{header: "CPA", width: 14, kind: moneyCell, sum: true},
	{header: "CPA повернено", width: 14},
	{header: "ProSale", width: 14, kind: moneyCell, sum: true},
	{header: "Валюта", width: 9},
}

// buildRoyalties lists the month's royalties (chosen by accrued_at, the
// order's creation time) with the order's day and status.
func buildRoyalties(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error {
	return b.fill(royaltiesSheet, royaltyColumns, func(t *table) error {
		return wh.EachOrderRoyalty(ctx, p.period(), func(r clickhouse.OrderRoyalty) error {
			return t.add(r.OrderID, r.Store, r.Marketplace, r.Day, r.OrderStatus, b.money(r.CPAAmount, r.Currency),
				yesNo(r.CPARefunded), b.money(r.ProSaleAmount, r.Currency), r.Currency)
		})
	})
}

func yesNo(v bool) string {
	if v {
		return "так"
	}
	return "ні"
}
