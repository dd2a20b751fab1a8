package epicentr

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/kramar/kramar/extractors/paging"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/transforms/timeconv"
)

// MaxPageSize is the largest `limit` the order list takes.
const MaxPageSize = 100

// SortNewestFirst is the list order every walk asks for (sort[]=-createdAt).
const SortNewestFirst = "-createdAt"

// DefaultSettledHorizon: an Epicentr order is normally settled (completed,
// closed, cancelled, returned) within a month of its creation — delivery,
// the branch's storage days and the 14-day return period.
const DefaultSettledHorizon = 30 * 24 * time.Hour

// ActiveStatuses are the statuses from which an order still moves by
// itself (the seller, the carrier or the buyer acts next). Every pull
// re-reads every order in them, whatever its age. That is also how a new
// order's buyer contacts, which Epicentr hides until the seller confirms
// the order, reach the warehouse: the pull after the confirmation.
var ActiveStatuses = []string{
	StatusNew, StatusConfirmedByMerchant, StatusConfirmed, StatusSent, StatusDelivered, StatusReturnRequested,
}

// maxPages bounds the pages of one walk.
const maxPages = 1_000_000

// ListQuery is a filter of GET /v3/oms/orders in Epicentr's names.
type ListQuery struct {
	Statuses []string // filter[statusCode][] (repeatable)
	Number   string   // filter[number]: the public order number
	Sort     string   // sort[]; empty means SortNewestFirst
}

func (q ListQuery) values(limit int) url.Values {
	v := url.Values{}
	for _, s := range q.Statuses {
		v.Add("filter[statusCode][]", s)
	}
	if q.Number != "" {
		v.Set("filter[number]", q.Number)
	}
	sort := q.Sort
	if sort == "" {
		sort = SortNewestFirst
	}
	v.Set("sort[]", sort)
	v.Set("limit", strconv.Itoa(limit))
	return v
}

// walk follows the list's cursors from the first page to the last (or to
// the page that reaches orders created before cutoff, when it is set),
// delivering the orders seen does not hold yet.
//
// Cursors are positions in the sorted list, not page numbers, so orders
// that change or appear while we walk never shift the pages still to come.
// Two server faults remain, and both are absorbed:
//   - a page answered for another cursor (a stale cache repeating the
//     previous page): its `current` is not the cursor asked for, or (when
//     `current` is empty, as on a first page) its `next` is a cursor this
//     walk has already asked for. The page is dropped and asked again, at
//     most paging.DefaultMaxRepeats times in a row, then the walk fails
//     rather than loop.
//   - a page that starts a few orders early: the overlap repeats orders
//     already delivered, which seen drops by id.
func (c *Client) walk(ctx context.Context, q ListQuery, seen paging.Seen, cutoff time.Time, page func([]source.RawOrder) error) error {
	v := q.values(c.pageSize)
	w := paging.Walk{
		What: "store " + c.store + ": " + PathOrders, Strategy: paging.Cursor, MaxPages: maxPages, Seen: seen,
		Fetch: func(ctx context.Context, r paging.Request) (paging.Page, error) {
			if r.Cursor != "" {
				v.Set("cursor", r.Cursor)
			}
			var res OrderList
			if err := c.api.GetJSON(ctx, PathOrders, v, &res); err != nil {
				return paging.Page{}, err
			}
			last := len(res.Items) == 0 || !cutoff.IsZero() && endsBefore(res.Items, cutoff)
			ids := func(raw json.RawMessage) string { return peekString(raw, "id") }
			return paging.Page{Records: paging.Records(res.Items, ids), Next: string(res.Next), Current: string(res.Current), Last: last}, nil
		},
	}
	return w.Run(ctx, page)
}

// ModifiedBetween delivers every order that may have changed in
// [from, to], each once.
//
// The order list has no change-time filter and orders carry no change
// time: only a status filter and sorting by creation. So an order's
// changes are found through its status, in two walks:
//
//  1. every order in an ActiveStatus, whatever its age: whatever moves
//     next, including a settled order brought back (a return request), is
//     seen on the next pull;
//  2. every order, any status, newest first, back to SettledHorizon before
//     `from`: new orders, and orders that settled since the last pull
//     (they left walk 1's set). Unknown future status codes are covered
//     here too.
//
// What this misses: an order older than the horizon moving from an active
// status straight to a settled one (a return closed after two months) keeps
// its last active status in the warehouse. Orders created after `to` are
// delivered as well; the pipeline's content hash makes re-reading an
// unchanged order cost nothing but the transfer.
func (c *Client) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	seen := paging.Seen{}
	if err := c.walk(ctx, ListQuery{Statuses: ActiveStatuses}, seen, time.Time{}, page); err != nil {
		return err
	}
	return c.walk(ctx, ListQuery{}, seen, from.Add(-c.SettledHorizon), page)
}

// endsBefore says a newest-first page reached orders created before
// cutoff: its last readable createdAt is earlier.
func endsBefore(items []json.RawMessage, cutoff time.Time) bool {
	for i := len(items) - 1; i >= 0; i-- {
		s := peekString(items[i], "createdAt")
		if s == "" {
			continue
		}
		t, err := timeconv.Parse(s, timeconv.Kyiv)
		if err != nil {
			continue
		}
		return t.Before(cutoff)
	}
	return false
}

// peekString reads a top-level string (or number) field without decoding
// the record.
func peekString(raw json.RawMessage, key string) string {
	v, ok := source.PeekField(raw, key)
	if !ok {
		return ""
	}
	var t Text
	if t.UnmarshalJSON(v) != nil {
		return ""
	}
	return string(t)
}
