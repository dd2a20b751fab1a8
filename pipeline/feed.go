package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kramar/kramar/extractors/feeds/fetch"
	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/schema/canon"
	ymltransform "github.com/kramar/kramar/transforms/yml"
)

// State of a store's catalog feed in extract_state: the validators of the
// last feed that loaded completely, for the next conditional GET.
const (
	kindFeed = "feed"
	feedKey  = "catalog"
)

// MaxFeedBytes bounds one catalog feed (decompressed): a million offers are
// about 1 GB.
const MaxFeedBytes = 4 << 30

// feedPages reads the store's YML catalog feed. A feed unchanged since the
// last complete load answers ErrNotModified; a feed that does not parse to
// its end fails the whole load, so the last good catalog stays current.
// The feed's validators are saved only after the load succeeded.
func (j *catalogJob) feedPages() productPages {
	return func(ctx context.Context, page func([]canon.Product, []canon.Reject) error) error {
		prev, err := j.feedValidators(ctx)
		if err != nil {
			return err
		}
		body, meta, notModified, err := fetch.Open(ctx, j.feedSource, prev, fetch.Options{MaxBytes: MaxFeedBytes})
		if err != nil {
			return fmt.Errorf("store %s: feed: %w", j.store.ID, err)
		}
		if notModified {
			return ErrNotModified
		}
		defer body.Close()
		store := canon.Store{Marketplace: j.store.Marketplace, Store: j.store.ID}
		catalog := ymltransform.Catalog{MatchBy: j.store.MatchBy}
		stats, err := yml.Parse(ctx, body, yml.Options{MaxBytes: MaxFeedBytes, Name: meta.Source},
			func(shop *yml.Shop) error {
				catalog.Categories = ymltransform.CategoryNames(shop)
				return nil
			},
			func(offers []yml.Offer) error {
				ps := make([]canon.Product, 0, len(offers))
				var rejects []canon.Reject
				for i := range offers {
					p, err := ymltransform.TransformOffer(offers[i], store, catalog)
					if err != nil {
						body, _ := json.Marshal(&offers[i])
						// Rejects are kept for the whole run; a clone of the id lets the offer go.
						rejects = append(rejects, rejectOf(j.store.Marketplace, j.store.ID, strings.Clone(offers[i].ID), body, err))
						continue
					}
					ps = append(ps, p)
				}
				return page(ps, rejects)
			})
		if err != nil {
			return fmt.Errorf("store %s: feed %s: %w", j.store.ID, meta.Source, err)
		}
		if stats.Warnings > 0 {
			j.log.Warn("feed warnings", "count", stats.Warnings, "first", strings.Join(stats.WarningSamples, "; "))
		}
		j.afterSuccess = append(j.afterSuccess, func(ctx context.Context) error {
			v, err := json.Marshal(meta.Validators)
			if err != nil {
				return err
			}
			return j.wh.SaveState(ctx, j.store.Marketplace, j.store.ID, []clickhouse.StateEntry{{Kind: kindFeed, Key: feedKey, Value: string(v)}}, nil)
		})
		return nil
	}
}

func (j *catalogJob) feedValidators(ctx context.Context) (fetch.Validators, error) {
	var v fetch.Validators
	state, err := j.wh.LoadState(ctx, j.store.Marketplace, j.store.ID)
	if err != nil {
		return v, err
	}
	for _, e := range state {
		if e.Kind == kindFeed && e.Key == feedKey {
			if err := json.Unmarshal([]byte(e.Value), &v); err != nil {
				return v, fmt.Errorf("extract_state feed validators: %w", err)
			}
		}
	}
	return v, nil
}
