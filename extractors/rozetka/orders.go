package rozetka

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/kramar/kramar/extractors/paging"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/transforms/timeconv"
)

// A whole walk may fetch at most walkPasses × the first answer's pageCount
// (+ slack) pages before it gives up on a window that keeps moving.
const (
	walkPasses = 3
	walkSlack  = 10
)

// ModifiedBetween walks /orders/search for orders changed in [from, to].
// Rozetka filters in Kyiv local time without an offset (the apidoc names
// no zone), so the UTC bounds are converted exactly; around a DST switch
// the server's reading of a local time may differ by an hour, which the
// pipeline's lookback covers.
func (c *Client) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	q := url.Values{}
	q.Set("changed_from", timeconv.FormatKyiv(from, TimeLayout))
	q.Set("changed_to", timeconv.FormatKyiv(to, TimeLayout))
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
//     proxy answering an earlier page) is asked again, at most
//     paging.DefaultMaxRepeats times in a row. A page that holds nothing above the frontier after a
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
	s := &search{total: -1}
	s.walk = paging.Walk{
		What: "store " + c.store + ": /orders/search", Strategy: paging.Number, First: paging.Request{Page: 1},
		Fetch: func(ctx context.Context, r paging.Request) (paging.Page, error) {
			q.Set("page", strconv.Itoa(r.Page))
			var res OrderSearch
			if err := c.call(ctx, http.MethodGet, "/orders/search", q, nil, &res); err != nil {
				return paging.Page{}, err
			}
			s.meta = res.Meta
			p := paging.Page{Records: paging.Records(res.Orders, orderID), Last: r.Page >= res.Meta.PageCount}
			if res.Meta.CurrentPage != 0 {
				p.Current = strconv.Itoa(res.Meta.CurrentPage)
			}
			return p, nil
		},
		Check: s.check,
	}
	return s.walk.Run(ctx, page)
}

// search is the state of one walk of /orders/search.
type search struct {
	walk     paging.Walk
	meta     Meta // of the answer just read
	total    int  // totalCount when last compared; -1 before the first answer
	perPage  int
	frontier int64 // the highest id delivered
}

// check steps back when orders left the set and keeps the orders above the
// frontier.
func (s *search) check(r paging.Request, p *paging.Page, _ paging.Seen) paging.Verdict {
	m := s.meta
	if s.total < 0 {
		s.total, s.perPage = m.TotalCount, m.PerPage
		if s.perPage <= 0 {
			s.perPage = max(len(p.Records), 1)
		}
		s.walk.MaxPages = walkPasses*m.PageCount + walkSlack
	}
	if m.TotalCount < s.total {
		// Orders left the set: step back by as many positions.
		pos := max((r.Page-1)*s.perPage-(s.total-m.TotalCount), 0)
		s.total = m.TotalCount
		return paging.Goto(paging.Request{Page: pos/s.perPage + 1})
	}
	s.total = m.TotalCount
	p.Records = slices.DeleteFunc(p.Records, func(rec source.Record) bool {
		id, _ := strconv.ParseInt(rec.ID, 10, 64)
		return rec.ID != "" && id <= s.frontier
	})
	for _, rec := range p.Records {
		id, _ := strconv.ParseInt(rec.ID, 10, 64)
		s.frontier = max(s.frontier, id)
	}
	return paging.Accept
}

// orderID reads an order's id (a positive number).
func orderID(raw json.RawMessage) string { return source.PeekNumber(raw, "id") }
