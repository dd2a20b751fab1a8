package declarative

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/paging"
	"github.com/kramar/kramar/extractors/source"
)

// ModifiedBetween walks the orders list for [from, to] with the spec's
// pagination (extractors/paging). Pages may overlap (the pipeline
// de-duplicates by id), but a page that holds nothing new — the previous
// page again, as a stale cache answers — is asked again rather than
// trusted, since moving on from it would skip a page. Records whose
// changed_at is outside the window are dropped when the spec names
// changed_at.
func (c *Client) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	o := c.spec.Orders
	p := o.Pagination
	vars := map[string]string{"from": o.Request.Time.Format(from), "to": o.Request.Time.Format(to)}
	numeric := map[string]bool{"from": o.Request.Time.Numeric(), "to": o.Request.Time.Numeric()}
	w := paging.Walk{What: "store " + c.store + ": " + o.Request.Path, Check: paging.RepeatSeen}
	switch p.Type {
	case PageOffset:
		w.Strategy, w.Step = paging.Offset, c.pageSize
	case PageCursor:
		w.Strategy = paging.Cursor
	case PageLastID:
		w.Strategy = paging.LastID
	case PageNumber:
		w.First.Page = 1
	}
	if p.Start != nil {
		w.First.Page = *p.Start
	}
	first := w.First.Page
	w.Fetch = func(ctx context.Context, r paging.Request) (paging.Page, error) {
		params := map[string]string{}
		switch p.Type {
		case PageNumber, PageOffset:
			params[p.Param] = strconv.Itoa(r.Page)
		case PageCursor, PageLastID:
			if r.Cursor != "" {
				params[p.Param] = r.Cursor
			}
		}
		if p.SizeParam != "" && p.Type != PageNone {
			params[p.SizeParam] = strconv.Itoa(c.pageSize)
		}
		raw, err := c.list(ctx, vars, numeric, params)
		if err != nil {
			return paging.Page{}, err
		}
		list, err := c.records(raw)
		if err != nil {
			return paging.Page{}, err
		}
		doc, _ := decodeAny(raw)
		pg := paging.Page{Records: paging.Records(list, c.spec.RecordID), Last: p.Type == PageNone || c.last(p, doc, len(list), r.Page-first)}
		switch p.Type {
		case PageCursor:
			v, _ := p.Next.Get(doc)
			pg.Next, _ = scalarText(v)
		case PageLastID:
			for _, rec := range pg.Records {
				if idLess(pg.Next, rec.ID) {
					pg.Next = rec.ID
				}
			}
		}
		return pg, nil
	}
	return w.Run(ctx, func(recs []source.RawOrder) error {
		if o.ChangedAt.IsSet() {
			recs = slices.DeleteFunc(recs, func(r source.RawOrder) bool { return r.ID != "" && !c.inWindow(r.Body, from, to) })
		}
		if len(recs) == 0 {
			return nil
		}
		return page(recs)
	})
}

// records reads the list of records out of an answer.
func (c *Client) records(raw json.RawMessage) ([]json.RawMessage, error) {
	o := c.spec.Orders
	records, found, err := o.Records.Raw(raw)
	if err != nil {
		return nil, fmt.Errorf("store %s: %s: the answer does not parse: %w", c.store, o.Request.Path, err)
	}
	var list []json.RawMessage
	if found {
		if err := json.Unmarshal(records, &list); err != nil {
			return nil, fmt.Errorf("store %s: %s: %s is not a list", c.store, o.Request.Path, o.Records)
		}
	} else if !hasKey(raw, o.Records) {
		return nil, fmt.Errorf("store %s: %s: the answer has no %s", c.store, o.Request.Path, o.Records)
	}
	return list, nil
}

// list makes one list request; parameters go to the query of a GET and the
// body of a POST.
func (c *Client) list(ctx context.Context, vars map[string]string, numeric map[string]bool, params map[string]string) (json.RawMessage, error) {
	r := c.spec.Orders.Request
	if r.Method == http.MethodGet {
		q := queryOf(r.Query, vars)
		for k, v := range params {
			q.Set(k, v)
		}
		return c.call(ctx, r.Method, r.Path, q, nil)
	}
	body := buildBody(r.Body, vars, numeric)
	if body == nil {
		body = map[string]any{}
	}
	for k, v := range params {
		var val any = v
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			val = json.Number(v) // page numbers, offsets, sizes and numeric ids
		}
		body = MustPath(k).Set(body, val)
	}
	return c.call(ctx, r.Method, r.Path, queryOf(r.Query, vars), body)
}

// inWindow keeps records whose change time cannot be read: the transform
// will say what is wrong with them.
func (c *Client) inWindow(rec json.RawMessage, from, to time.Time) bool {
	doc, err := decodeAny(rec)
	if err != nil {
		return true
	}
	v, ok := c.spec.Orders.ChangedAt.Get(doc)
	if !ok {
		return true
	}
	at, err := c.spec.Formats.Time.Parse(v)
	if err != nil {
		return true
	}
	return !at.Before(from.Truncate(time.Second)) && !at.After(to)
}

// last says the page just read is the last one.
func (c *Client) last(p Pagination, doc any, n, step int) bool {
	if n == 0 {
		return true
	}
	num := func(path Path) (int, bool) {
		v, ok := path.Get(doc)
		if !ok {
			return 0, false
		}
		s, _ := scalarText(v)
		i, err := strconv.Atoi(strings.TrimSpace(s))
		return i, err == nil
	}
	switch p.Stop {
	case StopHasMore:
		v, ok := p.HasMore.Get(doc)
		return !ok || !ParseBool(v, nil)
	case StopTotal:
		total, ok := num(p.Total)
		if !ok {
			return n < c.pageSize
		}
		read := step + c.pageSize // offsets advance by the size
		if p.Type == PageNumber {
			read = (step + 1) * c.pageSize
		}
		return read >= total
	case StopTotalPages:
		pages, ok := num(p.TotalPages)
		return !ok || step+1 >= pages
	case StopNoNext:
		v, _ := p.Next.Get(doc)
		s, _ := scalarText(v)
		return strings.TrimSpace(s) == ""
	case StopEmptyPage:
		return false
	}
	return n < c.pageSize
}

// idLess compares ids as integers when both are, else as text.
func idLess(a, b string) bool {
	if a == "" {
		return b != ""
	}
	x, okA := new(big.Int).SetString(a, 10)
	y, okB := new(big.Int).SetString(b, 10)
	if okA && okB {
		return x.Cmp(y) < 0
	}
	return a < b
}

// hasKey tells an explicitly null list from a missing one (an answer of
// another shape, e.g. an error the spec does not describe).
func hasKey(raw json.RawMessage, p Path) bool {
	doc, err := decodeAny(raw)
	if err != nil || len(p.steps) == 0 {
		return err == nil
	}
	parent, ok := Path{steps: p.steps[:len(p.steps)-1]}.Get(doc)
	if !ok {
		return false
	}
	last := p.steps[len(p.steps)-1]
	switch v := parent.(type) {
	case map[string]any:
		_, ok := v[last.key]
		return ok && !last.isIdx
	case []any:
		return last.isIdx
	}
	return false
}
