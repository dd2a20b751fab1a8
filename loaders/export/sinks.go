package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// parquetSink builds Arrow record batches of BatchRows rows and writes each
// as one row group.
type parquetSink struct {
	cols  []column
	rb    *array.RecordBuilder
	fw    *pqarrow.FileWriter
	batch int
	n     int
}

// keepOpen hides the caller's Close from the Parquet writer, which closes
// its sink: the caller owns w.
type keepOpen struct{ io.Writer }

func newParquetSink(w io.Writer, cols []column, opt Options) (*parquetSink, error) {
	codecs := map[Compression]compress.Compression{"": compress.Codecs.Zstd, Zstd: compress.Codecs.Zstd, Snappy: compress.Codecs.Snappy}
	codec, ok := codecs[opt.Compression]
	if !ok {
		return nil, fmt.Errorf("export: compression %q is not zstd or snappy", opt.Compression)
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.codec.arrow}
	}
	schema := arrow.NewSchema(fields, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(codec), parquet.WithMaxRowGroupLength(int64(opt.BatchRows)))
	// Parquet has no second-precision timestamps; the stored Arrow schema lets
	// Arrow readers get timestamp[s, UTC] back rather than milliseconds.
	fw, err := pqarrow.NewFileWriter(schema, keepOpen{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	return &parquetSink{cols: cols, rb: array.NewRecordBuilder(memory.DefaultAllocator, schema), fw: fw, batch: opt.BatchRows}, nil
}

func (s *parquetSink) write(vals []any) error {
	for i, c := range s.cols {
		if err := c.codec.append(s.rb.Field(i), vals[i]); err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
	}
	if s.n++; s.n == s.batch {
		return s.flush()
	}
	return nil
}

func (s *parquetSink) flush() error {
	rec := s.rb.NewRecord()
	defer rec.Release()
	s.n = 0
	return s.fw.Write(rec)
}

func (s *parquetSink) finish() error {
	defer s.rb.Release()
	if s.n > 0 {
		if err := s.flush(); err != nil {
			return err
		}
	}
	return s.fw.Close()
}

// csvSink writes UTF-8 with a byte order mark (so spreadsheet programs read
// Cyrillic right), a header row and RFC 4180 quoting with CRLF line ends.
type csvSink struct {
	cols   []column
	bw     *bufio.Writer
	cw     *csv.Writer
	record []string
}

func newCSVSink(w io.Writer, cols []column) (*csvSink, error) {
	bw := bufio.NewWriterSize(w, 256*1024)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	return &csvSink{cols: cols, bw: bw, cw: cw, record: make([]string, len(cols))}, nil
}

func (s *csvSink) write(vals []any) error {
	for i, c := range s.cols {
		s.record[i] = c.codec.text(vals[i])
	}
	return s.cw.Write(s.record)
}

func (s *csvSink) finish() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	return s.bw.Flush()
}
