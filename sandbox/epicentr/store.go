package epicentr

import (
	"encoding/json"
	"errors"
	"sync"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/transforms/timeconv"
)

// record is one order with its JSON cached, and what the API keeps beside it.
type record struct {
	order   wire.Order          // the truth, contacts included
	created int64               // createdAt as Unix nanoseconds: the list's sort key
	json    []byte              // as the list (GET /v3/oms/orders) sends it
	detail  []byte              // as the details (GET /v5/oms/orders/{id}) send it
	cancel  *wire.CancelRequest // the reason the seller gave, if it cancelled
}

// encode refreshes the cached JSON and sort key from order.
//
// While the order is new, Epicentr hides the buyer's contacts until the
// seller confirms it (the API reference note beside epicentr_mcp.py of a
// third-party seller toolkit). No source shows how: the swagger's detail
// model marks the names, phone and email optional, its list model has
// them as strings. So the details leave the buyer's out, the list sends
// them empty, and both send the recipient's empty; nothing is masked.
func (r *record) encode() {
	served := r.order
	hidden := served.StatusCode == wire.StatusNew && served.Address != nil
	if hidden {
		a := *served.Address
		a.FirstName, a.LastName, a.Patronymic, a.Phone, a.Email = "", "", "", "", ""
		a.Recipient = &wire.Person{}
		served.Address = &a
	}
	r.detail = kit.MustJSON(served)
	r.json = r.detail
	if hidden {
		r.json = emptyContacts(r.detail)
	}
	r.created = 0
	if t, err := timeconv.Parse(r.order.CreatedAt, timeconv.Kyiv); err == nil {
		r.created = t.UnixNano()
	}
}

// emptyContacts writes the hidden contact fields of an order's JSON as
// empty strings, as the list sends them.
func emptyContacts(order []byte) []byte {
	var top, addr map[string]json.RawMessage
	if json.Unmarshal(order, &top) != nil || json.Unmarshal(top["address"], &addr) != nil {
		return order
	}
	empty := json.RawMessage(`""`)
	for _, k := range []string{"firstName", "lastName", "patronymic", "email", "phone"} {
		addr[k] = empty
	}
	addr["recipient"] = json.RawMessage(`{"firstName":"","lastName":"","patronymic":"","phone":""}`)
	top["address"] = kit.MustJSON(addr)
	return kit.MustJSON(top)
}

// key is a position in the list: creation time, then id.
type key struct {
	created int64
	id      string
}

func (r *record) key() key { return key{r.created, r.order.ID} }

func (a key) less(b key) bool {
	return a.created < b.created || a.created == b.created && a.id < b.id
}

// store is one seller company.
type store struct {
	id    string
	index int
	book  *kit.Book[string, record]

	mu     sync.RWMutex // the catalog and the offer tasks
	offers map[string]*Offer
	skus   []string // catalog order
	tasks  map[string]*offerTask
	nTasks int
}

func newStore(id string, index int) *store {
	return &store{id: id, index: index, offers: map[string]*Offer{}, tasks: map[string]*offerTask{}, book: kit.NewBook(kit.BookOptions[string, record]{
		ID:      func(r *record) string { return r.order.ID },
		Own:     func(r *record) { r.order = kit.DeepCopy(r.order) },
		Seal:    (*record).encode,
		Less:    func(a, b *record) bool { return a.key().less(b.key()) },
		Missing: notFound(),
	})}
}

// update applies change to a copy of order id and publishes the copy; a
// refused change leaves the order as it was.
func (s *store) update(id string, change func(*record) *apiError) *apiError {
	err := s.book.Update(id, func(r *record) error {
		e := change(r)
		r.order.ID = id // the id is the key; no change may move it
		if e != nil {
			return e
		}
		return nil
	})
	var e *apiError
	errors.As(err, &e)
	return e
}
