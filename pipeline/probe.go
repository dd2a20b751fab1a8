package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/extractors/feeds/fetch"
	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
)

// ProbeCall is what one read call of a probe found.
type ProbeCall struct {
	// Call names what was asked ("orders of the last 30 days").
	Call string
	// Endpoint is the marketplace's API call, as drift reports name it.
	Endpoint string
	Records  int
	// Err is the call's failure; nil when it answered.
	Err error
	// Drift lists what the answers showed that the wire model does not expect.
	Drift []drift.Entry
	// Rejects are the records the transform could not load.
	Rejects []canon.Reject
	// Note says something worth knowing that is not a failure.
	Note string
}

// Failed tells whether the call shows something the pipeline needs is
// missing: it failed, a record was rejected, or a required field (the id,
// the money) is absent. A required field of another type that could still
// be read is a difference, not a failure; one that could not is a reject.
func (c ProbeCall) Failed() bool {
	if c.Err != nil || len(c.Rejects) > 0 {
		return true
	}
	for _, e := range c.Drift {
		if e.Required && e.Kind == drift.Missing {
			return true
		}
	}
	return false
}

// ProbeReport is a store's contract check.
type ProbeReport struct {
	Store, Marketplace string
	Calls              []ProbeCall
}

// OK says nothing the pipeline needs is missing.
func (p ProbeReport) OK() bool {
	for _, c := range p.Calls {
		if c.Failed() {
			return false
		}
	}
	return true
}

// probeSample is how many records of each list a probe checks.
const probeSample = 50

var errEnough = errors.New("probe: enough records")

// Probe checks a store's real API against kramar's wire models without
// changing anything there: it reads one page of the orders changed in the
// last `days` days, one order by id, one page of the catalog (or the
// store's YML feed, read through) and the reference lists (those the
// store's client has), decodes each answer as the jobs would, and compares
// it with the wire model. Nothing is written to the warehouse either.
func (r *Runner) Probe(ctx context.Context, storeID string, days int) (ProbeReport, error) {
	stores, err := r.pick([]string{storeID})
	if err != nil {
		return ProbeReport{}, err
	}
	st := stores[0]
	rep := ProbeReport{Store: st.ID, Marketplace: st.Marketplace}
	conn, _, src, sc, err := r.open(st)
	if err != nil {
		return rep, err
	}
	now := r.now()
	to := now.UTC()
	from := to.AddDate(0, 0, -days)
	// An order is loaded as the order job would; one the store skips by
	// its own rules is no failure.
	loadOrder := func(raw source.RawOrder) error {
		_, err := conn.Transform(raw.Body, sc)
		if errors.Is(err, connectors.ErrSkipped) {
			return nil
		}
		return err
	}
	sample, sampled := src.(source.Sampler)
	if !sampled {
		sample = firstPages{src}
	}
	orders := ProbeCall{Call: fmt.Sprintf("orders changed in the last %d days", days), Endpoint: conn.OrdersEndpoint}
	raws, err := sample.Sample(ctx, from, to, probeSample)
	orders.Err = err
	probeRecords(&orders, raws, conn.OrderModel(), now, loadOrder, st, conn)
	if err == nil && len(raws) == 0 {
		orders.Note = "no orders in the window: nothing to compare; try a longer --days"
	}
	rep.Calls = append(rep.Calls, orders)

	// A sampler reads orders the way Get would (the 1C exchange): one read is enough.
	if len(raws) > 0 && !sampled {
		one := ProbeCall{Call: "one order by id (" + raws[0].ID + ")", Endpoint: conn.OrdersEndpoint}
		raw, err := src.Get(ctx, raws[0].ID)
		one.Err = err
		if err == nil {
			probeRecords(&one, []source.RawOrder{raw}, conn.OrderModel(), now, loadOrder, st, conn)
		}
		rep.Calls = append(rep.Calls, one)
	}

	if cat, ok := src.(source.Catalog); ok && conn.TransformProduct != nil && st.FeedURL == "" {
		call := ProbeCall{Call: "catalog, first page", Endpoint: conn.ProductsEndpoint}
		var page []source.Record
		err := cat.Products(ctx, func(p []source.Record) error {
			page = append(page, p...)
			return errEnough
		})
		if errors.Is(err, errEnough) {
			err = nil
		}
		call.Err = err
		probeRecords(&call, page, conn.ProductModel(), now, func(raw source.RawOrder) error {
			_, err := conn.TransformProduct(raw.Body, sc)
			return err
		}, st, conn)
		rep.Calls = append(rep.Calls, call)
	}

	if st.FeedURL != "" {
		rep.Calls = append(rep.Calls, probeFeed(ctx, st.FeedSource(r.Config.Path)))
	}

	if ref, ok := src.(source.Reference); ok {
		call := ProbeCall{Call: "reference lists (statuses, deliveries, payments)"}
		opts, err := ref.Options(ctx)
		call.Err = err
		call.Records = len(opts)
		if err == nil {
			call.Note = optionCounts(opts)
		}
		rep.Calls = append(rep.Calls, call)
	}
	return rep, nil
}

// probeFeed reads the store's YML feed through (no validators kept: the
// next catalog job still downloads it) and says what it holds.
func probeFeed(ctx context.Context, src string) ProbeCall {
	call := ProbeCall{Call: "catalog feed"}
	body, meta, _, err := fetch.Open(ctx, src, fetch.Validators{}, fetch.Options{MaxBytes: MaxFeedBytes})
	call.Endpoint = meta.Source
	if err != nil {
		call.Err = err
		return call
	}
	defer body.Close()
	stats, err := yml.Count(ctx, body, yml.Options{MaxBytes: MaxFeedBytes, Name: meta.Source})
	call.Records, call.Err = stats.Offers, err
	call.Note = fmt.Sprintf("%s, %d categories, %d currencies", stats.Encoding, stats.Categories, stats.Currencies)
	if stats.Warnings > 0 {
		call.Note += fmt.Sprintf(", %d warnings", stats.Warnings)
		if len(stats.WarningSamples) > 0 {
			call.Note += ", first: " + stats.WarningSamples[0]
		}
	}
	return call
}

// probeRecords checks records against model and tries to load each.
func probeRecords(call *ProbeCall, raws []source.RawOrder, model *drift.Model, now time.Time, load func(source.RawOrder) error, st config.Store, conn connectors.Connector) {
	call.Records = len(raws)
	var tally drift.Tally
	for _, raw := range raws {
		if model != nil {
			tally.Check(model, call.Endpoint, raw.Body, now)
		}
		if err := load(raw); err != nil {
			id := raw.ID
			if id == "" && conn.RecordID != nil {
				id = conn.RecordID(raw.Body)
			}
			call.Rejects = append(call.Rejects, rejectOf(st.Marketplace, st.ID, id, raw.Body, err))
		}
	}
	call.Drift = tally.Entries()
}

func optionCounts(opts []canon.Option) string {
	n := map[string]int{}
	for _, o := range opts {
		n[o.Kind]++
	}
	kinds := make([]string, 0, len(n))
	for k := range n {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	s := ""
	for _, k := range kinds {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", n[k], k)
	}
	if s == "" {
		return "the marketplace lists no options"
	}
	return s
}

// firstPages samples an order API that reads without side effects: the
// first pages of ModifiedBetween.
type firstPages struct{ src source.Orders }

func (f firstPages) Sample(ctx context.Context, from, to time.Time, n int) ([]source.RawOrder, error) {
	var out []source.RawOrder
	err := f.src.ModifiedBetween(ctx, from, to, func(p []source.RawOrder) error {
		out = append(out, p...)
		if len(out) >= n {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return out, err
}
