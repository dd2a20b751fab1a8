package pipeline

import (
	"fmt"
	"io"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
)

// MatchChange is the seller's word on one marketplace product: it is their
// product Product ("" = no longer matched by hand).
type MatchChange struct {
	Store, Marketplace    string // Marketplace only for a store the config does not have
	ProductID, ExternalID string // the lines' ids; ProductID wins when both are given
	Product               string
	ChangedBy             string
	ChangedAt             time.Time
}

// NewMatch checks a change and makes its product_matches row.
func NewMatch(cfg *config.Config, c MatchChange) (clickhouse.ProductMatch, error) {
	marketplace := c.Marketplace
	if st, ok := cfg.Store(c.Store); ok {
		if marketplace != "" && marketplace != st.Marketplace {
			return clickhouse.ProductMatch{}, fmt.Errorf("store %s: marketplace: the store is on %s, not %s", c.Store, st.Marketplace, marketplace)
		}
		marketplace = st.Marketplace
	}
	switch {
	case c.Store == "":
		return clickhouse.ProductMatch{}, fmt.Errorf("store: is required")
	case marketplace == "":
		return clickhouse.ProductMatch{}, fmt.Errorf("store %s: marketplace: the config has no such store; name its marketplace", c.Store)
	}
	key := c.ProductID
	if key == "" {
		key = c.ExternalID
	}
	if key == "" {
		return clickhouse.ProductMatch{}, fmt.Errorf("store %s: product_id or external_id: one is required", c.Store)
	}
	return clickhouse.ProductMatch{Marketplace: marketplace, Store: c.Store, MatchKey: key, ProductKey: c.Product,
		Source: clickhouse.MatchManual, ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt.UTC().Truncate(time.Second)}, nil
}

// matchColumns are the columns of a product matches file; marketplace is
// needed only for stores the config does not have, one of product_id and
// external_id per row.
var matchColumns = []string{"store", "marketplace", "product_id", "external_id", "product_key", "changed_at", "changed_by"}

// ParseMatchesCSV reads a CSV of the seller's product matches. Good rows
// come back with an error per bad row naming its line, store, product and
// field. Rows without changed_at are stamped with stamp (the file's time),
// so the same file read again gives the same rows.
func ParseMatchesCSV(r io.Reader, name string, cfg *config.Config, stamp time.Time) ([]clickhouse.ProductMatch, []error) {
	var out []clickhouse.ProductMatch
	errs := eachCSVRow(r, name, matchColumns, []string{"store", "product_key"}, func(line int, get func(string) string) error {
		c := MatchChange{Store: get("store"), Marketplace: get("marketplace"), ProductID: get("product_id"),
			ExternalID: get("external_id"), Product: get("product_key"), ChangedBy: get("changed_by")}
		if c.Product == "" {
			return fmt.Errorf("store %s, product %s: product_key: is required (`kramar products match clear` removes a match)", c.Store, c.ProductID+c.ExternalID)
		}
		var err error
		if c.ChangedAt, err = changedAt(get, stamp); err != nil {
			return fmt.Errorf("store %s, product %s: %w", c.Store, c.ProductID+c.ExternalID, err)
		}
		m, err := NewMatch(cfg, c)
		if err != nil {
			return err
		}
		m.Version = uint64(m.ChangedAt.Unix())<<20 | uint64(line)
		out = append(out, m)
		return nil
	})
	return out, errs
}
