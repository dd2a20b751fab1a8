package rozetka

import (
	"bytes"
	"errors"
	"sync"
	"time"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/transforms/timeconv"
)

// record is one order with its JSON cached in parts: the base fields and
// each expandable block, so a page is a concatenation whatever `expand`
// asks for.
//
// order is the truth a pipeline's output is compared with. The API serves
// a few things differently from it, as the real one does:
//   - a parcel the carrier manages (ROZETKA Delivery, Meest) has its
//     waybill in order.TTN and in order.Carrier.CarrierTrackNum; the API
//     sends ttn "" and the waybill in the `carrier` expand only
//     (apidoc mirror docs/categories/orders.md L750-755);
//   - bareLines: the purchases go out without `status`, as in the 0.0.0
//     detail example (orders.md L1354-1378); order.Purchases keeps 1;
//   - unixNotes (with UnixNoteTimes on): seller_comment[].created goes
//     out as Unix seconds, as the field's description has it (orders.md
//     L666); order keeps the Kyiv wall time of the examples.
type record struct {
	order     wire.Order // with every block filled
	created   int64      // wall clock (Kyiv local read as UTC), unix seconds
	changed   int64
	ttnNull   bool // ttn goes out as null instead of ""
	bareLines bool
	unixNotes bool

	base   []byte // the object without blocks and without its closing brace
	blocks [numBlocks][]byte
}

// The expandable blocks the sandbox fills (expand values of GET
// /orders/search in orders.md).
const (
	blkDelivery = iota
	blkPurchases
	blkPayment
	blkStatusData
	blkUser
	blkCarrier
	blkStatusAvailable
	numBlocks
)

var blockNames = [numBlocks]string{"delivery", "purchases", "payment", "status_data", "user", "carrier", "status_available"}

// wallSeconds reads a Kyiv local "2006-01-02 15:04:05" as a comparable
// number: filters compare local wall clocks, as a DATETIME column does.
func wallSeconds(s string) (int64, bool) {
	t, err := time.ParseInLocation(wire.TimeLayout, s, time.UTC)
	return t.Unix(), err == nil
}

// encode refreshes the cached JSON from order.
func (r *record) encode() {
	o := r.order
	blocks := [numBlocks]any{o.Delivery, r.purchasesJSON(), o.Payment, o.StatusData, o.User, carrierJSON(o.Carrier), nil}
	o.Delivery, o.Purchases, o.Payment, o.StatusData, o.User, o.Carrier, o.StatusAvailable = nil, nil, nil, nil, nil, nil, nil
	if carrierManaged(&r.order) {
		o.TTN = ""
	}
	notes := r.notesJSON()
	o.SellerComment = nil
	b := kit.MustJSON(o)
	b = bytes.Replace(b, []byte(`"seller_comment":null`), append([]byte(`"seller_comment":`), notes...), 1)
	if r.ttnNull && o.TTN == "" {
		b = bytes.Replace(b, []byte(`"ttn":""`), []byte(`"ttn":null`), 1)
	}
	// callback_off is documented as a boolean and sent as 0/1 (orders.md
	// L65, L103).
	b = bytes.Replace(b, []byte(`"callback_off":false`), []byte(`"callback_off":0`), 1)
	b = bytes.Replace(b, []byte(`"callback_off":true`), []byte(`"callback_off":1`), 1)
	r.base = b[:len(b)-1]
	for i, blk := range blocks {
		r.blocks[i] = kit.MustJSON(blk)
	}
	// A delivery price not given is null in the examples (orders.md L1720).
	r.blocks[blkDelivery] = bytes.Replace(r.blocks[blkDelivery], []byte(`"cost":""`), []byte(`"cost":null`), 1)
	// status_available follows the status; the edges are shared, not copied.
	r.blocks[blkStatusAvailable] = availableJSON(o.Status)
	r.created, _ = wallSeconds(r.order.Created)
	r.changed, _ = wallSeconds(r.order.Changed)
}

// carrierManaged reports a parcel whose waybill is the carrier's: the API
// sends it in `carrier` and leaves ttn empty.
func carrierManaged(o *wire.Order) bool {
	c := o.Carrier
	return c != nil && c.CarrierTrackNum != "" && o.TTN == c.CarrierTrackNum
}

// line is a purchase as the API sends it: status explicit (0 included);
// a bareLines record leaves it out of its active lines only — an absent
// status reads as active, so a removed or returned line keeps its own.
type line struct {
	wire.Purchase
	Status *int `json:"status,omitempty"`
}

func (r *record) purchasesJSON() []line {
	if r.order.Purchases == nil {
		return nil
	}
	out := make([]line, len(r.order.Purchases))
	for i, p := range r.order.Purchases {
		out[i].Purchase = p
		if !r.bareLines || p.Status != 1 {
			out[i].Status = &r.order.Purchases[i].Status
		}
	}
	return out
}

// note is a seller_comment entry as the API sends it.
type note struct {
	Comment   string `json:"comment"`
	Created   any    `json:"created"` // the Kyiv wall time, or Unix seconds
	SellerID  int64  `json:"seller_id,omitempty"`
	SellerFIO string `json:"seller_fio"`
}

// notesJSON is the seller_comment array: always there, [] when empty.
func (r *record) notesJSON() []byte {
	out := make([]note, len(r.order.SellerComment))
	for i, n := range r.order.SellerComment {
		out[i] = note{Comment: n.Comment, Created: n.Created, SellerID: n.SellerID, SellerFIO: n.SellerFIO}
		if t, err := timeconv.Parse(n.Created, timeconv.Kyiv); r.unixNotes && err == nil {
			out[i].Created = t.Unix()
		}
	}
	return kit.MustJSON(out)
}

// carrierBlock is the `carrier` expand; every field is null for a parcel
// no carrier manages (orders.md L1861-1867).
type carrierBlock struct {
	Carrier               *string `json:"carrier"`
	CarrierInnerID        *int64  `json:"carrier_inner_id"`
	CarrierTrackNum       *string `json:"carrier_track_num"`
	CarrierReturnTrackNum *string `json:"carrier_return_track_num"`
	IsCarrierMeest        bool    `json:"is_carrier_meest"`
}

func carrierJSON(c *wire.Carrier) carrierBlock {
	var b carrierBlock
	if c == nil {
		return b
	}
	str := func(s wire.NullString) *string {
		if s == "" {
			return nil
		}
		v := string(s)
		return &v
	}
	b.Carrier, b.CarrierTrackNum, b.CarrierReturnTrackNum = str(c.Carrier), str(c.CarrierTrackNum), str(c.CarrierReturnTrackNum)
	b.CarrierInnerID = c.CarrierInnerID
	b.IsCarrierMeest = bool(c.IsCarrierMeest)
	return b
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
// when not expanded, the others are absent.
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

	book      *kit.Book[int64, record]
	mu        sync.RWMutex // the catalog and shiftArm
	goods     []wire.GoodsItem
	goodsJSON [][]byte
	goodsAt   map[int64]int // rz_item_id → position in goods; fixed after seeding
	feedStock map[int64]int // the stock the price-list feed gives its items (StockByPriceList)
	shiftArm  int           // orders to move out of the window after the next first page
}

// Key, Own and Seal make record a kit.Record.
func (r *record) Key() int64 { return r.order.ID }
func (r *record) Own()       { r.order = kit.DeepCopy(r.order) }
func (r *record) Seal()      { r.encode() }

func newBook() *kit.Book[int64, record] { return kit.NewRecordBook[int64, record](errEntityNotFound()) }

// update applies change to order id and stamps `changed` with now; a
// failed change leaves the order untouched.
func (s *store) update(id int64, now time.Time, change func(*record) *wire.Error) *wire.Error {
	err := s.book.Update(id, func(r *record) error {
		if e := change(r); e != nil {
			return e
		}
		r.order.Changed = timeconv.FormatKyiv(now, wire.TimeLayout)
		return nil
	})
	var e *wire.Error
	errors.As(err, &e)
	return e
}
