package schema_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/schema"
)

func TestSplitStatements(t *testing.T) {
	got := schema.SplitStatements("-- header; not a statement\nCREATE TABLE a (x UInt8) -- the x;\nENGINE = Memory;\n\nSELECT 1;\n  \n")
	want := []string{"CREATE TABLE a (x UInt8)\nENGINE = Memory", "SELECT 1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestMigrationsAreNumberedAndNonEmpty(t *testing.T) {
	ms, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].ID() != "001_init" {
		t.Fatalf("migrations = %v, want 001_init first", ms)
	}
	for _, m := range ms {
		if len(m.Statements) == 0 {
			t.Errorf("%s has no statements", m.ID())
		}
	}
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	w := chtest.New(t) // already migrated once
	ctx := context.Background()
	applied, err := schema.Migrate(ctx, w.Conn(), w.Database())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", applied)
	}
	var n uint64
	if err := w.Conn().QueryRow(ctx, "SELECT count() FROM "+w.Database()+".schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	ms, _ := schema.Migrations()
	if n != uint64(len(ms)) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(ms))
	}
	for _, view := range []string{"v_orders", "v_order_items", "v_royalties", "v_extract_state"} {
		if err := w.Conn().Exec(ctx, "SELECT * FROM "+w.Database()+"."+view+" LIMIT 1"); err != nil {
			t.Errorf("view %s: %v", view, err)
		}
	}
}

func TestMigrateRejectsOddDatabaseNames(t *testing.T) {
	if _, err := schema.Migrate(context.Background(), nil, "x; DROP DATABASE y"); err == nil {
		t.Fatal("want an error for a database name that is not an identifier")
	}
}
