package horoshop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// seedSpan is how far back seeded orders reach before the clock's now.
const seedSpan = 7 * 24 * time.Hour

// firstOrderID is every shop's first order number (numbers are per shop).
const firstOrderID = 1001

// AddStore registers a shop whose admin logs in as login/password, with
// nOrders orders placed over the last 7 days and nProducts catalog
// products, and returns its id ("shop-1", …). The data depends only on
// Seed, the shop's position and the clock's now.
func (s *Sandbox) AddStore(login, password string, nOrders, nProducts int) string {
	st := s.stores.Add(func(index int) (string, *store) {
		st := &store{id: fmt.Sprintf("shop-%d", index+1), index: index, login: login, password: password, statuses: map[int]wire.OrderStatus{},
			presences: append([]string(nil), presences...), tracking: map[int64]string{}, book: newBook()}
		return st.id, st
	})
	s.stores.Name(login, st)
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, v := range wire.BuiltinStatuses() {
		st.statuses[v.ID] = v
	}
	now := s.Clock().Now()
	st.products = make([]wire.CatalogProduct, max(nProducts, 1))
	for i := range st.products {
		st.products[i] = genProduct(fake.Rand(s.seed, st.index, streamProducts, i), st.index, i, now)
	}
	st.book.Seed(nOrders, func(i int) *record {
		r := fake.Rand(s.seed, st.index, streamOrders, i)
		created, _ := fake.Seeded(r, now, seedSpan, i, nOrders, 1)
		return &record{order: genOrder(r, st.products, int64(firstOrderID+i), created.Truncate(time.Second))}
	})
	if nProducts == 0 {
		st.products = nil // orders still need something to buy; the catalog stays empty
	}
	return st.id
}

// OrderJSON returns one order exactly as orders/get sends it; nil when none.
func (s *Sandbox) OrderJSON(storeID string, id int64) []byte {
	if o, ok := s.Order(storeID, id); ok {
		return encodeOrder(o, false)
	}
	return nil
}

// Products returns the shop's catalog.
func (s *Sandbox) Products(storeID string) []wire.CatalogProduct {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	return append([]wire.CatalogProduct(nil), st.products...)
}

// AddOrder places an order at the clock's now with the next number;
// mutate (optional) may edit it first (its number cannot change). Returns
// 0 for an unknown shop.
func (s *Sandbox) AddOrder(storeID string, mutate func(*wire.Order)) int64 {
	var id int64
	// Under the shop's lock: the order takes its goods from the stock it
	// was made from.
	_ = s.locked(storeID, func(st *store) error {
		now := s.Clock().Now()
		rec := st.book.AddNew(func(last *record, _, added int) *record {
			r := fake.Rand(s.seed, st.index, streamAdded, added)
			id := int64(firstOrderID)
			if last != nil {
				id = last.order.OrderID + 1
			}
			products := st.products
			if len(products) == 0 {
				products = []wire.CatalogProduct{genProduct(r, st.index, 0, now)}
			}
			o := genOrder(r, products, id, now.Truncate(time.Second))
			kit.Edit(&o, &o.OrderID, mutate)
			return &record{order: o}
		})
		st.moveStock(rec.order, -1) // with warehouse accounting an order takes its goods
		id = rec.order.OrderID
		return nil
	})
	return id
}

// UseWarehouses turns on the shop's warehouse accounting with these
// warehouses (the first is the one orders take goods from): every
// product's current quantity goes into the first, and from now on stock
// moves only through the ledger (catalog/import residues,
// catalog/importResidues, orders). catalog/import's quantity and presence
// are then taken and ignored, as on a live store (IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md: "import quantity:5 → export still 0";
// "presence text can only be set when warehouse stock tracking is OFF").
func (s *Sandbox) UseWarehouses(storeID string, warehouses ...string) error {
	if len(warehouses) == 0 {
		return errors.New("at least one warehouse")
	}
	return s.locked(storeID, func(st *store) error {
		st.warehouses = append([]string(nil), warehouses...)
		st.ledger = map[string]map[string]int{}
		for i, p := range st.products {
			q, _ := wholeUnits(p.Quantity)
			st.ledger[p.Article] = map[string]int{warehouses[0]: max(q, 0)}
			st.restock(i)
		}
		return nil
	})
}

// locked runs fn on shop storeID holding its lock.
func (s *Sandbox) locked(storeID string, fn func(*store) error) error {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return fn(st)
}

// SetStock sets a product's stock in one warehouse, as the admin's «Склад»
// column does; with no warehouse accounting it sets quantity.
func (s *Sandbox) SetStock(storeID, article, warehouse string, n int) error {
	return s.locked(storeID, func(st *store) error {
		i := st.productIndex(article)
		switch {
		case i < 0:
			return fmt.Errorf("no product %s", article)
		case !st.accounting():
			st.products[i].Quantity = json.Number(strconv.Itoa(n))
			return nil
		case !slices.Contains(st.warehouses, warehouse):
			return fmt.Errorf("warehouse %s is not defined", warehouse)
		}
		st.ledger[article][warehouse] = n
		st.restock(i)
		return nil
	})
}

// SetPresence sets a product's availability text, as the admin does; the
// text need not be one of the shop's usual ones.
func (s *Sandbox) SetPresence(storeID, article, text string) error {
	return s.locked(storeID, func(st *store) error {
		i := st.productIndex(article)
		if i < 0 {
			return fmt.Errorf("no product %s", article)
		}
		st.products[i].Presence = wire.Text(text)
		return nil
	})
}

// WarehouseStock is a product's stock in one warehouse (false without
// warehouse accounting or for an unknown product or warehouse).
func (s *Sandbox) WarehouseStock(storeID, article, warehouse string) (int, bool) {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return 0, false
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	w, ok := st.ledger[article]
	if !ok || !slices.Contains(st.warehouses, warehouse) {
		return 0, false
	}
	return w[warehouse], true
}

// TrackingCode is what orders/update's tracking_code last set on an order
// ("" when none): the shop keeps it, orders/get does not show it.
func (s *Sandbox) TrackingCode(storeID string, id int64) string {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return ""
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.tracking[id]
}

// CancelInAdmin cancels an order as the admin's editor does: status 4,
// and with returnQuantity the ordered goods go back to the first warehouse
// (the only way they come back: "3 → 3 through this API, 3 → 4 through the
// admin's own cancel with return_quantity=1", IgorShutko/horoshop-mcp
// docs/tools/orders-public-api.md). A cancelled order is locked.
func (s *Sandbox) CancelInAdmin(storeID string, id int64, returnQuantity bool) error {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return err
	}
	var cancelled wire.Order
	if msg := st.update(id, func(o *wire.Order) string {
		if o.StatStatus == stCancelled {
			return msgCancelled
		}
		o.StatStatus, cancelled = stCancelled, *o
		return ""
	}); msg != "" {
		return errors.New(msg)
	}
	if returnQuantity {
		st.mu.Lock()
		st.moveStock(cancelled, +1)
		st.mu.Unlock()
	}
	return nil
}

// DeleteOrder removes an order, as an admin deleting a test order does:
// every later order moves one position back in orders/get.
func (s *Sandbox) DeleteOrder(storeID string, id int64) error {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return err
	}
	return st.book.Delete(id)
}

// update applies orders/update's rules to one order of a shop.
func (s *Sandbox) update(storeID string, e updateEntry) error {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return err
	}
	if msg := s.applyUpdate(st, e); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// SetStatus moves an order to status under orders/update's rules (a known
// status; a cancelled order is frozen).
func (s *Sandbox) SetStatus(storeID string, id int64, status int) error {
	return s.update(storeID, updateEntry{OrderID: id, Status: &status})
}

// SetPayment sets the order's payed flag under orders/update's rules.
func (s *Sandbox) SetPayment(storeID string, id int64, paid bool) error {
	v := json.Number("0")
	if paid {
		v = "1"
	}
	return s.update(storeID, updateEntry{OrderID: id, Payed: &v})
}

// SetTTN sets delivery_data.tnNumber ("" makes it null), as the carrier
// integration does; it works on any order, cancelled ones included.
func (s *Sandbox) SetTTN(storeID string, id int64, ttn string) error {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return err
	}
	if msg := st.update(id, func(o *wire.Order) string { setTTN(o, ttn); return "" }); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// controlRoutes is the HTTP face of the control methods: the kit's
// endpoints (kit.NewControl; the shop is ?store=shop-1) and the shop's own:
//
//	POST /_sandbox/stores          {"username","password","orders","goods"} → {"store":"shop-1"}
//	                               (username is the API login, goods the products)
//	POST /_sandbox/html?on=true|false
func (s *Sandbox) controlRoutes() http.Handler {
	c := kit.NewControl(&s.base, errorBody, nil)
	kit.HandleLoginStores(c, s.AddStore)
	kit.HandleOrders(c, s.Orders, s.AddOrder)
	kit.HandleSessions(c, s.sessions)
	kit.HandleJSON(c, "POST /_sandbox/html", func(r *http.Request, _ struct{}) (any, error) {
		on, _ := strconv.ParseBool(r.URL.Query().Get("on"))
		s.HTML(on)
		return map[string]bool{"html": on}, nil
	})
	return c
}
