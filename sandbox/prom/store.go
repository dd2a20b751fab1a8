package prom

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"sync"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
)

// record is one order with everything the list needs pre-computed: the
// filters compare integers and the page is a concatenation of cached JSON.
type record struct {
	order    wire.Order
	created  int64 // unix seconds, truncated (filters have second precision)
	modified int64
	compact  bool   // dates written as "2006-01-02 15:04:05"
	badQty   bool   // products[0].quantity goes out as the string "abc"
	raw      []byte // immutable once set; replaced, never edited, on change
	// name is where status_name's text sits in raw, so an answer in
	// another language splices its label in without re-encoding.
	name [2]int
}

func (r *record) formatTime(t time.Time) string {
	if r.compact {
		return t.UTC().Format(compactLayout)
	}
	return t.UTC().Format(isoLayout)
}

func (r *record) setCreated(t time.Time) {
	r.order.DateCreated = r.formatTime(t)
	r.created = t.Unix()
}

func (r *record) setModified(t time.Time) {
	r.order.DateModified = r.formatTime(t)
	r.modified = t.Unix()
}

// encode refreshes raw from order.
func (r *record) encode() {
	o := r.order
	if r.badQty && len(o.Products) > 0 {
		// encoding/json refuses an invalid json.Number, so emit a placeholder
		// and splice the string in: the JSON stays valid, the field does not.
		o.Products = append([]wire.Product(nil), o.Products...)
		o.Products[0].Quantity = "0"
		r.raw = bytes.Replace(kit.MustJSON(o), []byte(`"quantity":0`), []byte(`"quantity":"abc"`), 1)
	} else {
		r.raw = kit.MustJSON(o)
	}
	r.locateName()
}

// statusNameKey precedes status_name's value; the key comes after the
// products, so the last occurrence is the order's own.
var statusNameKey = []byte(`"status_name":"`)

func (r *record) locateName() {
	r.name = [2]int{-1, -1}
	at := bytes.LastIndex(r.raw, statusNameKey)
	if at < 0 {
		return
	}
	start := at + len(statusNameKey)
	if end := bytes.IndexByte(r.raw[start:], '"'); end >= 0 {
		r.name = [2]int{start, start + end}
	}
}

// localized is the record as an answer in lang: the cached bytes in three
// parts, the middle one the base status's label in lang (label is nil
// when the cached text stands).
func (r *record) localized(lang string) (head, label, tail []byte) {
	name, ok := localName(r.order.Status, lang)
	if !ok || r.name[0] < 0 {
		return r.raw, nil, nil
	}
	return r.raw[:r.name[0]], []byte(name), r.raw[r.name[1]:]
}

// parseOrderTime reads both date forms the sandbox writes.
func parseOrderTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.ParseInLocation(compactLayout, s, time.UTC); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// store is one Prom company: its orders sorted by ascending id.
type store struct {
	id      string
	index   int
	catalog []catalogItem
	// stock is the catalog's presence and quantity, by catalog index;
	// byExternal finds a product by external id (both under mu).
	stock      []stockLevel
	byExternal map[string]int
	mu         sync.RWMutex
	book       *kit.Book[int64, record]
	// stalled are save_declaration_id calls not applied yet (under the
	// sandbox's stallMu; see StallDeclarations).
	stalled []wire.SaveDeclarationRequest
}

var errNotFound = errors.New("Order not found")

// Key, Own and Seal make record a kit.Record.
func (r *record) Key() int64 { return r.order.ID }
func (r *record) Own()       { r.order = kit.DeepCopy(r.order) }
func (r *record) Seal()      { r.encode() }

func newBook() *kit.Book[int64, record] { return kit.NewRecordBook[int64, record](errNotFound) }

// update applies change to order id and stamps date_modified with now, as
// the marketplace does.
func (s *store) update(id int64, now time.Time, change func(*record) error) error {
	return s.book.Update(id, func(r *record) error {
		if err := change(r); err != nil {
			return err
		}
		r.setModified(now)
		return nil
	})
}

// listQuery is a parsed /orders/list request.
type listQuery struct {
	status                 string
	createdFrom, createdTo int64
	modFrom, modTo         int64
	limit                  int
	lastID                 int64
	asc                    bool
}

func newListQuery() listQuery {
	return listQuery{
		createdFrom: math.MinInt64, createdTo: math.MaxInt64,
		modFrom: math.MinInt64, modTo: math.MaxInt64,
		limit: defaultLimit, lastID: math.MaxInt64,
	}
}

func (q *listQuery) match(r *record) bool {
	return r.created >= q.createdFrom && r.created <= q.createdTo &&
		r.modified >= q.modFrom && r.modified <= q.modTo &&
		(q.status == "" || r.order.Status == q.status)
}

// pageFault says how a list page is bent: shift > 0 repeats that many
// already-seen orders first, duplicate serves the page before the cursor.
type pageFault struct {
	duplicate bool
	shift     int
}

// page returns the orders q selects, in answer order. Only the references
// are taken under the lock; a published record is never changed.
func (s *store) page(q listQuery, f pageFault) (out []*record) {
	s.book.Read(func(recs []*record) { out = q.page(recs, f) })
	return out
}

func (q *listQuery) page(recs []*record, f pageFault) []*record {
	out := make([]*record, 0, min(q.limit, len(recs)))
	// below is the first index with id > lastID: ids <= last_id are eligible
	// (inclusive: "no higher than", as dvomaks/promua-api
	// src/Services/OrdersService.php quotes the docs).
	below := sort.Search(len(recs), func(i int) bool { return recs[i].order.ID > q.lastID })
	if q.asc {
		for i := 0; i < below && len(out) < q.limit; i++ {
			if q.match(recs[i]) {
				out = append(out, recs[i])
			}
		}
		return out
	}
	if f.duplicate {
		// The previous page of a desc walk is the limit orders at and just
		// above the cursor (it ended with the cursor order itself).
		start := sort.Search(len(recs), func(i int) bool { return recs[i].order.ID >= q.lastID })
		for i := start; i < len(recs) && len(out) < q.limit; i++ {
			if q.match(recs[i]) {
				out = append(out, recs[i])
			}
		}
		reverse(out)
		return out
	}
	if shift := min(f.shift, q.limit-1); shift > 0 {
		for i := below; i < len(recs) && len(out) < shift; i++ {
			if q.match(recs[i]) {
				out = append(out, recs[i])
			}
		}
		reverse(out)
	}
	for i := below - 1; i >= 0 && len(out) < q.limit; i-- {
		if q.match(recs[i]) {
			out = append(out, recs[i])
		}
	}
	return out
}

func reverse(b []*record) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}
