package rozetka

import (
	"bytes"
	"encoding/json"
	"sort"
	"sync"
	"time"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/transforms/timeconv"
)

// record is one order with its JSON cached in parts: the base fields and
// each expandable block, so a page is a concatenation whatever `expand`
// asks for.
type record struct {
	order   wire.Order // with every block filled
	created int64      // wall clock (Kyiv local read as UTC), unix seconds
	changed int64
	ttnNull bool // ttn goes out as null instead of ""

	base   []byte // the object without blocks and without its closing brace
	blocks [numBlocks][]byte
}

// The expandable blocks the sandbox fills (§1.3 expand values).
const (
	blkDelivery = iota
	blkPurchases
	blkPayment
	blkStatusData
	blkUser
	blkStatusAvailable
	numBlocks
)

var blockNames = [numBlocks]string{"delivery", "purchases", "payment", "status_data", "user", "status_available"}

// wallSeconds reads a Kyiv local "2006-01-02 15:04:05" as a comparable
// number: filters compare local wall clocks, as a DATETIME column does.
func wallSeconds(s string) (int64, bool) {
	t, err := time.ParseInLocation(wire.TimeLayout, s, time.UTC)
	return t.Unix(), err == nil
}

// kyivWall formats an instant as Rozetka writes dates.
func kyivWall(t time.Time) string { return t.In(timeconv.Kyiv).Format(wire.TimeLayout) }

// encode refreshes the cached JSON from order.
func (r *record) encode() {
	o := r.order
	blocks := [numBlocks]any{o.Delivery, o.Purchases, o.Payment, o.StatusData, o.User, nil}
	o.Delivery, o.Purchases, o.Payment, o.StatusData, o.User, o.StatusAvailable = nil, nil, nil, nil, nil, nil
	b := mustJSON(o)
	if r.ttnNull && o.TTN == "" {
		b = bytes.Replace(b, []byte(`"ttn":""`), []byte(`"ttn":null`), 1)
	}
	// callback_off is documented as a boolean and sent as 0/1 (§1.4).
	b = bytes.Replace(b, []byte(`"callback_off":false`), []byte(`"callback_off":0`), 1)
	b = bytes.Replace(b, []byte(`"callback_off":true`), []byte(`"callback_off":1`), 1)
	r.base = b[:len(b)-1]
	for i, blk := range blocks {
		r.blocks[i] = mustJSON(blk)
	}
	// status_available follows the status; the edges are shared, not copied.
	r.blocks[blkStatusAvailable] = availableJSON(o.Status)
	r.created, _ = wallSeconds(r.order.Created)
	r.changed, _ = wallSeconds(r.order.Changed)
}

// expandSet says which blocks a request asked for.
type expandSet [numBlocks]bool

func parseExpand(csv string) expandSet {
	var e expandSet
	for _, part := range bytes.Split([]byte(csv), []byte(",")) {
		name := string(bytes.TrimSpace(part))
		for i, n := range blockNames {
			if n == name {
				e[i] = true
			}
		}
	}
	return e
}

// appendJSON writes the order with the asked blocks; `delivery` is null
// when not expanded, the others are absent (§1.13 quirk 4).
func (r *record) appendJSON(buf []byte, e expandSet) []byte {
	buf = append(buf, r.base...)
	for i, on := range e {
		if !on && i != blkDelivery {
			continue
		}
		buf = append(buf, ',', '"')
		buf = append(buf, blockNames[i]...)
		buf = append(buf, '"', ':')
		if on {
			buf = append(buf, r.blocks[i]...)
		} else {
			buf = append(buf, "null"...)
		}
	}
	return append(buf, '}')
}

// store is one seller account: its orders by ascending id, its catalog.
type store struct {
	id       string
	index    int
	username string
	password string
	market   wire.Market

	mu        sync.RWMutex
	recs      []*record
	goods     []wire.GoodsItem
	goodsJSON [][]byte
	added     int // orders created after seeding, for their generator stream
	shiftArm  int // orders to move out of the window after the next first page
}

// find returns the position of id in recs, or -1. Caller holds mu.
func (s *store) find(id int64) int {
	i := sort.Search(len(s.recs), func(i int) bool { return s.recs[i].order.ID >= id })
	if i < len(s.recs) && s.recs[i].order.ID == id {
		return i
	}
	return -1
}

// update applies change to a copy of order id, stamps `changed` with now
// and publishes the copy; a failed change leaves the order untouched.
func (s *store) update(id int64, now time.Time, change func(*record) *wire.Error) *wire.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return errEntityNotFound()
	}
	next := *s.recs[i]
	next.order = cloneOrder(s.recs[i].order)
	if err := change(&next); err != nil {
		return err
	}
	next.order.Changed = kyivWall(now)
	next.encode()
	s.recs[i] = &next
	return nil
}

// cloneOrder deep-copies the parts of an order a change may touch.
func cloneOrder(o wire.Order) wire.Order {
	c := o
	c.SellerComment = append([]wire.SellerNote(nil), o.SellerComment...)
	c.Purchases = append([]wire.Purchase(nil), o.Purchases...)
	c.Delivery = kit.Clone(o.Delivery)
	c.Payment = kit.Clone(o.Payment)
	if o.Payment != nil {
		c.Payment.PaymentStatus = kit.Clone(o.Payment.PaymentStatus)
	}
	c.StatusData = kit.Clone(o.StatusData)
	c.User = kit.Clone(o.User)
	c.UserTitle = kit.Clone(o.UserTitle)
	c.RecipientTitle = kit.Clone(o.RecipientTitle)
	return c
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // generated data is always encodable; a failure is a bug here
	}
	return b
}
