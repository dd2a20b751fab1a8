package paging

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/kramar/kramar/extractors/source"
)

// list is a numbered list of ids 1..n served size a page, with scripted
// stale answers: stale[k] serves the page before instead of fetch k.
type list struct {
	n, size int
	stale   map[int]bool
	fetches int
}

func (l *list) fetch(_ context.Context, r Request) (Page, error) {
	l.fetches++
	page := r.Page
	if l.stale[l.fetches] && page > 1 {
		page--
	}
	var p Page
	for id := (page-1)*l.size + 1; id <= min(page*l.size, l.n); id++ {
		p.Records = append(p.Records, source.Record{ID: strconv.Itoa(id)})
	}
	p.Last = page*l.size >= l.n
	return p, nil
}

func collect(t *testing.T, w *Walk) ([]string, error) {
	t.Helper()
	var got []string
	err := w.Run(context.Background(), func(recs []source.Record) error {
		for _, r := range recs {
			got = append(got, r.ID)
		}
		return nil
	})
	return got, err
}

func TestAStalePageIsAskedAgainAndNothingIsLostOrDoubled(t *testing.T) {
	l := &list{n: 25, size: 10, stale: map[int]bool{2: true, 3: true}}
	w := &Walk{What: "shop", Strategy: Number, First: Request{Page: 1}, Fetch: l.fetch, Check: RepeatSeen}
	got, err := collect(t, w)
	if err != nil || len(got) != 25 || got[24] != "25" || l.fetches != 5 {
		t.Fatalf("%d ids (last %v) in %d fetches, %v; want 25 in 5", len(got), got[len(got)-1:], l.fetches, err)
	}
}

func TestAServerStuckOnAStalePageFailsTheWalk(t *testing.T) {
	stale := map[int]bool{}
	for i := 2; i < 100; i++ {
		stale[i] = true
	}
	l := &list{n: 25, size: 10, stale: stale}
	w := &Walk{What: "store shop: /orders", Strategy: Number, First: Request{Page: 1}, Fetch: l.fetch, Check: RepeatSeen}
	_, err := collect(t, w)
	if err == nil || !strings.Contains(err.Error(), "store shop: /orders keeps answering a page already read (asked for page 2)") {
		t.Fatalf("err %v", err)
	}
	if l.fetches != 2+DefaultMaxRepeats {
		t.Errorf("%d fetches, want %d", l.fetches, 2+DefaultMaxRepeats)
	}
}

func TestTheCapAndAStepBack(t *testing.T) {
	l := &list{n: 30, size: 10}
	back := true
	w := &Walk{What: "shop", Strategy: Number, First: Request{Page: 1}, Fetch: l.fetch, MaxPages: 10,
		Check: func(r Request, p *Page, _ Seen) Verdict {
			if r.Page == 3 && back {
				back = false
				return Goto(Request{Page: 2})
			}
			return Accept
		}}
	got, err := collect(t, w)
	if err != nil || len(got) != 30 || l.fetches != 5 {
		t.Fatalf("%d ids in %d fetches, %v; want 30 once each in 5", len(got), l.fetches, err)
	}
	l.fetches = 0
	w = &Walk{What: "shop", Strategy: Number, First: Request{Page: 1}, Fetch: l.fetch, MaxPages: 2}
	if _, err := collect(t, w); err == nil || l.fetches != 2 {
		t.Fatalf("capped at 2 pages: %d fetches, %v", l.fetches, err)
	}
}

func TestCursorsAnsweredForAnotherPositionAreRepeated(t *testing.T) {
	fetches := 0
	w := &Walk{What: "shop", Strategy: Cursor, Fetch: func(_ context.Context, r Request) (Page, error) {
		fetches++
		switch {
		case r.Cursor == "" && fetches == 1:
			return Page{Records: []source.Record{{ID: "a"}}, Next: "c2"}, nil
		case r.Cursor == "c2" && fetches == 2: // stale: the first page again
			return Page{Records: []source.Record{{ID: "a"}}, Next: "c2", Current: ""}, nil
		case r.Cursor == "c2" && fetches == 3: // says it is another page
			return Page{Records: []source.Record{{ID: "x"}}, Next: "c9", Current: "c8"}, nil
		case r.Cursor == "c2":
			return Page{Records: []source.Record{{ID: "b"}, {ID: ""}}, Current: "c2"}, nil
		}
		t.Fatalf("asked %+v", r)
		return Page{}, nil
	}}
	got, err := collect(t, w)
	if err != nil || strings.Join(got, ",") != "a,b," || fetches != 4 {
		t.Fatalf("got %q in %d fetches, %v", got, fetches, err)
	}
}

func TestFinishDeliversThenFails(t *testing.T) {
	l := &list{n: 30, size: 10}
	w := &Walk{What: "shop", Strategy: Number, First: Request{Page: 1}, Fetch: l.fetch,
		Check: func(Request, *Page, Seen) Verdict { return Finish(errStuck) }}
	got, err := collect(t, w)
	if err != errStuck || len(got) != 10 || l.fetches != 1 {
		t.Fatalf("%d ids in %d fetches, %v; want the first page, then the error", len(got), l.fetches, err)
	}
}

var errStuck = errors.New("stuck")

// An Offset walk moves by Step; a LastID walk continues from Next and ends
// when a page names no id beyond the one it was given.
func TestOffsetAndLastIDWalks(t *testing.T) {
	var offsets []int
	w := &Walk{What: "shop", Strategy: Offset, Step: 9, Fetch: func(_ context.Context, r Request) (Page, error) {
		offsets = append(offsets, r.Page)
		return Page{Last: r.Page >= 18}, nil
	}}
	if _, err := collect(t, w); err != nil || len(offsets) != 3 || offsets[2] != 18 {
		t.Fatalf("offsets %v, %v", offsets, err)
	}
	var asked []string
	w = &Walk{What: "shop", Strategy: LastID, Fetch: func(_ context.Context, r Request) (Page, error) {
		asked = append(asked, r.Cursor)
		next := map[string]string{"": "30", "30": "20", "20": "20"}[r.Cursor]
		return Page{Records: []source.Record{{ID: next}}, Next: next}, nil
	}}
	got, err := collect(t, w)
	if err != nil || strings.Join(asked, ",") != ",30,20" || strings.Join(got, ",") != "30,20" {
		t.Fatalf("asked %q, got %q, %v", asked, got, err)
	}
}
