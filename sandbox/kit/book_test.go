package kit

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type testRec struct {
	id      int
	created int
	tags    []string
	sealed  int
}

func newTestBook(less func(a, b *testRec) bool) *Book[int, testRec] {
	return NewBook(BookOptions[int, testRec]{
		ID:   func(r *testRec) int { return r.id },
		Own:  func(r *testRec) { r.tags = append([]string(nil), r.tags...) },
		Seal: func(r *testRec) { r.sealed++ },
		Less: less,
	})
}

func TestBookUpdateCopiesOnWrite(t *testing.T) {
	b := newTestBook(nil)
	seeded := []*testRec{{id: 3, tags: []string{"a"}}, {id: 1}, {id: 2}}
	b.Seed(len(seeded), func(i int) *testRec { return seeded[i] })
	held, _ := b.Get(3)
	if err := b.Update(3, func(r *testRec) error { r.tags[0] = "b"; return nil }); err != nil {
		t.Fatal(err)
	}
	if held.tags[0] != "a" {
		t.Fatal("a change edited the record a reader held")
	}
	now, _ := b.Get(3)
	if now.tags[0] != "b" || now.sealed != 2 {
		t.Fatalf("published %+v", now)
	}
	refuse := errors.New("no")
	if err := b.Update(2, func(r *testRec) error { r.tags = []string{"x"}; return refuse }); err != refuse {
		t.Fatalf("refused change answered %v", err)
	}
	if r, _ := b.Get(2); r.tags != nil {
		t.Fatal("a refused change was published")
	}
	if err := b.Update(9, func(*testRec) error { return nil }); !errors.Is(err, ErrNoOrder) {
		t.Fatalf("unknown id answered %v", err)
	}
	ids := []int{}
	for _, r := range b.Snapshot() {
		ids = append(ids, r.id)
	}
	if len(ids) != 3 || ids[0] != 1 || ids[2] != 3 {
		t.Fatalf("seeded out of order: %v", ids)
	}
}

func TestBookCustomOrderAddDelete(t *testing.T) {
	b := newTestBook(func(a, b *testRec) bool { return a.created < b.created || a.created == b.created && a.id < b.id })
	for _, c := range []int{30, 10, 20} {
		b.Add(func(last *testRec, n int) *testRec { return &testRec{id: 100 - c, created: c} })
	}
	last := b.Add(func(last *testRec, n int) *testRec {
		if last.created != 30 || n != 3 {
			t.Fatalf("Add saw last %+v of %d", last, n)
		}
		return &testRec{id: 1, created: 40}
	})
	if err := b.Update(90, func(r *testRec) error { r.created = 50; return nil }); err != nil {
		t.Fatal(err)
	}
	got := []int{}
	for _, r := range b.Filter(func(r *testRec) bool { return r.id != last.id }) {
		got = append(got, r.id)
	}
	if len(got) != 3 || got[0] != 80 || got[1] != 70 || got[2] != 90 {
		t.Fatalf("list order %v", got)
	}
	if err := b.Delete(80); err != nil || b.Delete(80) == nil {
		t.Fatal("Delete")
	}
	if _, ok := b.Get(80); ok {
		t.Fatal("deleted record still found")
	}
}

func TestTruthByStoreID(t *testing.T) {
	var stores Stores[*Book[int, testRec]]
	b := newTestBook(nil)
	b.Seed(1, func(int) *testRec { return &testRec{id: 1, tags: []string{"a"}} })
	stores.Add(func(int) (string, *Book[int, testRec]) { return "store-1", b })
	truth := NewTruth(&stores, func(b *Book[int, testRec]) *Book[int, testRec] { return b }, func(r *testRec) testRec {
		c := *r
		c.tags = append([]string(nil), r.tags...)
		return c
	})
	if o, ok := truth.Order("store-1", 1); !ok || o.tags[0] != "a" {
		t.Fatalf("Order %+v %v", o, ok)
	}
	truth.Orders("store-1")[0].tags[0] = "z"
	if r, _ := b.Get(1); r.tags[0] != "a" {
		t.Fatal("the truth shares the book's data")
	}
	if truth.Orders("store-2") != nil {
		t.Fatal("unknown store has orders")
	}
	if _, err := stores.Lookup("store-2"); !errors.Is(err, ErrUnknownStore) {
		t.Fatal("Lookup of an unknown store")
	}
}

func TestControlJSONAndRate(t *testing.T) {
	b := NewBase(BaseOptions{Options: Options{Seed: 1}})
	c := NewControl(&b, nil, nil)
	HandleJSON(c, "POST /_sandbox/echo", func(_ *http.Request, req struct{ N int }) (any, error) {
		if req.N < 0 {
			return nil, ErrNoOrder
		}
		return req, nil
	})
	do := func(method, path, body string) (int, string) {
		w := httptest.NewRecorder()
		c.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
		return w.Code, w.Body.String()
	}
	if code, body := do("POST", "/_sandbox/echo", `{"N":2}`); code != 200 || body != `{"N":2}` {
		t.Fatalf("echo %d %s", code, body)
	}
	if code, _ := do("POST", "/_sandbox/echo", `{"N":-1}`); code != 404 {
		t.Fatalf("unknown order answered %d", code)
	}
	if code, _ := do("POST", "/_sandbox/echo", `{`); code != 400 {
		t.Fatalf("bad JSON answered %d", code)
	}
	if code, _ := do("PUT", "/_sandbox/rate", `{"per_second":5}`); code != 200 {
		t.Fatalf("rate answered %d", code)
	}
	if code, _ := do("GET", "/_sandbox/nothing", ""); code != 404 {
		t.Fatalf("unknown endpoint answered %d", code)
	}
}

func TestDeepCopySharesNothing(t *testing.T) {
	type inner struct {
		N    *int
		Tags []string
	}
	type outer struct {
		In    *inner
		List  []inner
		Map   map[string][]int
		Any   any
		Raw   []byte
		Fixed [2]*int
		hide  int
	}
	n := 1
	src := outer{In: &inner{N: &n, Tags: []string{"a"}}, List: []inner{{Tags: []string{"b"}}}, Map: map[string][]int{"k": {1}},
		Any: &inner{N: &n}, Raw: []byte(`{}`), Fixed: [2]*int{&n}, hide: 7}
	c := DeepCopy(src)
	*c.In.N, c.In.Tags[0], c.List[0].Tags[0], c.Map["k"][0], c.Raw[0], *c.Fixed[0] = 9, "z", "z", 9, 'x', 9
	*c.Any.(*inner).N = 9
	if n != 1 || src.In.Tags[0] != "a" || src.List[0].Tags[0] != "b" || src.Map["k"][0] != 1 || src.Raw[0] != '{' || c.hide != 7 {
		t.Fatalf("the copy shares data: %+v", src)
	}
	var empty outer
	if e := DeepCopy(empty); e.In != nil || e.List != nil || e.Map != nil {
		t.Fatal("nil became non-nil")
	}
}

func TestAddNewNumbersItsRecordsAndEditKeepsTheID(t *testing.T) {
	b := newTestBook(nil)
	b.Seed(2, func(i int) *testRec { return &testRec{id: i + 1} })
	var got [][2]int
	for range 2 {
		b.AddNew(func(last *testRec, n, added int) *testRec {
			got = append(got, [2]int{n, added})
			r := &testRec{id: last.id + 1}
			Edit(r, &r.id, func(r *testRec) { r.id, r.created = 99, 5 })
			return r
		})
	}
	if len(got) != 2 || got[0] != [2]int{2, 1} || got[1] != [2]int{3, 2} {
		t.Fatalf("n and added %v", got)
	}
	if r, ok := b.Get(4); !ok || r.created != 5 {
		t.Fatalf("the edit moved the id or was lost: %+v", r)
	}
	r := testRec{id: 1}
	Edit(&r, &r.id, nil)
	if r.id != 1 {
		t.Fatal("a nil mutate changed the record")
	}
}
