package pipeline

import (
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

// CatalogBatch is how many offers one catalog insert carries: catalogs are
// 10³–10⁶ offers, loaded nightly, so inserts are large and few.
const CatalogBatch = 20000

// catalogJob loads a store's whole catalog. Every offer is written again
// with this run's id; v_products shows the latest load that finished, so a
// load that fails half-way never replaces the last good catalog.
type catalogJob struct {
	wh     *clickhouse.Warehouse
	store  config.Store
	conn   connectors.Connector
	src    source.Catalog
	sc     connectors.StoreContext
	runID  string
	now    time.Time
	result *StoreResult
	log    *slog.Logger

	seen    map[string]struct{}
	pending []canon.Product
	rejects []canon.Reject
}

func (j *catalogJob) run(ctx context.Context) error {
	prev, err := j.wh.LastCatalogRun(ctx, j.store.Marketplace, j.store.ID)
	if err != nil {
		return err
	}
	j.seen = map[string]struct{}{}
	err = j.src.Products(ctx, func(page []source.Record) error {
		for _, raw := range page {
			if raw.ID != "" {
				if _, dup := j.seen[raw.ID]; dup {
					continue
				}
				j.seen[raw.ID] = struct{}{}
			}
			j.result.Fetched++
			p, err := j.conn.TransformProduct(raw.Body, j.sc)
			if err != nil {
				j.reject(raw, err)
				continue
			}
			j.pending = append(j.pending, p)
		}
		if len(j.pending) >= CatalogBatch {
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
	gone, err := j.wh.CarryOverMissing(ctx, j.store.Marketplace, j.store.ID, prev, j.runID, rows.NextVersion(), time.Now())
	if err != nil {
		return err
	}
	if gone > 0 {
		j.log.Info("offers gone from the catalog are kept as unavailable", "offers", gone)
	}
	return j.wh.RecordRejects(ctx, j.runID, j.rejects, j.now)
}

func (j *catalogJob) reject(raw source.Record, err error) {
	r := canon.Reject{Marketplace: j.store.Marketplace, Store: j.store.ID, RecordID: raw.ID, Reason: err.Error(), Payload: string(raw.Body)}
	var fe *canon.FieldError
	if errors.As(err, &fe) {
		r.Field, r.Reason = fe.Field, fe.Reason
	}
	j.result.Rejected++
	j.rejects = append(j.rejects, r)
	j.log.Warn("offer rejected", "offer", raw.ID, "field", r.Field, "reason", r.Reason)
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
	if err := j.wh.Insert(ctx, rows.ProductsTable, rec); err != nil {
		return fmt.Errorf("insert products: %w", err)
	}
	j.result.New += len(j.pending)
	j.pending = j.pending[:0]
	return nil
}
