package chtest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// Query runs q ({db} = the warehouse's database) and returns its rows as
// tab-joined text.
func Query(t testing.TB, wh *clickhouse.Warehouse, q string, args ...any) []string {
	t.Helper()
	rows, err := wh.Conn().Query(context.Background(), strings.ReplaceAll(q, "{db}", wh.Database()), args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols := rows.ColumnTypes()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i, c := range cols {
			vals[i] = reflect.New(c.ScanType()).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(deref(v))
		}
		out = append(out, strings.Join(parts, "\t"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		rv = rv.Elem()
	}
	return rv.Interface()
}

// Exec runs a statement that returns no rows ({db} = the warehouse's
// database), such as OPTIMIZE … FINAL to make ClickHouse merge now.
func Exec(t testing.TB, wh *clickhouse.Warehouse, q string, args ...any) {
	t.Helper()
	if err := wh.Conn().Exec(context.Background(), strings.ReplaceAll(q, "{db}", wh.Database()), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
