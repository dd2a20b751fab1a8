package rozetka

import (
	_ "embed"
	"encoding/json"
	"sort"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
)

// statuses.json is the whole status table of the OrdersStatuses model
// (GERA-OneTeam/Rozetka-API-Seller docs/categories/models.md) with
// groups, which the apidoc does not give per status (the real API's
// /order-statuses/search is the authority), Russian names in `name` and
// English ones written for the sandbox. 10 and 70 are the old,
// blocked entries.
//
//go:embed statuses.json
var statusesJSON []byte

var (
	statusTable = mustStatuses()
	statusByID  = indexStatuses(statusTable)
)

func mustStatuses() []wire.OrderStatus {
	var list []wire.OrderStatus
	if err := json.Unmarshal(statusesJSON, &list); err != nil {
		panic("sandbox/rozetka: statuses.json: " + err.Error())
	}
	return list
}

func indexStatuses(list []wire.OrderStatus) map[int]wire.OrderStatus {
	m := make(map[int]wire.OrderStatus, len(list))
	for _, s := range list {
		m[s.ID] = s
	}
	return m
}

// Statuses the generator and the rules refer to by name.
const (
	stNew          = 1
	stPacking      = 2
	stShipped      = 3
	stDelivering   = 4
	stAtPickup     = 5
	stDone         = 6
	stNotProcessed = 7
	stManager      = 26
	stCallBack     = 47
	stRestored     = 46
	stRepeat       = 49
	stAwaitPayment = 55
	stHandover     = 61
	stChangedMind  = 40
	stBuyerCancel  = 45
)

// sellerCancels are the cancellation reasons a seller sets, plus 31 for a
// duplicate.
var sellerCancels = []int{42, 43, 40, 18, 28, 29, 17, 33, 37, 38, 31}

// The transition graph. The real matrix is not public; this one is
// plausible: forward through processing, assembly, handover and delivery;
// cancellations from every state before the parcel leaves. Delivery type
// 0 is an external carrier (every sandbox service), 1 the seller's own
// delivery, which may also skip straight to delivering and done.
var forward = map[int][]int{
	stNew:          {stManager, stPacking, stCallBack, stAwaitPayment, stHandover, stRepeat},
	stNotProcessed: {stManager, stPacking},
	stManager:      {stPacking, stShipped, stHandover, stCallBack, stAwaitPayment, stRepeat},
	stCallBack:     {stManager, stPacking},
	stRestored:     {stManager, stPacking},
	stAwaitPayment: {stManager, stPacking, stHandover},
	stPacking:      {stHandover, stShipped},
	stHandover:     {stShipped},
	stShipped:      {stDone},
	stDelivering:   {stDone},
	stAtPickup:     {stDone},
}

var ownDelivery = map[int][]int{stPacking: {stDelivering}, stDelivering: {stDone}}

// cancellable are the states a seller may still cancel from.
var cancellable = []int{stNew, stNotProcessed, stManager, stCallBack, stRestored, stAwaitPayment, stPacking, stHandover}

// statusEdges is the graph as /status-availables/search serves it, by id.
var statusEdges = buildEdges()

func buildEdges() []wire.StatusAvailable {
	var out []wire.StatusAvailable
	add := func(deliveryType int, graph map[int][]int) {
		parents := make([]int, 0, len(graph))
		for p := range graph {
			parents = append(parents, p)
		}
		sort.Ints(parents)
		for _, p := range parents {
			for _, c := range graph[p] {
				out = append(out, wire.StatusAvailable{ID: int64(len(out) + 1), ParentID: p, ChildID: c, DeliveryType: deliveryType, MarketGroup: 1})
			}
		}
	}
	cancels := map[int][]int{}
	for _, p := range cancellable {
		cancels[p] = sellerCancels
	}
	for _, dt := range []int{0, 1} {
		add(dt, forward)
		add(dt, cancels)
	}
	add(1, ownDelivery)
	return out
}

// availableFrom holds, by status, the status_available expand of an order
// in that status: the edges out of it for an external carrier, the
// delivery type of every sandbox service.
var availableFrom = buildAvailable()

func buildAvailable() map[int][]byte {
	by := map[int][]wire.StatusAvailable{}
	for _, e := range statusEdges {
		if e.DeliveryType == 0 {
			by[e.ParentID] = append(by[e.ParentID], e)
		}
	}
	out := make(map[int][]byte, len(by))
	for p, edges := range by {
		out[p] = kit.MustJSON(edges)
	}
	return out
}

// availableJSON is the status_available block of an order in status: "[]"
// when the seller may move it nowhere.
func availableJSON(status int) []byte {
	if b, ok := availableFrom[status]; ok {
		return b
	}
	return []byte("[]")
}

// allowed reports whether a seller may move an order from → to.
func allowed(from, to, deliveryType int) bool {
	for _, e := range statusEdges {
		if e.ParentID == from && e.ChildID == to && e.DeliveryType == deliveryType {
			return true
		}
	}
	return false
}

// statusData is the status_data block of a status.
func statusData(s wire.OrderStatus) *wire.StatusData {
	return &wire.StatusData{ID: s.ID, Name: s.Name, NameUK: s.NameUK, NameEN: s.NameEN, StatusGroup: s.StatusGroup}
}
