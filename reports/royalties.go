package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

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

// The month is chosen by accrued_at, the order's creation time; the date
// shown is the order's (the same, unless the order is missing from
// v_orders, when accrued_at stands in).
const royaltiesSQL = `SELECT order_id, store, marketplace,
	if(toUnixTimestamp(order_created) > 0, toDate(order_created), toDate(accrued_at)) AS day,
	order_status, cpa_amount, cpa_refunded, prosale_amount, currency
FROM (
	SELECT marketplace, store, order_id, cpa_amount, cpa_refunded, prosale_amount, currency, accrued_at
	FROM %[1]s.v_royalties WHERE %[2]s
) ANY LEFT JOIN (
	SELECT marketplace, store, external_id AS order_id, created_at AS order_created, status AS order_status
	FROM %[1]s.v_orders WHERE %[3]s
) USING (marketplace, store, order_id)
ORDER BY day, store, order_id`

func buildRoyalties(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error {
	royaltyCond, args := p.filter("accrued_at", false)
	orderCond, orderArgs := p.filter("created_at", false)
	rows, err := wh.Conn().Query(streaming(ctx), fmt.Sprintf(royaltiesSQL, wh.Database(), royaltyCond, orderCond), append(args, orderArgs...)...)
	if err != nil {
		return fmt.Errorf("reports: royalties: %w", err)
	}
	defer rows.Close()
	t, err := b.table(royaltiesSheet, royaltyColumns)
	if err != nil {
		return err
	}
	for rows.Next() {
		var orderID, store, marketplace, status, currency string
		var day time.Time
		var cpa, prosale decimal.Decimal
		var refunded uint8
		if err := rows.Scan(&orderID, &store, &marketplace, &day, &status, &cpa, &refunded, &prosale, &currency); err != nil {
			return fmt.Errorf("reports: royalties: %w", err)
		}
		if err := t.add(orderID, store, marketplace, day, status, b.money(cpa, currency), yesNo(refunded == 1),
			b.money(prosale, currency), currency); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: royalties: %w", err)
	}
	return t.close()
}

func yesNo(v bool) string {
	if v {
		return "так"
	}
	return "ні"
}
