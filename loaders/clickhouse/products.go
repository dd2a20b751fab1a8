package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/rows"
)

// ProductMatch is one row of product_matches: the seller's product a
// marketplace product is (ProductKey "" clears the match).
type ProductMatch struct {
	Marketplace string
	Store       string
	// MatchKey is the order lines' product_id, or their external_id where
	// they carry no product id.
	MatchKey   string
	ProductKey string
	Source     string // MatchManual, or MatchAuto from a catalog
	ChangedBy  string
	ChangedAt  time.Time
	Version    uint64 `ch:"_version"`
}

// The sources of matches: the seller's, and kramar's own from the store's
// catalog (RecordCatalogMatches).
const (
	MatchManual = "manual"
	MatchAuto   = "auto"
)

// catalogKeys are the keys of an offer that the store's match_by names
// (migration 021).
var catalogKeys = map[string]string{
	"":            "external_id",
	"id":          "external_id",
	"vendor_code": "if(vendor_code != '', vendor_code, article)",
	"barcode":     "barcode",
}

// RecordCatalogMatches records, from the store's current catalog, each
// offer's key as matchBy names it, under the offer's product id and its
// offer id, wherever it is not recorded so already; it returns how many
// matches it wrote. The seller's own matches win over these (v_order_lines).
func (w *Warehouse) RecordCatalogMatches(ctx context.Context, marketplace, store, matchBy string, version uint64, at time.Time) (uint64, error) {
	key, ok := catalogKeys[matchBy]
	if !ok {
		return 0, fmt.Errorf("clickhouse: match_by %q of %s/%s: want id, vendor_code or barcode", matchBy, marketplace, store)
	}
	matches := w.table("product_matches")
	fresh := `FROM (
		    SELECT marketplace, store, arrayFilter(k -> k != '', if(product_id = external_id, [product_id], [product_id, external_id])) AS keys,
		        ` + key + ` AS product_key
		    FROM ` + w.table(rows.ProductsTable) + ` FINAL WHERE marketplace = ? AND store = ?
		) ARRAY JOIN keys AS match_key
		WHERE product_key != '' AND (match_key, product_key)` + w.in(true) + `(
		    SELECT match_key, argMax(product_key, _version) FROM ` + matches + `
		    WHERE marketplace = ? AND store = ? AND source = '` + MatchAuto + `' GROUP BY match_key)`
	args := []any{marketplace, store, marketplace, store}
	var n uint64
	if err := w.conn.QueryRow(ctx, "SELECT count() "+fresh, args...).Scan(&n); err != nil {
		return 0, wrapErr(err, "count the catalog matches of %s/%s", marketplace, store)
	}
	if n == 0 {
		return 0, nil
	}
	err := w.conn.Exec(ctx, `INSERT INTO `+matches+` (marketplace, store, match_key, source, product_key, changed_by, changed_at, _version)
		SELECT marketplace, store, match_key, '`+MatchAuto+`', product_key, 'catalog', toDateTime(?), ? `+fresh,
		append([]any{at.UTC().Unix(), version}, args...)...)
	return n, wrapErr(err, "record the catalog matches of %s/%s", marketplace, store)
}

var matchesSpec = rows.FromStruct[ProductMatch]("product_matches")

// RecordMatches writes the matches that change something and returns how
// many: a match the warehouse already holds as it is (the same file
// imported again) is not written again.
func (w *Warehouse) RecordMatches(ctx context.Context, ms []ProductMatch) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	type key struct{ marketplace, store, matchKey, source string }
	current := map[key]string{}
	var stores, keys []string
	for _, m := range ms {
		stores, keys = append(stores, m.Store), append(keys, m.MatchKey)
	}
	err := w.each(ctx, `SELECT marketplace, store, match_key, source, argMax(product_key, _version)
	      FROM `+w.table("product_matches")+` WHERE has(?, store) AND has(?, match_key)
	      GROUP BY marketplace, store, match_key, source`, func(rs driver.Rows) error {
		var k key
		var product string
		if err := rs.Scan(&k.marketplace, &k.store, &k.matchKey, &k.source, &product); err != nil {
			return err
		}
		current[k] = product
		return nil
	}, stores, keys)
	if err != nil {
		return 0, wrapErr(err, "read product matches")
	}
	var fresh []ProductMatch
	for _, m := range ms {
		k := key{m.Marketplace, m.Store, m.MatchKey, m.Source}
		if p, ok := current[k]; ok && p == m.ProductKey {
			continue
		}
		if _, ok := current[k]; !ok && m.ProductKey == "" {
			continue // clearing what was never matched
		}
		current[k] = m.ProductKey
		if m.Version == 0 {
			m.Version = rows.NextVersion()
		}
		fresh = append(fresh, m)
	}
	return len(fresh), insertAll(ctx, w, matchesSpec, fresh, "record product matches")
}

// UnmatchedItem is one row of v_unmatched_items: a marketplace product the
// store's order lines name that no product of the seller's is known for.
type UnmatchedItem struct {
	ProductID, ExternalID, SKU, Name string
	Lines, Orders                    uint64
	Quantity                         decimal.Decimal
	LastOrdered                      time.Time
}

// MatchKey is the key a match for the item is recorded under: its product
// id, else its external id (as v_order_items reads matches).
func (u UnmatchedItem) MatchKey() string {
	if u.ProductID != "" {
		return u.ProductID
	}
	return u.ExternalID
}

// UnmatchedItems is the store's unmatched products, the most ordered
// first, at most limit.
func (w *Warehouse) UnmatchedItems(ctx context.Context, marketplace, store string, limit int) ([]UnmatchedItem, error) {
	out, err := collect(ctx, w, `SELECT product_id, external_id, sku, name, lines, orders, quantity, last_ordered
		FROM `+w.table("v_unmatched_items")+` WHERE marketplace = ? AND store = ?
		ORDER BY quantity DESC, last_ordered DESC, product_id, external_id, sku LIMIT ?`,
		func(rs driver.Rows, u *UnmatchedItem) error {
			return rs.Scan(&u.ProductID, &u.ExternalID, &u.SKU, &u.Name, &u.Lines, &u.Orders, &u.Quantity, &u.LastOrdered)
		}, marketplace, store, uint64(limit))
	return out, wrapErr(err, "unmatched products of %s/%s", marketplace, store)
}
