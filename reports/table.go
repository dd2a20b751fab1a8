package reports

import (
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// totalLabel heads the total row of every table.
const totalLabel = "Разом"

// table streams rows onto a sheet with a frozen header row, an autofilter
// and a total row of SUM formulas. When a sheet is full it is closed and the
// table continues on "name (2)", "name (3)", … with the same header.
type table struct {
	b     *book
	base  string
	cols  []column
	part  int
	sheet string // the sheet being written
	sw    *excelize.StreamWriter
	row   int               // last row written on the sheet
	sums  []decimal.Decimal // per column, of this sheet's rows: the totals' cached values
	cells []any
	// beforeFlush, when set, runs on each sheet after its last row and
	// before it is flushed (a chart, for one, must be placed then).
	beforeFlush func(t *table) error
}

// table starts a table on a new sheet named base.
func (b *book) table(base string, cols []column) (*table, error) {
	t := &table{b: b, base: base, cols: cols, cells: make([]any, len(cols))}
	return t, t.open()
}

// fill writes a whole table on a new sheet named base: rows adds its rows
// (and may set beforeFlush), then the table is closed.
func (b *book) fill(base string, cols []column, rows func(t *table) error) error {
	t, err := b.table(base, cols)
	if err != nil {
		return err
	}
	if err := rows(t); err != nil {
		return err
	}
	return t.close()
}

func (t *table) open() error {
	t.part++
	suffix := ""
	if t.part > 1 {
		suffix = fmt.Sprintf(" (%d)", t.part)
	}
	name, err := t.b.sheet(t.base, suffix)
	if err != nil {
		return err
	}
	// Before the stream writer: it writes the sheet's properties first.
	if err := t.b.printSetup(name, t.cols); err != nil {
		return err
	}
	sw, err := t.b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	t.sheet, t.sw, t.row = name, sw, 1
	t.sums = make([]decimal.Decimal, len(t.cols))
	// Widths and panes must precede the first row. Each width goes in
	// front of those set before, and Excel wants the columns in order.
	for i := len(t.cols) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, t.cols[i].width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, c := range t.cols {
		t.cells[i] = excelize.Cell{StyleID: t.b.header, Value: c.header}
	}
	return sw.SetRow("A1", t.cells, excelize.RowOpts{Height: 30})
}

// add writes one row: a value per column (string, time.Time, decimal.Decimal,
// an integer, or an excelize.Cell to override the column's style).
func (t *table) add(values ...any) error {
	if len(values) != len(t.cols) {
		return fmt.Errorf("%d values for %d columns of %q", len(values), len(t.cols), t.base)
	}
	if t.row >= maxRows-1 { // the last row is the total's
		if err := t.closeSheet(); err != nil {
			return err
		}
		if err := t.open(); err != nil {
			return err
		}
	}
	for i, v := range values {
		cell, ok := v.(excelize.Cell)
		if !ok {
			cell = excelize.Cell{Value: v}
		}
		if cell.StyleID == 0 {
			cell.StyleID = t.b.data[t.cols[i].kind]
		}
		var n decimal.Decimal
		n, cell.Value = number(cell.Value)
		if t.cols[i].sum {
			t.sums[i] = t.sums[i].Add(n)
		}
		t.cells[i] = cell
	}
	t.row++
	return t.sw.SetRow(cellName(1, t.row), t.cells)
}

// number returns a numeric value as a decimal (for the totals) and as the
// cell's value. Excel stores every number as a binary float, so money turns
// into one only here, on its way into the cell.
func number(v any) (decimal.Decimal, any) {
	switch x := v.(type) {
	case decimal.Decimal:
		return x, x.InexactFloat64()
	case int:
		return decimal.NewFromInt(int64(x)), x
	case int64:
		return decimal.NewFromInt(x), x
	case uint64:
		return decimal.NewFromUint64(x), x
	}
	return decimal.Zero, v
}

// close ends the table's last sheet.
func (t *table) close() error { return t.closeSheet() }

// closeSheet writes the total row, sets the autofilter over the header and
// the rows, and flushes the sheet.
func (t *table) closeSheet() error {
	last := t.row
	for i, c := range t.cols {
		switch {
		case c.sum:
			cell := excelize.Cell{StyleID: t.b.total[c.kind], Value: t.sums[i].InexactFloat64()}
			if last > 1 {
				col := columnName(i + 1)
				cell.Formula = fmt.Sprintf("SUM(%s2:%s%d)", col, col, last)
			}
			t.cells[i] = cell
		case i == 0:
			t.cells[i] = excelize.Cell{StyleID: t.b.label, Value: totalLabel}
		default:
			t.cells[i] = nil
		}
	}
	if err := t.sw.SetRow(cellName(1, last+1), t.cells); err != nil {
		return err
	}
	if err := t.b.f.AutoFilter(t.sheet, "A1:"+cellName(len(t.cols), last), nil); err != nil {
		return err
	}
	if t.beforeFlush != nil {
		if err := t.beforeFlush(t); err != nil {
			return err
		}
	}
	return t.sw.Flush()
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func columnName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}
