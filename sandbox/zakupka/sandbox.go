// Package zakupka is a local simulator of Zakupka.com's seller side: the
// «Файл заказов» CommerceML 2 orders file at /orders.xml?key=<key>, the 1C
// exchange endpoint /1c_exchange.php (type=sale,
// mode=checkauth|init|query|success, HTTP Basic then a session cookie), and
// the YML product export at /feed.xml?key=<key>. Stores are told apart by
// key (file, feed) or login (exchange); each writes UTF-8 or windows-1251,
// in the CML 2.05 line shape or in the shapes 1C writes (2.09, 3.1 with
// containers, BOM and fixed-width padding; see shapes.go). Faults, rate limit and the
// request recorder come from sandbox/kit; no secret reaches the recorder.
//
// No public Zakupka spec exists: the paths, the key parameter and
// the 7-day window of the orders file follow the wording of Zakupka's
// seller cabinet («Файл заказов», «за 7 дней», «только в статусе Новый»).
package zakupka

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// Paths served.
const (
	OrdersPath   = "/orders.xml"
	ExchangePath = "/1c_exchange.php"
	FeedPath     = "/feed.xml"
)

// Encodings a store can write.
const (
	UTF8        = "utf-8"
	Windows1251 = "windows-1251"
)

// FileWindow is how far back the orders file reaches («за 7 дней»).
const FileWindow = 7 * 24 * time.Hour

// Options configure a Sandbox.
type Options = kit.Options

// TestTimeout is the per-attempt client timeout for tests on this sandbox.
// The orders file and the exchange's query are each one document of every
// order they hold, which a busy machine may take longer to build and read
// than a test harness's 300 ms; 1.5 s stays under the 2 s a timeout fault
// of the acceptance suite holds an answer, so such faults still time out.
const TestTimeout = "1500ms"

// StoreOptions describe one seller account.
type StoreOptions struct {
	Key      string // the orders file's and the feed's access key
	Login    string // 1C exchange HTTP Basic credentials (empty: no exchange)
	Password string
	Orders   int    // seeded orders over the last 7 days
	Encoding string // UTF8 (default) or Windows1251
	// FileOnlyNew is the cabinet setting «загружать заказы только в
	// статусе Новый»: the orders file then holds new orders only.
	FileOnlyNew bool
	FeedOffers  int // offers in the YML feed (default 50)
	// Schema is the CML shape of the orders file and the exchange:
	// Schema205 (default) or 1C's Schema209 / Schema31 (see shapes.go).
	Schema string
	// BOM starts the (UTF-8) file with a byte order mark, as 1C does.
	BOM bool
	// Padded writes 1C's fixed-width strings space-padded (Номер1С
	// «L4100003   », Единица/Ид «796 », a 100-character НаименованиеПолное);
	// with Schema209 / Schema31 only.
	Padded bool
}

// format is how the store's files are written.
func (o StoreOptions) format() Format {
	return Format{Encoding: o.Encoding, Schema: o.Schema, BOM: o.BOM}
}

// shape gives a generated order the store's CML line shape; r is drawn
// from only for the 1C shapes.
func (st *store) shape(o *order, r *rand.Rand) *order {
	if st.opts.format().oneC() {
		to1C(&o.doc, r, st.opts.Padded)
	}
	return o
}

// base is kit.Base under an unexported name: embedding it promotes the
// Handler, Clock, Faults, Recorder and RateLimit accessors, not the field.
type base = kit.Base

// Sandbox is one simulated Zakupka with any number of stores.
//
// Its Recorder holds every request (never a key, password or cookie).
type Sandbox struct {
	base   // Handler (the store routes), Clock, Faults, Recorder, RateLimit
	seed   int64
	tokens *kit.Tokens

	stores kit.Stores[*store] // by store id and by file key
	truth                     // Orders (CML documents) by store id
}

// truth is kit.Truth under an unexported name, promoting Orders and Order.
type truth = kit.Truth[int64, order, cml.Document]

// ErrUnknownStore is returned by control methods for a key never added.
var ErrUnknownStore = errors.New("unknown store key")

// New builds an empty sandbox; add stores with AddStore.
func New(opts Options) *Sandbox {
	s := &Sandbox{seed: opts.Seed}
	// Every request may be faulted; none is paged.
	s.base, s.tokens, s.truth = kit.NewMarket(opts, kit.FaultScope{}, textError,
		&s.stores, func(st *store) *kit.Book[int64, order] { return st.book }, func(o *order) cml.Document { return kit.DeepCopy(o.doc) })
	kit.SetHandler(&s.base, s.routes())
	return s
}

// AddStore registers a store and seeds its orders; it returns the store id
// ("store-1", …), the name used in the recorder. The data depends only on
// Seed, the store's position and the clock's now.
func (s *Sandbox) AddStore(o StoreOptions) string {
	if o.Encoding == "" {
		o.Encoding = UTF8
	}
	if o.FeedOffers <= 0 {
		o.FeedOffers = 50
	}
	if err := o.format().check(); err != nil {
		panic("zakupka sandbox: AddStore: " + err.Error()) // a test's mistake; the message names no key
	}
	st := s.stores.Add(func(index int) (string, *store) {
		st := newStore(fmt.Sprintf("store-%d", index+1), index, o)
		return st.id, st
	})
	s.stores.Name(o.Key, st)
	now := s.Clock().Now()
	for i := range o.Orders {
		r := fake.Rand(s.seed, st.index, streamOrders, i)
		created, modified := fake.Seeded(r, now, FileWindow, i, o.Orders, 3)
		shape := fake.Rand(s.seed, st.index, streamShapes, i)
		st.book.Add(func(last *order, _ int) *order {
			return st.shape(genOrder(r, nextID(st, last, r), created, modified), shape)
		})
	}
	s.tokens.Add(keyToken(o.Key), st.id)
	if o.Login != "" {
		s.tokens.Add(loginToken(o.Login, o.Password), st.id)
	}
	return st.id
}

// nextID is a new highest order id of st after last.
func nextID(st *store, last *order, r *rand.Rand) int64 {
	return fake.NextID(r, last, orderID, int64(4_100_000+st.index*1_000_000), 5)
}

// StoreID is the store id of a file key ("" for a key never added).
func (s *Sandbox) StoreID(key string) string {
	if st, ok := s.stores.Named(key); ok {
		return st.id
	}
	return ""
}

func (s *Sandbox) storeByKey(key string) (*store, error) {
	if st, ok := s.stores.Named(key); ok {
		return st, nil
	}
	return nil, ErrUnknownStore
}

// AddOrder creates a new order («Новый») at the clock's now with a new
// highest id; mutate (optional) may edit it before it is published (Ид is
// kept). It returns the order's Ид.
func (s *Sandbox) AddOrder(key string, mutate func(*cml.Document)) (string, error) {
	st, err := s.storeByKey(key)
	if err != nil {
		return "", err
	}
	now := s.Clock().Now()
	o := st.book.AddNew(func(last *order, _, added int) *order {
		r := fake.Rand(s.seed, st.index, streamAdded, added)
		o := st.shape(genOrder(r, nextID(st, last, r), now, now), fake.Rand(s.seed, st.index, streamAddedShapes, added))
		setStatus(&o.doc, StatusNew, now)
		kit.Edit(&o.doc, &o.doc.ID, mutate)
		return o
	})
	return o.doc.ID, nil
}

// SetStatus moves an order to status (the seller acting in the cabinet;
// any text is accepted) and sets «Дата изменения» to now.
func (s *Sandbox) SetStatus(key, id, status string) error {
	st, err := s.storeByKey(key)
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	now := s.Clock().Now()
	if st.book.Update(n, func(o *order) error {
		setStatus(&o.doc, status, now)
		o.modified = now
		return nil
	}) != nil {
		return fmt.Errorf("order %s not found", id)
	}
	return nil
}

// store is one seller account.
type store struct {
	id    string
	index int
	opts  StoreOptions
	book  *kit.Book[int64, order]
	// seq counts changes: every insert or change takes the next value.
	seq atomic.Int64

	mu      sync.Mutex
	queried int64 // seq at the last exchange query
	synced  int64 // seq confirmed by mode=success: the exchange offers orders above it
	session int   // sessions handed out
}

func orderID(o *order) int64 { return o.id }

func newStore(id string, index int, o StoreOptions) *store {
	st := &store{id: id, index: index, opts: o}
	st.book = kit.NewBook(kit.BookOptions[int64, order]{
		ID:   orderID,
		Own:  func(o *order) { o.doc = kit.DeepCopy(o.doc) },
		Seal: func(o *order) { o.seq = st.seq.Add(1) },
	})
	return st
}

type order struct {
	id                int64
	doc               cml.Document
	created, modified time.Time
	seq               int64
}
