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
	"github.com/kramar/kramar/extractors/retry"
	"github.com/kramar/kramar/schema/rows"
	"github.com/shopspring/decimal"
)

// insertRetries is how many times a failed insert is tried again.
const insertRetries = 3

// insertBackoff is the wait before the first retry; it doubles after each.
var insertBackoff = 250 * time.Millisecond

// Insert writes recs into table: straight away as one insert, through the
// Warehouse's Writer when it has one, or into its Unit when it gathers one.
func (w *Warehouse) Insert(ctx context.Context, table string, recs ...arrow.Record) error {
	return w.write(ctx, []tableRecords{{table, recs}})
}

// write is where every insert goes: parts are for different tables and land
// together (in one flush with a Writer; one after another, in the flush's
// table order, without one).
func (w *Warehouse) write(ctx context.Context, parts []tableRecords) error {
	switch {
	case w.sink != nil:
		w.sink.add(parts)
		return nil
	case w.writer != nil:
		return w.writer.write(ctx, parts)
	}
	byTable := map[string][]arrow.Record{}
	for _, p := range parts {
		byTable[p.table] = append(byTable[p.table], p.recs...)
	}
	for _, t := range insertOrder(byTable) {
		if err := w.insertNow(ctx, t, byTable[t]...); err != nil {
			return err
		}
	}
	return nil
}

// insertNow writes recs into table as ONE insert (one part, not one per
// record): chunks built one after another feed a single large batch. The
// column list comes from the records' field names (ClickHouse 18.16 rejects
// a batch INSERT without one); all records must share a schema. Empty
// records are skipped. A failed send is retried with a new batch built from
// the same records: a batch that was sent cannot be sent again
// (clickhouse-go#529). Re-sending rows that did arrive is harmless for the
// ReplacingMergeTree tables; the log tables may then hold a duplicate.
func (w *Warehouse) insertNow(ctx context.Context, table string, recs ...arrow.Record) error {
	var nonEmpty []arrow.Record
	var total int64
	for _, r := range recs {
		if r != nil && r.NumRows() > 0 {
			if len(nonEmpty) > 0 && !r.Schema().Equal(nonEmpty[0].Schema()) {
				return fmt.Errorf("clickhouse: insert into %s: records have different schemas", table)
			}
			nonEmpty = append(nonEmpty, r)
			total += r.NumRows()
		}
	}
	if len(nonEmpty) == 0 {
		return nil
	}
	sch := nonEmpty[0].Schema()
	names := make([]string, sch.NumFields())
	for i := range names {
		names[i] = quoteIdent(sch.Field(i).Name)
	}
	query := "INSERT INTO " + w.table(table) + " (" + strings.Join(names, ", ") + ")"

	p := retry.Policy{Attempts: insertRetries + 1, Wait: insertBackoff}
	attempts, err := p.Do(ctx, func(int) error {
		err := w.sendBatch(ctx, query, nonEmpty)
		var permanent *permanentError
		if errors.As(err, &permanent) {
			return retry.Permanent(err)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("clickhouse: insert %d rows into %s (attempt %d): %w", total, table, attempts, err)
	}
	return nil
}

// permanentError marks a failure that a retry cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// sendBatch makes a fresh batch, fills it column by column from every
// record and sends it. Values are converted per record and dropped once
// appended, so only one record's Go copy exists at a time.
func (w *Warehouse) sendBatch(ctx context.Context, query string, recs []arrow.Record) error {
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
	for _, rec := range recs {
		for i := 0; i < int(rec.NumCols()); i++ {
			v, err := goValues(rec.Column(i))
			if err == nil {
				err = batch.Column(i).Append(v)
			}
			if err != nil {
				batch.Abort()
				return &permanentError{fmt.Errorf("column %s: %w", rec.Schema().Field(i).Name, err)}
			}
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
	case *array.List:
		strs, ok := a.ListValues().(*array.String)
		if !ok {
			return nil, fmt.Errorf("arrow list of %s has no ClickHouse mapping here", a.ListValues().DataType())
		}
		offsets := a.Offsets()
		out := make([][]string, a.Len())
		for i := range out {
			row := make([]string, 0, offsets[i+1]-offsets[i])
			for j := offsets[i]; j < offsets[i+1]; j++ {
				row = append(row, strs.Value(int(j)))
			}
			out[i] = row
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
