package reports

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// maxRows is the number of rows a sheet holds (Excel's limit); a table with
// more continues on a new sheet. A variable so tests can split small tables.
var maxRows = excelize.TotalRows

// maxSheetName is Excel's limit on a sheet name's length.
const maxSheetName = 31

// Number formats. The hryvnia sign goes in quotes so every locale shows it.
const (
	uahFormat    = `#,##0.00 "₴"`
	amountFormat = `#,##0.00`
	dateFormat   = `dd.mm.yyyy`
	countFormat  = `#,##0`
)

// cellKind is what a column holds; it picks the cell style.
type cellKind int

const (
	textCell  cellKind = iota
	dateCell           // time.Time, shown as a date
	moneyCell          // decimal.Decimal in hryvnias (book.money picks a plain format for other currencies)
	countCell          // an integer
)

// column describes one column of a table.
type column struct {
	header string
	width  float64
	kind   cellKind
	sum    bool // the total row sums this column
}

// book is one workbook being written: its styles and the sheet names taken.
type book struct {
	f      *excelize.File
	first  bool // the default sheet has not been used yet
	taken  map[string]bool
	header int
	label  int              // bold text of a total row
	data   map[cellKind]int // style of a data cell
	total  map[cellKind]int // style of a total cell
	amount int              // money in a currency other than the hryvnia
	title  string           // the page header's right side: the report's month
}

func newBook() (*book, error) {
	b := &book{f: excelize.NewFile(), first: true, taken: map[string]bool{},
		data: map[cellKind]int{}, total: map[cellKind]int{}}
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(s)
		return id
	}
	custom := func(f string) *string { return &f }
	bold := &excelize.Font{Bold: true}
	b.header = style(&excelize.Style{Font: bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.label = style(&excelize.Style{Font: bold})
	for kind, format := range map[cellKind]string{dateCell: dateFormat, moneyCell: uahFormat, countCell: countFormat} {
		b.data[kind] = style(&excelize.Style{CustomNumFmt: custom(format)})
		b.total[kind] = style(&excelize.Style{Font: bold, CustomNumFmt: custom(format)})
	}
	b.amount = style(&excelize.Style{CustomNumFmt: custom(amountFormat)})
	if err == nil {
		// The cached totals are right, but a recalculation on open keeps
		// them right after the accountant edits a cell.
		err = b.f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: boolPtr(true)})
	}
	if err != nil {
		b.f.Close()
		return nil, err
	}
	return b, nil
}

func boolPtr(v bool) *bool { return &v }

// money is an amount cell: the hryvnia format for UAH, a plain number format
// for any other currency (the currency column names it).
func (b *book) money(amount decimal.Decimal, currency string) excelize.Cell {
	if currency == "" || strings.EqualFold(currency, "UAH") {
		return excelize.Cell{Value: amount}
	}
	return excelize.Cell{StyleID: b.amount, Value: amount}
}

// sheet adds a sheet named base+suffix, base shortened so the name fits
// Excel's limit and made unique; the workbook's default sheet is reused for
// the first one.
func (b *book) sheet(base, suffix string) (string, error) {
	name := b.uniqueName(base, suffix)
	if b.first {
		b.first = false
		return name, b.f.SetSheetName(b.f.GetSheetName(0), name)
	}
	_, err := b.f.NewSheet(name)
	return name, err
}

func (b *book) uniqueName(base, suffix string) string {
	base = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '_'
		}
		return r
	}, base)
	if base == "" {
		base = "_"
	}
	name := truncate(base, maxSheetName-utf8.RuneCountInString(suffix)) + suffix
	for n := 2; b.taken[strings.ToLower(name)]; n++ { // Excel ignores case in sheet names
		more := fmt.Sprintf("~%d", n)
		name = truncate(base, maxSheetName-utf8.RuneCountInString(suffix+more)) + more + suffix
	}
	b.taken[strings.ToLower(name)] = true
	return name
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// write saves the workbook to w. The zip goes straight to w instead of
// through excelize's in-memory buffer, so a large workbook is never held in
// memory whole (its sheets are already in temporary files).
func (b *book) write(w io.Writer) error {
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	err := b.f.Write(io.Discard)
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// close releases the temporary files of a workbook that is not written.
func (b *book) close() { _ = b.f.Close() }
