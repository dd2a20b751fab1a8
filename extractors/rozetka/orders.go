package rozetka

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kramar/kramar/extractors/source"
)

// Pager limits: a page answered for another page number is asked again at most
// maxRepeats times in a row, and a whole walk may fetch at most
// walkPasses × the first answer's pageCount (+ slack) pages before it gives
// up on a window that keeps moving.
const (
	maxRepeats = 5
	walkPasses = 3
	walkSlack  = 10
)

// ModifiedBetween walks /orders/search for orders changed in [from, to].
// Rozetka filters in Kyiv local time without an offset, so the
// UTC bounds are converted exactly; around a DST switch the server's
// reading of a local time may differ by an hour, which the pipeline's
// lookback covers.
func (c *Client) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	q := url.Values{}
	q.Set("changed_from", KyivTime(from))
	q.Set("changed_to", KyivTime(to))
	return c.SearchOrders(ctx, q, page)
}

// SearchOrders walks every page of /orders/search for the filters in q
// (Rozetka's names and formats), ascending by id with OrderExpand.
//
// Pages are numbered, 20 orders each, so positions, not ids, decide what a
// page holds. While we walk, the marketplace keeps changing orders; one
// changed during the pull gets `changed` past `to` and leaves the filtered
// set, and every later order moves one position back: the order that was
// first on the next page is now last on the page we already read, and a
// naive walk skips it. The walk therefore keeps a frontier — the highest
// id delivered, below which nothing was missed — and compares every page's
// _meta.totalCount with the last one:
//
//   - totalCount fell by k: up to k orders before the frontier left, so the
//     frontier's successor is at most k positions earlier than planned. The
//     walk steps back to the page holding that position and goes on from
//     there; orders at or below the frontier are not delivered again.
//   - totalCount rose (orders entered, possible only when `to` is in the
//     future): later orders move forward, which repeats orders, never skips.
//   - a page whose _meta.currentPage is not the page asked for (a cache or
//     proxy answering an earlier page) is asked again, at most maxRepeats
//     times in a row. A page that holds nothing above the frontier after a
//     step back is normal and is passed.
//
// A stable set costs no extra request. The walk is bounded by walkPasses
// times the first pageCount; beyond it the window is moving faster than it
// can be read and the walk fails rather than return a partial set.
// Callers de-duplicate by id anyway (source.Orders).
func (c *Client) SearchOrders(ctx context.Context, filters url.Values, page func([]source.RawOrder) error) error {
	q := url.Values{}
	for k, v := range filters {
		q[k] = v
	}
	q.Set("expand", OrderExpand)
	q.Set("sort", "id")
	var (
		next     = 1
		total    = -1
		perPage  = 0
		frontier int64
		budget   = 0
		fetched  = 0
		repeats  = 0
	)
	for {
		q.Set("page", strconv.Itoa(next))
		var res OrderSearch
		if err := c.call(ctx, http.MethodGet, "/orders/search", q, nil, &res); err != nil {
			return err
		}
		fetched++
		m := res.Meta
		if total < 0 {
			total, perPage = m.TotalCount, m.PerPage
			if perPage <= 0 {
				perPage = max(len(res.Orders), 1)
			}
			budget = walkPasses*m.PageCount + walkSlack
		}
		if fetched > budget {
			return fmt.Errorf("store %s: /orders/search: the window kept changing; gave up after %d pages", c.store, fetched)
		}
		if m.TotalCount < total {
			// Orders left the set: step back by as many positions.
			pos := max((next-1)*perPage-(total-m.TotalCount), 0)
			total = m.TotalCount
			next = pos/perPage + 1
			continue
		}
		if m.CurrentPage != 0 && m.CurrentPage != next {
			repeats++
			if repeats > maxRepeats {
				return fmt.Errorf("store %s: /orders/search keeps answering page %d when asked for page %d", c.store, m.CurrentPage, next)
			}
			continue
		}
		repeats = 0
		total = m.TotalCount
		fresh, top := aboveFrontier(res.Orders, frontier)
		last := next >= m.PageCount
		if len(fresh) > 0 {
			if err := page(fresh); err != nil {
				return err
			}
			frontier = max(frontier, top)
		}
		if last {
			return nil
		}
		next++
	}
}

// aboveFrontier keeps the orders with an id above frontier (and any whose
// id cannot be read, so the transform rejects them by name) and returns
// the highest id kept.
func aboveFrontier(orders []json.RawMessage, frontier int64) ([]source.RawOrder, int64) {
	fresh := make([]source.RawOrder, 0, len(orders))
	var top int64
	for _, raw := range orders {
		id, ok := peekID(raw, "id")
		switch {
		case !ok:
			fresh = append(fresh, source.RawOrder{Body: raw})
		case id > frontier:
			fresh = append(fresh, source.RawOrder{ID: strconv.FormatInt(id, 10), Body: raw})
			top = max(top, id)
		}
	}
	return fresh, top
}
