package horoshop

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
)

// store is one shop: its orders by ascending number, its catalog and statuses.
type store struct {
	id       string
	index    int
	login    string
	password string

	book     *kit.Book[int64, record]
	mu       sync.RWMutex // everything below
	products []wire.CatalogProduct
	statuses map[int]wire.OrderStatus

	// presences are the shop's availability texts: [0] in stock, [1] out
	// of stock. catalog/import matches presence against them by text.
	presences []string
	// warehouses is nil while the shop keeps no warehouse accounting; with
	// it, ledger holds each product's stock per warehouse (article →
	// warehouse → units) and catalog/export's quantity is their sum.
	warehouses []string
	ledger     map[string]map[string]int
	// tracking holds what orders/update's tracking_code set, per order: the
	// shop keeps it for the buyer's profile, orders/get does not return it.
	tracking map[int64]string
}

// accounting tells whether the shop keeps warehouse accounting. Caller holds mu.
func (s *store) accounting() bool { return s.warehouses != nil }

// restock writes product i's quantity and presence from the ledger: with
// warehouse accounting the storefront's availability follows the stock
// ("with stock accounting OFF … availability is whatever presence says",
// IgorShutko/horoshop-mcp docs/tools/admin-panel-products-prices-images.md).
// Caller holds mu for writing.
func (s *store) restock(i int) {
	total := 0
	for _, n := range s.ledger[s.products[i].Article] {
		total += n
	}
	s.products[i].Quantity = json.Number(strconv.Itoa(total))
	s.products[i].Presence = wire.Text(s.presences[1])
	if total > 0 {
		s.products[i].Presence = wire.Text(s.presences[0])
	}
}

// productIndex finds a product by article, or -1. Caller holds mu.
func (s *store) productIndex(article string) int {
	for i := range s.products {
		if s.products[i].Article == article {
			return i
		}
	}
	return -1
}

// moveStock adds delta units of every sold line of o to the first
// warehouse (never below 0): a new order takes them, the admin's cancel with
// «return quantity» gives them back. Caller holds mu for writing.
func (s *store) moveStock(o wire.Order, sign int) {
	if !s.accounting() {
		return
	}
	for _, line := range o.Products {
		i := s.productIndex(line.Article)
		q, ok := wholeUnits(line.Quantity)
		if i < 0 || !ok {
			continue
		}
		w := s.ledger[line.Article]
		w[s.warehouses[0]] = max(w[s.warehouses[0]]+sign*q, 0)
		s.restock(i)
	}
}

func wholeUnits(n json.Number) (int, bool) {
	v, err := strconv.Atoi(n.String())
	return v, err == nil
}

// wallSeconds reads a shop-local "2006-01-02 15:04:05" as a comparable
// number: the shop filters on its local wall clock.
func wallSeconds(s string) (int64, bool) {
	t, err := time.ParseInLocation(wire.TimeLayout, s, time.UTC)
	return t.Unix(), err == nil
}

// record is one order and its stat_created as Kyiv wall seconds, what
// orders/get filters on.
type record struct {
	order   wire.Order
	created int64
}

// Key, Own and Seal make record a kit.Record.
func (r *record) Key() int64 { return r.order.OrderID }
func (r *record) Own()       { r.order = kit.DeepCopy(r.order) }
func (r *record) Seal()      { r.created, _ = wallSeconds(r.order.StatCreated) }

func newBook() *kit.Book[int64, record] {
	return kit.NewRecordBook[int64, record](errors.New(msgNotFound))
}

// update applies change to a copy of order id and publishes the copy; a
// failed change (its refusal message) leaves the order untouched.
func (s *store) update(id int64, change func(*wire.Order) string) string {
	err := s.book.Update(id, func(r *record) error {
		if msg := change(&r.order); msg != "" {
			return errors.New(msg)
		}
		return nil
	})
	if err != nil {
		return err.Error()
	}
	return ""
}

// encodeOrder writes an order as orders/get does: order_without_callback
// as a JSON boolean and an all-digit utm_campaign as a number (Google Ads
// campaign ids arrive that way, IgorShutko/horoshop-mcp
// docs/tools/orders-public-api.md).
func encodeOrder(o wire.Order, additional bool) []byte {
	if !additional && o.AdditionalData != nil {
		o.AdditionalData = dropKey(o.AdditionalData, "recipient_warehouse_ref")
	}
	b := kit.MustJSON(o)
	b = bytes.Replace(b, []byte(`"order_without_callback":1`), []byte(`"order_without_callback":true`), 1)
	b = bytes.Replace(b, []byte(`"order_without_callback":0`), []byte(`"order_without_callback":false`), 1)
	if a := o.Analytics; a != nil && isDigits(string(a.UTMCampaign)) {
		b = bytes.Replace(b, []byte(`"utm_campaign":"`+string(a.UTMCampaign)+`"`), []byte(`"utm_campaign":`+string(a.UTMCampaign)), 1)
	}
	return b
}

func dropKey(obj json.RawMessage, key string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return obj
	}
	delete(m, key)
	return kit.MustJSON(m)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
