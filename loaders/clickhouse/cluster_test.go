package clickhouse_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/schema"
)

func TestMigrationsOnAClusterMakeTheSameViewsAndTwoMigratorsAtOnceOneSchema(t *testing.T) {
	single := chtest.New(t)
	c := chtest.NewCluster(t, 1, 2)
	onA, onB := c.Open(0), c.Open(1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Two workers migrate at the same moment, each through its own server.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, w := range []*clickhouse.Warehouse{onA, onB} {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = w.Migrate(ctx) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrator %d: %v", i, err)
		}
	}

	// Every table of one server is, on each replica, a Distributed table
	// of that name over a Replicated one; every view is there too.
	want := map[string]string{}
	for _, row := range chtest.Query(t, single, `SELECT name, engine FROM system.tables WHERE database = ?`, single.Database()) {
		name, engine, _ := strings.Cut(row, "\t")
		switch {
		case engine == "View":
			want[name] = "View"
		default:
			want[name] = "Distributed"
			want[name+schema.LocalSuffix] = "Replicated" + engine
		}
	}
	// The cluster's migration log keeps one row per version even when two
	// migrators record the same one.
	want["schema_migrations"+schema.LocalSuffix] = "ReplicatedReplacingMergeTree"
	for i, w := range []*clickhouse.Warehouse{onA, onB} {
		got := map[string]string{}
		for _, row := range chtest.Query(t, w, `SELECT name, engine FROM system.tables WHERE database = ?`, w.Database()) {
			name, engine, _ := strings.Cut(row, "\t")
			got[name] = engine
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("replica %d: tables\n%v\nwant\n%v", i+1, got, want)
		}
	}
	migrations, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	// The log is read through the other server, whose replica may still be
	// fetching the last records: wait for replication, then check.
	want1 := fmt.Sprintf("%d\t1", len(migrations))
	var logged string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if logged = chtest.Query(t, onB, `SELECT count(), max(n) FROM (SELECT version, count() AS n FROM {db}.schema_migrations FINAL GROUP BY version)`)[0]; logged == want1 {
			break
		}
	}
	if logged != want1 {
		t.Errorf("schema_migrations: %s (versions, most records of one), want %d versions of one record each", logged, len(migrations))
	}
	// Columns of both replicas match one server's, views included.
	cols := func(w *clickhouse.Warehouse) []string {
		return chtest.Query(t, w, `SELECT table, name, type FROM system.columns WHERE database = ? AND NOT endsWith(table, ?) ORDER BY table, name`, w.Database(), schema.LocalSuffix)
	}
	if a, b, s := cols(onA), cols(onB), cols(single); !slices.Equal(a, s) || !slices.Equal(b, s) {
		t.Errorf("the columns on the cluster differ from one server's")
	}
	// Migrating again applies nothing.
	if applied, err := onB.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("a second migration applied %v (%v)", applied, err)
	}

	// Rows written through one replica are the views' on the other.
	wr := clickhouse.NewWriter(onA, clickhouse.WriterOptions{})
	b := batchOf(t, "run-cluster", testOrders(5, func(i int) string { return fmt.Sprintf("shop-%d", i%2) }))
	if err := onA.Through(wr).InsertBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	// insert_distributed_sync: the shard has the rows once the insert
	// returns; the other replica gets them by replication.
	var got string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got = chtest.Query(t, onB, `SELECT count(), sum(items_count) FROM {db}.v_orders`)[0] + " / " +
			chtest.Query(t, onB, `SELECT count() FROM {db}.v_order_items`)[0]; got == "5\t10 / 10" {
			break
		}
	}
	if got != "5\t10 / 10" {
		t.Errorf("the other replica's views: %s orders, lines / lines in v_order_items; want 5, 10 / 10", got)
	}

	// A catalog is published through the Distributed tables (staged, copied,
	// the gone offer carried over) and read on the other replica.
	loadCatalog(t, onA, "load-1", "a", "b")
	loadCatalog(t, onA, "load-2", "b")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got = strings.Join(chtest.Query(t, onB, `SELECT product_id, available, _run_id FROM {db}.v_products ORDER BY product_id`), " "); got == "a\t0\tload-2 b\t1\tload-2" {
			break
		}
	}
	if got != "a\t0\tload-2 b\t1\tload-2" {
		t.Errorf("the other replica's v_products: %q", got)
	}
}
