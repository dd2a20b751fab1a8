// Package paging walks a marketplace's paged lists: page numbers, offsets,
// cursors or "after this id", one fetch function per list. The walk owns
// what every list needs: the guard against a stale or shifted page (asked
// again, at most MaxRepeats times in a row), a cap on the pages of one walk
// and de-duplication by id. A marketplace's own rules (Prom's ids above
// last_id, Rozetka's step back when the total drops, Horoshop's anchored
// offsets) are its Check.
package paging

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/kramar/kramar/extractors/source"
)

// Strategy is how a walk moves from one page to the next.
type Strategy int

const (
	Number Strategy = iota // page=1, 2, 3…
	Offset                 // offset=0, Step, 2·Step…
	Cursor                 // each answer names the next page's cursor
	LastID                 // each page continues after an id of the one before
)

// DefaultMaxRepeats is how often in a row a stale answer is asked again
// before the walk fails rather than loop.
const DefaultMaxRepeats = 5

// Request is the page asked for.
type Request struct {
	Page   int    // page number (Number) or offset (Offset)
	Cursor string // cursor (Cursor) or the id to continue after (LastID); "" asks for the first page
}

// Page is one answer as Fetch reads it.
type Page struct {
	// Records are the page's records with their ids. A record whose id
	// cannot be read has ID "" and is delivered all the same, so that the
	// transform rejects it by name.
	Records []source.Record
	// Next is the cursor or id the next page continues from (Cursor,
	// LastID); "" ends the walk.
	Next string
	// Last says the answer shows that no page follows it.
	Last bool
	// Current is the position the answer says it holds, where the API says
	// (Rozetka's _meta.currentPage, Epicentr's current); an answer for
	// another position than asked is a stale one and is asked again.
	Current string
}

// Verdict is what a Check makes of a page.
type Verdict struct {
	repeat bool
	jump   *Request
	err    error // before delivering
	after  error // after delivering
}

var (
	// Accept delivers the page's records not delivered before.
	Accept = Verdict{}
	// Repeat drops the page and asks for it again.
	Repeat = Verdict{repeat: true}
)

// Goto drops the page and asks for r next (a step back).
func Goto(r Request) Verdict { return Verdict{jump: &r} }

// Fail ends the walk with err.
func Fail(err error) Verdict { return Verdict{err: err} }

// Finish delivers the page's records, then ends the walk with err (a page
// the walk cannot continue from, whose records are still worth reading).
func Finish(err error) Verdict { return Verdict{after: err} }

// Seen holds the ids a walk has delivered.
type Seen map[string]bool

// Stale reports a page that is not empty and holds only records delivered
// already: an earlier page served again, as a stale cache answers.
func (s Seen) Stale(recs []source.Record) bool {
	for _, r := range recs {
		if r.ID == "" || !s[r.ID] {
			return false
		}
	}
	return len(recs) > 0
}

// RepeatSeen is the Check of a list whose pages do not overlap: a page of
// records all delivered already is asked again rather than trusted, since
// moving on from it would skip a page.
func RepeatSeen(_ Request, p *Page, seen Seen) Verdict {
	if seen.Stale(p.Records) {
		return Repeat
	}
	return Accept
}

// Walk is one walk over a list.
type Walk struct {
	// What names the list in errors ("store shop: /orders/list").
	What     string
	Strategy Strategy
	// First is the first page asked for (page numbers start at 1 in most
	// APIs, so a Number walk sets First.Page).
	First Request
	// Step is how far an Offset walk moves per page (the page size, or
	// less for pages that overlap).
	Step int
	// MaxRepeats bounds the stale answers asked again in a row (default
	// DefaultMaxRepeats).
	MaxRepeats int
	// MaxPages bounds the fetches of the walk, repeats included (0: no
	// bound). A Check may set it once the list shows its size.
	MaxPages int
	// Seen holds the ids delivered (nil: a new set). Walks sharing one
	// deliver each id once between them.
	Seen Seen
	// Fetch asks for one page.
	Fetch func(ctx context.Context, r Request) (Page, error)
	// Check, when set, judges a page before its records are delivered (the
	// marketplace's quirks); it may drop records from p. A page answered
	// for another position, or naming a cursor already asked for, is
	// repeated before Check sees it.
	Check func(r Request, p *Page, seen Seen) Verdict
}

// Run walks the list from First to the last page and calls deliver with
// the records of each page not delivered before.
func (w *Walk) Run(ctx context.Context, deliver func([]source.Record) error) error {
	if w.Seen == nil {
		w.Seen = Seen{}
	}
	req := w.First
	asked := map[string]bool{} // cursors asked for
	repeats := 0
	for fetched := 0; ; fetched++ {
		if w.MaxPages > 0 && fetched >= w.MaxPages {
			return fmt.Errorf("%s: the list kept changing; gave up after %d pages", w.What, fetched)
		}
		asked[req.Cursor] = true
		p, err := w.Fetch(ctx, req)
		if err != nil {
			return err
		}
		v := w.judge(req, &p, asked)
		switch {
		case v.err != nil:
			return v.err
		case v.repeat:
			if repeats++; repeats > cmp.Or(w.MaxRepeats, DefaultMaxRepeats) {
				return fmt.Errorf("%s keeps answering a page already read (asked for %s)", w.What, w.where(req))
			}
			continue
		case v.jump != nil:
			req = *v.jump
			continue
		}
		repeats = 0
		if fresh := w.fresh(p.Records); len(fresh) > 0 {
			if err := deliver(fresh); err != nil {
				return err
			}
		}
		if v.after != nil {
			return v.after
		}
		var more bool
		if req, more = w.next(req, p); !more {
			return nil
		}
	}
}

func (w *Walk) judge(r Request, p *Page, asked map[string]bool) Verdict {
	if p.Current != "" && p.Current != w.position(r) {
		return Repeat
	}
	if w.Strategy == Cursor && p.Next != "" && asked[p.Next] {
		return Repeat
	}
	if w.Check == nil {
		return Accept
	}
	return w.Check(r, p, w.Seen)
}

// fresh keeps the records not delivered before, and those without an id.
func (w *Walk) fresh(recs []source.Record) []source.Record {
	out := make([]source.Record, 0, len(recs))
	for _, r := range recs {
		if r.ID != "" {
			if w.Seen[r.ID] {
				continue
			}
			w.Seen[r.ID] = true
		}
		out = append(out, r)
	}
	return out
}

func (w *Walk) next(r Request, p Page) (Request, bool) {
	if p.Last {
		return r, false
	}
	switch w.Strategy {
	case Number:
		r.Page++
	case Offset:
		r.Page += w.Step
	default:
		if p.Next == "" || p.Next == r.Cursor {
			return r, false
		}
		r.Cursor = p.Next
	}
	return r, true
}

func (w *Walk) position(r Request) string {
	if w.Strategy == Cursor || w.Strategy == LastID {
		return r.Cursor
	}
	return strconv.Itoa(r.Page)
}

func (w *Walk) where(r Request) string {
	switch w.Strategy {
	case Number:
		return "page " + w.position(r)
	case Offset:
		return "offset " + w.position(r)
	case Cursor:
		return "cursor " + strconv.Quote(r.Cursor)
	}
	return "the records after id " + strconv.Quote(r.Cursor)
}

// Records pairs raw records with the ids id reads from them ("" when a
// record has none that can be read).
func Records(raws []json.RawMessage, id func(json.RawMessage) string) []source.Record {
	out := make([]source.Record, len(raws))
	for i, raw := range raws {
		out[i] = source.Record{ID: id(raw), Body: raw}
	}
	return out
}
