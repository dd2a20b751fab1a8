package horoshop

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/paging"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/transforms/timeconv"
)

// ModifiedBetween delivers the orders placed in [from − Revisit, to].
//
// orders/get filters by the date an order was placed (stat_created; wiki
// orders/get): it has no "changed since" filter and orders carry no
// modification time. A status, payment or waybill change of an older order is therefore only
// seen by reading that order again, so every pull re-reads the last
// Revisit (30 days by default); the pipeline's content hash keeps the
// unchanged ones from being written again. from/to are sent as Kyiv
// local time; around a DST switch the shop's reading may differ by an
// hour, which Revisit and the pipeline's lookback cover.
func (c *Client) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	req := OrdersRequest{From: timeconv.FormatKyiv(from.Add(-c.Revisit), TimeLayout), To: timeconv.FormatKyiv(to, TimeLayout)}
	return c.Orders(ctx, req, page)
}

// Orders walks every page of orders/get for the filters in req (its Offset
// and Limit are the walk's own).
func (c *Client) Orders(ctx context.Context, req OrdersRequest, page func([]source.RawOrder) error) error {
	return walk(ctx, c, PathOrdersGet, "orders", "order_id", c.pageSize, func(offset, limit int) any {
		r := req
		r.Offset, r.Limit = offset, limit
		return r
	}, page)
}

// Get fetches one order by its number; *source.NotFoundError when the shop
// answers EMPTY or without it.
func (c *Client) Get(ctx context.Context, id string) (source.RawOrder, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return source.RawOrder{}, &source.NotFoundError{ID: id}
	}
	var list OrderList
	if _, err := c.call(ctx, PathOrdersGet, OrdersRequest{IDs: []int64{n}}, &list); err != nil {
		return source.RawOrder{}, err
	}
	for _, raw := range list.Orders {
		if got := peekID(raw, "order_id"); got == strconv.FormatInt(n, 10) {
			return source.RawOrder{ID: got, Body: raw}, nil
		}
	}
	return source.RawOrder{}, &source.NotFoundError{ID: id}
}

// maxStepBacks bounds the steps back of one walk before it gives up on a
// set that keeps moving.
const maxStepBacks = 20

// walk pages a list function with limit and offset. Positions, not ids,
// decide what a page holds, and the API documents neither an order nor a
// total, so the walk anchors every page on the last record it delivered:
// consecutive pages overlap by one position, and a page must hold that
// anchor; what follows it is the continuation, so nothing between two
// pages can be skipped.
//
//   - Anchor first: the usual case. Anchor later in the page: the page
//     starts early (records inserted before it, or a proxy shifting it);
//     the continuation still follows the anchor.
//   - No anchor, nothing new: an earlier page served again (a stale
//     cache); asked again, at most paging.DefaultMaxRepeats times in a row.
//   - No anchor but new records, or nothing at all: records before the
//     offset left the set (an order deleted mid-walk), so the anchor moved
//     back: the walk steps back a page, at most maxStepBacks times.
//   - A page shorter than the limit, or with nothing after the anchor,
//     ends the walk.
//
// For orders/get the set hardly moves: orders are filtered by the date
// they were placed and `to` is in the past, so no order enters or leaves
// while we read, except by deletion. The anchor costs one record a page.
// Records are de-duplicated by key within the walk; callers de-duplicate
// across walks. The records are response[field], identified by their key.
func walk(ctx context.Context, c *Client, path, field, key string, limit int,
	request func(offset, limit int) any, page func([]source.Record) error) error {
	limit = max(limit, 2) // the overlap needs two records a page
	a := &anchored{what: "store " + c.store + ": POST " + path, key: key, limit: limit}
	w := paging.Walk{
		What: a.what, Strategy: paging.Offset, Step: limit - 1, Check: a.check,
		Fetch: func(ctx context.Context, r paging.Request) (paging.Page, error) {
			got, err := c.list(ctx, path, field, request(r.Page, limit))
			if err != nil {
				return paging.Page{}, err
			}
			ids := func(raw json.RawMessage) string { return peekID(raw, key) }
			return paging.Page{Records: paging.Records(got, ids)}, nil
		},
	}
	return w.Run(ctx, page)
}

// anchored is the state of a walk whose pages overlap by one record.
type anchored struct {
	what, key string
	limit     int
	anchor    string // the last readable id of the page before
	stepBacks int
}

func (a *anchored) check(r paging.Request, p *paging.Page, seen paging.Seen) paging.Verdict {
	got := p.Records
	at := -1
	if a.anchor != "" {
		at = slices.IndexFunc(got, func(rec source.Record) bool { return rec.ID == a.anchor })
		if at < 0 {
			unseen := slices.ContainsFunc(got, func(rec source.Record) bool { return rec.ID != "" && !seen[rec.ID] })
			if !unseen && len(got) > 0 {
				return paging.Repeat
			}
			if a.stepBacks++; a.stepBacks > maxStepBacks {
				return paging.Fail(fmt.Errorf("%s: the list kept shifting; gave up after %d steps back", a.what, maxStepBacks))
			}
			offset := max(r.Page-(a.limit-1), 0)
			if offset == 0 {
				a.anchor = "" // the first page needs none
			}
			return paging.Goto(paging.Request{Page: offset})
		}
	}
	p.Records = got[at+1:]
	if p.Last = len(got) < a.limit || at+1 >= len(got); p.Last {
		return paging.Accept
	}
	if a.anchor = lastID(got); a.anchor == "" {
		return paging.Finish(fmt.Errorf("%s: no record of a page has a readable %s to continue from", a.what, a.key))
	}
	return paging.Accept
}

// lastID is the last readable id of a page; an unreadable last record
// makes the next page find its anchor a little later, which is fine.
func lastID(recs []source.Record) string {
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].ID != "" {
			return recs[i].ID
		}
	}
	return ""
}

// list calls a list function and returns response[field] (nil for EMPTY).
func (c *Client) list(ctx context.Context, path, field string, body any) ([]json.RawMessage, error) {
	var resp map[string]json.RawMessage
	if _, err := c.call(ctx, path, body, &resp); err != nil {
		return nil, err
	}
	raw, ok := resp[field]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("store %s: POST %s: response.%s is not a list: %w", c.store, path, field, err)
	}
	return out, nil
}

// peekID reads a record's key (a number or a string) without decoding
// it; "" when it has none (0 is none).
func peekID(raw json.RawMessage, key string) string {
	if id := source.PeekID(raw, key); id != "0" {
		return id
	}
	return ""
}
