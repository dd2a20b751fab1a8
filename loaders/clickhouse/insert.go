package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/kramar/kramar/schema/rows"
	"github.com/shopspring/decimal"
)

// insertRetries is how many times a failed insert is tried again.
const insertRetries = 3

// insertBackoff is the wait before the first retry; it doubles after each.
var insertBackoff = 250 * time.Millisecond

// Insert writes rec into table. The column list comes from the record's
// field names (ClickHouse 18.16 rejects a batch INSERT without one). An
// empty record is a no-op. A failed send is retried with a new batch built
// from the same record: a batch that was sent cannot be sent again
// (clickhouse-go#529). Re-sending rows that did arrive is harmless for the
// ReplacingMergeTree tables; the log tables may then hold a duplicate.
func (w *Warehouse) Insert(ctx context.Context, table string, rec arrow.Record) error {
	if rec == nil || rec.NumRows() == 0 {
		return nil
	}
	sch := rec.Schema()
	names := make([]string, rec.NumCols())
	values := make([]any, rec.NumCols())
	for i := range values {
		names[i] = quoteIdent(sch.Field(i).Name)
		v, err := goValues(rec.Column(i))
		if err != nil {
			return fmt.Errorf("clickhouse: insert into %s: column %s: %w", table, sch.Field(i).Name, err)
		}
		values[i] = v
	}
	query := "INSERT INTO " + w.table(table) + " (" + strings.Join(names, ", ") + ")"

	wait := insertBackoff
	for attempt := 0; ; attempt++ {
		err := w.sendBatch(ctx, query, values)
		if err == nil {
			return nil
		}
		var permanent *permanentError
		if errors.As(err, &permanent) || attempt == insertRetries || ctx.Err() != nil {
			return fmt.Errorf("clickhouse: insert %d rows into %s (attempt %d): %w", rec.NumRows(), table, attempt+1, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("clickhouse: insert into %s: %w (after: %v)", table, ctx.Err(), err)
		}
		wait *= 2
	}
}

// permanentError marks a failure that a retry cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// sendBatch makes a fresh batch, fills it column by column and sends it.
func (w *Warehouse) sendBatch(ctx context.Context, query string, values []any) error {
	batch, err := w.conn.PrepareBatch(ctx, query)
	if err != nil {
		// The server answering with an exception here means the statement
		// itself is wrong (unknown table or column); a network error may pass.
		var exc *ch.Exception
		if errors.As(err, &exc) {
			return &permanentError{err}
		}
		return err
	}
	for i, v := range values {
		if err := batch.Column(i).Append(v); err != nil {
			batch.Abort()
			return &permanentError{err}
		}
	}
	return batch.Send()
}

// goValues converts an Arrow column to the slice clickhouse-go appends.
func goValues(arr arrow.Array) (any, error) {
	if arr.NullN() > 0 {
		return nil, fmt.Errorf("%d null values; warehouse columns are not Nullable", arr.NullN())
	}
	switch a := arr.(type) {
	case *array.String:
		out := make([]string, a.Len())
		for i := range out {
			// Value aliases the Arrow buffer; clickhouse-go copies on append.
			out[i] = a.Value(i)
		}
		return out, nil
	case *array.Uint8:
		return a.Uint8Values(), nil
	case *array.Uint32:
		return a.Uint32Values(), nil
	case *array.Uint64:
		return a.Uint64Values(), nil
	case *array.Timestamp:
		toTime, err := a.DataType().(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		out := make([]time.Time, a.Len())
		for i, v := range a.TimestampValues() {
			out[i] = toTime(v).UTC()
		}
		return out, nil
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		out := make([]decimal.Decimal, a.Len())
		for i := range out {
			out[i] = rows.FromDecimal128(a.Value(i), scale)
		}
		return out, nil
	}
	return nil, fmt.Errorf("arrow type %s has no ClickHouse mapping here", arr.DataType())
}
