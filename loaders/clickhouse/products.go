package clickhouse

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

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
	Source     string // MatchManual
	ChangedBy  string
	ChangedAt  time.Time
	Version    uint64 `ch:"_version"`
}

// MatchManual is the source of a match the seller made.
const MatchManual = "manual"

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
