package epicentr

import (
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// offerTask is one POST /v1/offers: checked at once, applied at due.
type offerTask struct {
	due     time.Time
	result  wire.OfferUpdateResult
	updates map[int]wire.OfferUpdate // the enqueued items, by item id
	applied bool
}

// handleOffers checks each item now and applies the enqueued ones
// OfferDelay later on the sandbox clock, as the real update is
// asynchronous. The answer may carry every item status (processed,
// enqueued, skipped, forbidden): an invalid item is skipped with errors,
// an sku the seller has no offer for is forbidden at once, the rest are enqueued (and
// forbidden later if the offer is gone by then).
func (s *Sandbox) handleOffers(w http.ResponseWriter, r *http.Request) {
	var req wire.OfferUpdateRequest
	if _, ok := readBody(w, r, &req); !ok {
		return
	}
	if len(req.Items) == 0 || len(req.Items) > wire.MaxOfferBatch {
		fail(w, invalid("items", "validation.count"))
		return
	}
	st := s.stores.Of(r)
	task := &offerTask{due: s.Clock().Now().Add(offerDelay), updates: map[int]wire.OfferUpdate{}}
	st.mu.Lock()
	for i, it := range req.Items {
		res := wire.OfferItemResult{ID: i + 1, IDType: "sku", SKU: it.SKU, Status: wire.OfferEnqueued}
		if errs := checkOffer(it); len(errs) > 0 {
			res.Status, res.Errors = wire.OfferSkipped, errs
		} else if st.offers[it.SKU] == nil {
			res.Status, res.Errors = wire.OfferForbidden, offerNotFound()
		} else {
			task.updates[res.ID] = it
		}
		task.result.Items = append(task.result.Items, res)
	}
	st.nTasks++
	task.result.RequestID = st.id + "-req-" + strconv.Itoa(st.nTasks)
	task.result.Total = len(req.Items)
	st.tasks[task.result.RequestID] = task
	out := copyResult(task.result)
	st.mu.Unlock()
	kit.WriteJSON(w, http.StatusOK, out)
}

// checkOffer is the synchronous validation of one item.
func checkOffer(it wire.OfferUpdate) map[string][]string {
	errs := map[string][]string{}
	if it.SKU == "" {
		errs["sku"] = []string{"validation.required"}
	}
	if it.Prices != nil {
		if _, ok := kopecks(it.Prices.Price); !ok {
			errs["prices"] = []string{"validation.positive"}
		}
	}
	if a := it.Availability; a != "" && a != wire.InStock && a != wire.NotAvailable {
		errs["availability"] = []string{"validation.choice"}
	}
	if it.Prices == nil && it.Availability == "" {
		errs["item"] = []string{"validation.empty"}
	}
	return errs
}

// kopecks reads a positive price with at most two decimals.
func kopecks(n wire.Number) (int64, bool) {
	d, err := decimal.NewFromString(string(n))
	if err != nil || !d.IsPositive() || d.Exponent() < -2 && !d.Equal(d.Round(2)) {
		return 0, false
	}
	return d.Shift(2).IntPart(), true
}

func (s *Sandbox) handleOfferResults(w http.ResponseWriter, r *http.Request) {
	st := s.stores.Of(r)
	st.mu.Lock()
	st.settle(s.Clock().Now())
	task := st.tasks[r.PathValue("requestId")]
	var out wire.OfferUpdateResult
	if task != nil {
		out = copyResult(task.result)
	}
	st.mu.Unlock()
	if task == nil {
		fail(w, refuse(http.StatusNotFound, "Request not found"))
		return
	}
	kit.WriteJSON(w, http.StatusOK, out)
}

// settle applies every task that is due: an item for an offer the store
// has becomes processed, any other forbidden. Caller holds mu.
func (s *store) settle(now time.Time) {
	for _, task := range s.tasks {
		if task.applied || now.Before(task.due) {
			continue
		}
		task.applied = true
		for i := range task.result.Items {
			res := &task.result.Items[i]
			it, ok := task.updates[res.ID]
			if !ok {
				continue
			}
			o := s.offers[it.SKU]
			if o == nil {
				res.Status, res.Errors = wire.OfferForbidden, offerNotFound()
				continue
			}
			res.Status = wire.OfferProcessed
			if it.Prices != nil {
				o.Price, _ = kopecks(it.Prices.Price)
			}
			if it.Availability != "" {
				o.Availability = it.Availability
			}
		}
	}
}

func copyResult(r wire.OfferUpdateResult) wire.OfferUpdateResult {
	r.Items = append([]wire.OfferItemResult(nil), r.Items...)
	return r
}

// offerNotFound is the error of an item whose sku the seller has no offer for.
func offerNotFound() map[string][]string { return map[string][]string{"sku": {"offer.not_found"}} }
