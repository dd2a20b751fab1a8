package clickhouse_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
	"github.com/shopspring/decimal"
)

func load(t *testing.T, w *clickhouse.Warehouse, orders ...canon.Order) {
	t.Helper()
	if err := w.InsertBatch(context.Background(), batchOf(t, "run-test", orders)); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, w *clickhouse.Warehouse, from string) uint64 {
	t.Helper()
	var n uint64
	if err := w.Conn().QueryRow(context.Background(), "SELECT count() FROM "+w.Database()+"."+from).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantCount reports an error unless from holds want rows, and tells whether it does.
func wantCount(t *testing.T, w *clickhouse.Warehouse, from string, want uint64) bool {
	t.Helper()
	n := count(t, w, from)
	if n != want {
		t.Errorf("%s holds %d rows, want %d", from, n, want)
	}
	return n == want
}

func TestColumnsMatchMigratedTables(t *testing.T) {
	w := chtest.New(t)
	for _, table := range append(clickhouse.Tables(), clickhouse.ExpensesTable()) {
		got := chtest.Query(t, w, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?", w.Database(), table.Name)
		var want []string
		for _, c := range table.Columns {
			typ := c.Kind.ClickHouseType()
			if table.Name == "expenses" && c.Name == "booked_on" {
				typ = "Date" // written as midnight UTC; the server keeps the day
			}
			want = append(want, c.Name+"\t"+typ)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("table %s:\n server: %v\n spec:   %v", table.Name, got, want)
		}
	}
}

func TestSameOrdersTwiceShowOnce(t *testing.T) {
	w := chtest.New(t)
	orders := []canon.Order{testOrder("1", 2), testOrder("2", 1)}
	load(t, w, orders...)
	load(t, w, orders...)
	if n := count(t, w, "orders"); n != 4 {
		t.Fatalf("orders holds %d rows before merge, want 4 (the test would prove nothing)", n)
	}
	wantCount(t, w, "v_orders", 2)
	wantCount(t, w, "v_order_items", 3)
	wantCount(t, w, "v_royalties", 2)
}

func TestUpdatedOrderReplacesOld(t *testing.T) {
	w := chtest.New(t)
	o := testOrder("1", 1)
	load(t, w, o)
	o.Status = "shipped"
	o.TTN = "20450000000001"
	load(t, w, o)
	var status, ttn string
	if err := w.Conn().QueryRow(context.Background(),
		"SELECT status, ttn FROM "+w.Database()+".v_orders WHERE external_id = '1'").Scan(&status, &ttn); err != nil {
		t.Fatal(err)
	}
	if status != "shipped" || ttn != "20450000000001" {
		t.Errorf("v_orders has status %q ttn %q, want the update", status, ttn)
	}
	wantCount(t, w, "v_orders", 1)
}

func TestShrunkOrderHidesRemovedLines(t *testing.T) {
	w := chtest.New(t)
	o := testOrder("1", 3)
	load(t, w, o)
	if !wantCount(t, w, "v_order_items", 3) {
		t.FailNow()
	}
	o.Items = o.Items[:2]
	load(t, w, o)
	wantCount(t, w, "v_order_items", 2)
	// Another store's order with the same id must not be affected.
	other := testOrder("1", 3)
	other.Store = "shop2"
	load(t, w, other)
	wantCount(t, w, "v_order_items WHERE store = 'shop2'", 3)
}

func TestDecimalsAndTimesRoundTrip(t *testing.T) {
	w := chtest.New(t)
	o := testOrder("1", 1)
	load(t, w, o)
	var (
		amount, full, delivery decimal.Decimal
		created, modified      time.Time
	)
	if err := w.Conn().QueryRow(context.Background(),
		"SELECT amount, full_amount, delivery_cost, created_at, modified_at FROM "+w.Database()+".v_orders").
		Scan(&amount, &full, &delivery, &created, &modified); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got  decimal.Decimal
		want string
	}{{amount, "1234.50"}, {full, "0.01"}, {delivery, "99999999.99"}} {
		if c.got.StringFixed(2) != c.want {
			t.Errorf("got %s, want %s", c.got.StringFixed(2), c.want)
		}
	}
	if created.Location() != time.UTC || !created.Equal(o.CreatedAt) || created.Hour() != 0 {
		t.Errorf("created_at = %s, want %s in UTC", created, o.CreatedAt.UTC())
	}
	if !modified.Equal(o.ModifiedAt) {
		t.Errorf("modified_at = %s, want %s", modified, o.ModifiedAt.UTC())
	}
	// The text form proves the server itself holds UTC, not the client's reading.
	var text string
	if err := w.Conn().QueryRow(context.Background(),
		"SELECT toString(created_at) FROM "+w.Database()+".v_orders").Scan(&text); err != nil {
		t.Fatal(err)
	}
	if text != "2024-03-31 00:30:00" {
		t.Errorf("created_at as text = %s, want 2024-03-31 00:30:00", text)
	}
	var qty, price decimal.Decimal
	if err := w.Conn().QueryRow(context.Background(),
		"SELECT quantity, price FROM "+w.Database()+".v_order_items").Scan(&qty, &price); err != nil {
		t.Fatal(err)
	}
	if qty.StringFixed(3) != "1.250" || price.StringFixed(2) != "987.65" {
		t.Errorf("quantity %s price %s, want 1.250 and 987.65", qty, price)
	}
}

func TestExistingHashes(t *testing.T) {
	w := chtest.New(t)
	a, b := testOrder("a", 1), testOrder("b", 1)
	load(t, w, a, b)
	b.Status = "cancelled"
	load(t, w, b)
	got, err := w.ExistingHashes(context.Background(), "prom", "shop1", []string{"a", "b", "never-loaded"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{"a": rows.Hash(&a), "b": rows.Hash(&b)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	other, err := w.ExistingHashes(context.Background(), "prom", "shop2", []string{"a"})
	if err != nil || len(other) != 0 {
		t.Errorf("another store sees %v, %v; want nothing", other, err)
	}
}

func TestExistingHashesChunksLongLists(t *testing.T) {
	w := chtest.New(t)
	const quoted = `it's a \'quoted\' id`
	orders := []canon.Order{testOrder("first", 0), testOrder(quoted, 0), testOrder("last", 0)}
	load(t, w, orders...)
	ids := make([]string, 25_000)
	for i := range ids {
		ids[i] = fmt.Sprint("missing-", i)
	}
	ids[0], ids[12_345], ids[len(ids)-1] = "first", quoted, "last"
	got, err := w.ExistingHashes(context.Background(), "prom", "shop1", ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[quoted] != rows.Hash(&orders[1]) {
		t.Errorf("got %v, want first, last and the quoted id", got)
	}
}

func TestStateSaveClearLoad(t *testing.T) {
	w := chtest.New(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, kyiv)
	set := []clickhouse.StateEntry{
		{Kind: "cursor", Key: "orders", Value: `{"last_modified":"2024-05-01T07:00:00Z"}`, UpdatedAt: at},
		{Kind: "held", Key: "101", Value: `{"since":"2024-05-01"}`, UpdatedAt: at},
		{Kind: "held", Key: "102", Value: `{}`, UpdatedAt: at},
	}
	if err := w.SaveState(ctx, "prom", "shop1", set, nil); err != nil {
		t.Fatal(err)
	}
	moved := clickhouse.StateEntry{Kind: "cursor", Key: "orders", Value: `{"last_modified":"2024-05-01T08:00:00Z"}`, UpdatedAt: at}
	if err := w.SaveState(ctx, "prom", "shop1",
		[]clickhouse.StateEntry{moved}, []clickhouse.StateEntry{{Kind: "held", Key: "101"}}); err != nil {
		t.Fatal(err)
	}
	got, err := w.LoadState(ctx, "prom", "shop1")
	if err != nil {
		t.Fatal(err)
	}
	want := []clickhouse.StateEntry{moved, set[2]}
	for i := range want {
		want[i].UpdatedAt = want[i].UpdatedAt.UTC()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadState:\n got  %+v\n want %+v", got, want)
	}
	wantCount(t, w, "v_extract_state", 2)
	// An entry set and cleared in the same call ends up cleared.
	if err := w.SaveState(ctx, "prom", "shop1", set[2:], set[2:]); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.LoadState(ctx, "prom", "shop1"); len(got) != 1 {
		t.Errorf("after set+clear of held/102: %+v, want only the cursor", got)
	}
	if other, err := w.LoadState(ctx, "prom", "shop2"); err != nil || len(other) != 0 {
		t.Errorf("another store's state = %v, %v; want none", other, err)
	}
}

func TestRecordRunAndRejects(t *testing.T) {
	w := chtest.New(t)
	ctx := context.Background()
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	run := clickhouse.Run{
		RunID: "r1", Marketplace: "prom", Store: "shop1", Job: "orders",
		StartedAt: start, FinishedAt: start.Add(1500 * time.Millisecond),
		Status: "partial", Fetched: 10, New: 5, Updated: 2, Unchanged: 2, Rejected: 1, Error: "one order rejected",
	}
	if err := w.RecordRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	var (
		dur          uint64
		status, job  string
		fetched, new uint64
	)
	if err := w.Conn().QueryRow(ctx, "SELECT duration_ms, status, job, fetched, new FROM "+w.Database()+".pipeline_runs").
		Scan(&dur, &status, &job, &fetched, &new); err != nil {
		t.Fatal(err)
	}
	if dur != 1500 || status != "partial" || job != "orders" || fetched != 10 || new != 5 {
		t.Errorf("pipeline_runs row = %d %s %s %d %d", dur, status, job, fetched, new)
	}
	rejects := []canon.Reject{{Marketplace: "prom", Store: "shop1", RecordID: "77", Field: "price", Reason: "not a number", Payload: `{"price":"abc"}`}}
	if err := w.RecordRejects(ctx, "r1", rejects, start); err != nil {
		t.Fatal(err)
	}
	var field, payload, runID string
	if err := w.Conn().QueryRow(ctx, "SELECT run_id, field, payload FROM "+w.Database()+".rejects WHERE record_id = '77'").
		Scan(&runID, &field, &payload); err != nil {
		t.Fatal(err)
	}
	if runID != "r1" || field != "price" || payload != `{"price":"abc"}` {
		t.Errorf("rejects row = %s %s %s", runID, field, payload)
	}
}

func TestEmptyInsertIsNoOp(t *testing.T) {
	w := chtest.New(t)
	b, err := rows.Build(nil, rows.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if err := w.InsertBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := w.Insert(context.Background(), "no_such_table", nil); err != nil {
		t.Fatalf("nil record: %v", err)
	}
}

func TestInsertIntoMissingTableFailsFast(t *testing.T) {
	w := chtest.New(t)
	b, err := rows.Build([]canon.Order{testOrder("1", 0)}, rows.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	start := time.Now()
	if err := w.Insert(context.Background(), "no_such_table", b.Orders); err == nil {
		t.Fatal("want an error")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a statement the server rejects was retried for %s", d)
	}
}

func TestDSNPasswordNeverInErrors(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	base := os.Getenv(chtest.DSNEnv)
	if base == "" {
		t.Fatalf("%s is not set: run tests via `make test`, which starts ClickHouse", chtest.DSNEnv)
	}
	host := strings.TrimPrefix(base, "clickhouse://")
	host = host[strings.LastIndex(host, "@")+1:]
	host = strings.SplitN(host, "/", 2)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"clickhouse://default:" + secret + "@" + host + "/default",   // wrong password on a live server
		"clickhouse://nobody:" + secret + "@127.0.0.1:1/default",     // nothing listening
		"clickhouse://nobody:" + secret + "@127.0.0.1:notaport/x",    // does not parse
		"clickhouse://nobody:" + secret + "@127.0.0.1:9000/bad-name", // bad database name
		"http://nobody:" + secret + "@127.0.0.1:8123/default",        // wrong protocol
		"clickhouse://nobody:" + secret + "@127.0.0.1:9000/x?dial_timeout=zz",
	} {
		w, err := clickhouse.Open(ctx, dsn)
		if err == nil {
			w.Close()
			t.Errorf("Open(%s) succeeded, want an error", clickhouse.RedactDSN(dsn))
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", err), secret) {
			t.Errorf("error leaks the password: %v", err)
		}
	}
	if got := clickhouse.RedactDSN("clickhouse://u:" + secret + "@h:9000/db"); got != "clickhouse://u:xxxxx@h:9000/db" {
		t.Errorf("RedactDSN = %s", got)
	}
}

// BenchmarkBuildAndInsert10k measures one backfill-sized batch: 10,000 orders
// with 2 lines each, from canonical rows to rows on the server.
func BenchmarkBuildAndInsert10k(b *testing.B) {
	w := chtest.New(b)
	orders := make([]canon.Order, 10_000)
	for i := range orders {
		orders[i] = testOrder(fmt.Sprint(i), 2)
	}
	b.ResetTimer()
	for range b.N {
		batch, err := rows.Build(orders, rows.Meta{RunID: "bench", Version: rows.NextVersion(), LoadedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.InsertBatch(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		batch.Release()
	}
	b.ReportMetric(float64(b.N*len(orders))/b.Elapsed().Seconds(), "orders/s")
}
