package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
)

// CatalogBatch is how many offers one catalog insert carries at most:
// catalogs are 10³–10⁶ offers, loaded nightly, so inserts are large and
// few. CatalogBatchBytes bounds the same by the offers' text, which a
// description makes ten times larger in one feed than in another: a batch
// is held about four times over while it is sent (offers, Arrow record,
// the driver's columns, its buffer).
const (
	CatalogBatch      = 20000
	CatalogBatchBytes = 4 << 20
)

// textBytes is about how much text an offer holds.
func textBytes(p *canon.Product) int {
	n := len(p.Name) + len(p.Description) + len(p.DescriptionHTML) + len(p.URL) + len(p.Category) + len(p.Brand)
	for _, ss := range [][]string{p.ParamNames, p.ParamUnits, p.ParamValues, p.Photos, p.CategoryPath} {
		for _, s := range ss {
			n += len(s)
		}
	}
	return n
}

// ErrNotModified says a catalog source has not changed since the last load
// (a feed answering 304): the run is recorded as not_modified and the
// current catalog stays.
var ErrNotModified = errors.New("catalog not modified since the last load")

// productPages streams a store's catalog as canonical products, page by
// page, with the records that could not be read.
type productPages func(ctx context.Context, page func(products []canon.Product, rejects []canon.Reject) error) error

// Progress reports a catalog load as it goes: offers of the store read so far.
type Progress func(store string, offers int)

// catalogJob loads a store's whole catalog. Every offer is written again
// with this run's id, first aside (staged); only a load that finished is
// published as the catalog, so a load that fails half-way never replaces
// the last good one, and offers missing from a finished load stay, marked
// unavailable.
type catalogJob struct {
	wh       *clickhouse.Warehouse
	store    config.Store
	runID    string
	now      time.Time
	result   *StoreResult
	log      *slog.Logger
	progress Progress
	// feedSource is the store's feed_url resolved against the config's folder.
	feedSource string

	pending      []canon.Product
	pendingBytes int // textBytes of pending
	rejects      []canon.Reject
	// afterSuccess runs once the whole load is in (e.g. remembering the
	// feed's validators for the next conditional GET).
	afterSuccess []func(context.Context) error
}

func (j *catalogJob) run(ctx context.Context, pages productPages) error {
	err := pages(ctx, func(ps []canon.Product, rejects []canon.Reject) error {
		j.result.Fetched += len(ps) + len(rejects)
		j.result.Rejected += len(rejects)
		for _, r := range rejects {
			j.log.Warn("offer rejected", "offer", r.RecordID, "field", r.Field, "reason", r.Reason)
		}
		j.rejects = append(j.rejects, rejects...)
		for i := range ps {
			ps[i].Marketplace, ps[i].Store = j.store.Marketplace, j.store.ID
			j.pendingBytes += textBytes(&ps[i])
		}
		j.pending = append(j.pending, ps...)
		if j.progress != nil {
			j.progress(j.store.ID, j.result.Fetched)
		}
		if len(j.pending) >= CatalogBatch || j.pendingBytes >= CatalogBatchBytes {
			return j.flush(ctx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := j.flush(ctx); err != nil {
		return err
	}
	gone, err := j.wh.PublishCatalog(ctx, j.store.Marketplace, j.store.ID, j.runID, rows.NextVersion(), time.Now())
	if err != nil {
		return err
	}
	if gone > 0 {
		j.log.Info("offers gone from the catalog are kept as unavailable", "offers", gone)
	}
	// The catalog's matches come after the catalog itself: a failure
	// here fails the run, and the next load records them.
	matched, err := j.wh.RecordCatalogMatches(ctx, j.store.Marketplace, j.store.ID, j.store.MatchBy, rows.NextVersion(), time.Now())
	if err != nil {
		return err
	}
	if matched > 0 {
		j.log.Info("products matched from the catalog", "matches", matched, "match_by", cmp.Or(j.store.MatchBy, "id"))
	}
	if err := j.wh.RecordRejects(ctx, j.runID, j.rejects, j.now); err != nil {
		return err
	}
	for _, f := range j.afterSuccess {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (j *catalogJob) flush(ctx context.Context) error {
	if len(j.pending) == 0 {
		return nil
	}
	rec, err := rows.Products(j.pending, rows.Meta{RunID: j.runID, Version: rows.NextVersion(), LoadedAt: time.Now().UTC()})
	if err != nil {
		return err
	}
	defer rec.Release()
	if err := j.wh.StageCatalog(ctx, rec); err != nil {
		return fmt.Errorf("insert products: %w", err)
	}
	j.result.New += len(j.pending)
	clear(j.pending) // the next batch reuses the array; its text goes now
	j.pending, j.pendingBytes = j.pending[:0], 0
	return nil
}

// apiProducts reads a catalog through the marketplace's API client and
// transform.
func apiProducts(cat source.Catalog, conn connectors.Connector, sc canon.Store) productPages {
	return func(ctx context.Context, page func([]canon.Product, []canon.Reject) error) error {
		return cat.Products(ctx, func(recs []source.Record) error {
			ps := make([]canon.Product, 0, len(recs))
			var rejects []canon.Reject
			for _, raw := range recs {
				p, err := conn.TransformProduct(raw.Body, sc)
				if err != nil {
					rejects = append(rejects, rejectOf(sc.Marketplace, sc.Store, raw.ID, raw.Body, err))
					continue
				}
				ps = append(ps, p)
			}
			return page(ps, rejects)
		})
	}
}

// rejectOf names the record, field and reason of a transform failure.
func rejectOf(marketplace, store, id string, body []byte, err error) canon.Reject {
	r := canon.Reject{Marketplace: marketplace, Store: store, RecordID: id, Reason: err.Error(), Payload: string(body)}
	var fe *canon.FieldError
	if errors.As(err, &fe) {
		r.Field, r.Reason = fe.Field, fe.Reason
	}
	return r
}
