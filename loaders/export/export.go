// Package export writes a warehouse table or view to a Parquet or CSV file
// for analysts, streaming it in record batches so no table is ever held in
// memory whole.
package export

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// Format is the file format of an export.
type Format string

const (
	Parquet Format = "parquet"
	CSV     Format = "csv"
)

// Compression is the Parquet page compression.
type Compression string

const (
	Zstd   Compression = "zstd"
	Snappy Compression = "snappy"
)

// DefaultBatchRows is the rows per Arrow record batch (one Parquet row group).
const DefaultBatchRows = 64 * 1024

// Options says what to export and how.
type Options struct {
	Table  string // one of Tables()
	Format Format
	// From (inclusive) and To (exclusive) bound the table's time column (see
	// TimeColumn); a zero time leaves that side open.
	From, To    time.Time
	Compression Compression // Parquet only; default zstd
	BatchRows   int         // default DefaultBatchRows
}

// Result is what an export wrote.
type Result struct {
	Rows    int64
	Columns int
}

// sink receives the rows of an export in order.
type sink interface {
	// write takes one row as the scan destinations; it must not keep them.
	write(vals []any) error
	// finish flushes what is buffered.
	finish() error
}

// Export writes opt.Table to w. w is not closed.
func Export(ctx context.Context, wh *clickhouse.Warehouse, opt Options, w io.Writer) (Result, error) {
	if opt.BatchRows <= 0 {
		opt.BatchRows = DefaultBatchRows
	}
	if !opt.From.IsZero() && !opt.To.IsZero() && !opt.From.Before(opt.To) {
		return Result{}, fmt.Errorf("export: --from %s is not before --to %s", opt.From.Format(time.RFC3339), opt.To.Format(time.RFC3339))
	}
	src, cols, err := describe(ctx, wh, opt.Table)
	if err != nil {
		return Result{}, err
	}
	r, err := read(opt.Table, src, cols, opt.From, opt.To)
	if err != nil {
		return Result{}, err
	}
	var out sink
	switch opt.Format {
	case Parquet:
		out, err = newParquetSink(w, cols, opt)
	case CSV:
		out, err = newCSVSink(w, cols)
	default:
		err = fmt.Errorf("export: format %q is not parquet or csv", opt.Format)
	}
	if err != nil {
		return Result{}, err
	}

	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = c.codec.dest()
	}
	res := Result{Columns: len(cols)}
	var writeErr error
	err = wh.ReadTable(ctx, r, vals, func() error {
		if writeErr = out.write(vals); writeErr != nil {
			return writeErr
		}
		res.Rows++
		return nil
	})
	if writeErr != nil {
		return res, fmt.Errorf("export: %s row %d: %w", opt.Table, res.Rows+1, writeErr)
	}
	if err != nil {
		return res, fmt.Errorf("export: read %s: %w", opt.Table, err)
	}
	if err := out.finish(); err != nil {
		return res, fmt.Errorf("export: write %s: %w", opt.Table, err)
	}
	return res, nil
}
