package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
)

var november = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// insert appends rows to a warehouse table.
func insert(t *testing.T, wh *clickhouse.Warehouse, table, columns string, rows ...[]any) {
	t.Helper()
	ctx := context.Background()
	batch, err := wh.Conn().PrepareBatch(ctx, fmt.Sprintf("INSERT INTO %s.%s (%s)", wh.Database(), table, columns))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := batch.Append(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}

const expenseCols = "expense_id, marketplace, store, order_id, kind, entry, booked_on, amount, currency, description, source, created_at, _version"

func expense(id, store, order, kind, entry string, booked time.Time, amount, currency string) []any {
	return []any{id, "prom", store, order, kind, entry, booked, decimal.RequireFromString(amount), currency,
		"опис " + id, "royalties", booked, uint64(1)}
}

// workbook runs a report and opens what it wrote.
func workbook(t *testing.T, name string, wh *clickhouse.Warehouse, p Params) (*excelize.File, []byte) {
	t.Helper()
	report, ok := Lookup(name)
	if !ok {
		t.Fatalf("no report %q", name)
	}
	var buf bytes.Buffer
	if err := report(context.Background(), &buf, wh, p); err != nil {
		t.Fatal(err)
	}
	return open(t, buf.Bytes()), buf.Bytes()
}

func open(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the report is not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// check compares cells (raw values: a date is its serial number, a formula
// cell its cached value).
func check(t *testing.T, f *excelize.File, sheet string, want map[string]string) {
	t.Helper()
	for cell, w := range want {
		got, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("%s!%s = %q, want %q", sheet, cell, got, w)
		}
	}
}

func checkFormula(t *testing.T, f *excelize.File, sheet, cell, want string) {
	t.Helper()
	got, err := f.GetCellFormula(sheet, cell)
	if err != nil || got != want {
		t.Errorf("%s!%s formula = %q (%v), want %q", sheet, cell, got, err, want)
	}
}

// numFmt is the custom number format of a cell's style.
func numFmt(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}

func checkNumber(t *testing.T, f *excelize.File, sheet, cell, format string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s has type %v, want a number", sheet, cell, typ)
	}
	if got := numFmt(t, f, sheet, cell); got != format {
		t.Errorf("%s!%s number format %q, want %q", sheet, cell, got, format)
	}
}

// checkTable checks the frozen header row and the autofilter over rows 1..last.
func checkTable(t *testing.T, f *excelize.File, sheet, lastCell string) {
	t.Helper()
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("%s: panes %+v, want the header row frozen", sheet, panes)
	}
	want := fmt.Sprintf("'%s'!$A$1:$%s", sheet, strings.Join(splitCell(lastCell), "$"))
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && d.Scope == sheet {
			if d.RefersTo != want && d.RefersTo != strings.ReplaceAll(want, "$", "") {
				t.Errorf("%s: autofilter over %s, want %s", sheet, d.RefersTo, want)
			}
			return
		}
	}
	t.Errorf("%s: no autofilter", sheet)
}

func splitCell(cell string) []string {
	i := strings.IndexAny(cell, "0123456789")
	return []string{cell[:i], cell[i:]}
}

func sheets(t *testing.T, f *excelize.File, want ...string) {
	t.Helper()
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %q, want %q", got, want)
	}
}

func TestExpensesWorkbook(t *testing.T) {
	wh := chtest.New(t)
	insert(t, wh, "expenses", expenseCols,
		expense("e1", "prom-main", "101", "cpa_commission", "charge", day(3), "120.50", "UAH"),
		expense("e2", "prom-main", "102", "prosale_commission", "charge", day(1), "1234.56", "UAH"),
		expense("e3", "prom-main", "101", "cpa_commission", "reversal", day(9), "-120.50", "UAH"),
		expense("e4", "prom-outlet", "201", "cpa_commission", "charge", day(30), "10.00", "USD"),
		expense("old", "prom-main", "99", "cpa_commission", "charge", day(1).AddDate(0, 0, -1), "5.00", "UAH"),
		expense("next", "prom-main", "300", "cpa_commission", "charge", day(1).AddDate(0, 1, 0), "7.00", "UAH"),
	)
	f, _ := workbook(t, "expenses", wh, Params{Month: november})
	sheets(t, f, "Підсумок", "prom-main", "prom-outlet")

	// Summary: per store, kind and currency; a grand total formula.
	check(t, f, "Підсумок", map[string]string{
		"A1": "Магазин", "B1": "Вид", "C1": "Валюта", "D1": "Записів", "E1": "Сума",
		"A2": "prom-main", "B2": "Комісія CPA", "C2": "UAH", "D2": "2", "E2": "0",
		"A3": "prom-main", "B3": "Комісія ProSale", "D3": "1", "E3": "1234.56",
		"A4": "prom-outlet", "B4": "Комісія CPA", "C4": "USD", "E4": "10",
		"A5": "Разом", "D5": "4", "E5": "1244.56",
	})
	checkFormula(t, f, "Підсумок", "E5", "SUM(E2:E4)")
	checkFormula(t, f, "Підсумок", "D5", "SUM(D2:D4)")
	checkNumber(t, f, "Підсумок", "E3", uahFormat)
	checkNumber(t, f, "Підсумок", "E4", amountFormat) // dollars are not shown as hryvnias
	checkNumber(t, f, "Підсумок", "D2", countFormat)
	checkTable(t, f, "Підсумок", "E4")

	// A store's sheet: entries by date, typed cells, a total formula.
	check(t, f, "prom-main", map[string]string{
		"A1": "Дата", "B1": "Замовлення", "C1": "Вид", "D1": "Запис", "E1": "Сума", "F1": "Валюта", "G1": "Опис",
		"A2": "46327", // 2026-11-01 as an Excel serial date
		"B2": "102", "C2": "Комісія ProSale", "D2": "Нарахування", "E2": "1234.56", "F2": "UAH", "G2": "опис e2",
		"A3": "46329", "E3": "120.5",
		"A4": "46335", "D4": "Сторно", "E4": "-120.5",
		"A5": "Разом", "E5": "1234.56", "A6": "",
	})
	checkFormula(t, f, "prom-main", "E5", "SUM(E2:E4)")
	checkNumber(t, f, "prom-main", "A2", dateFormat)
	checkNumber(t, f, "prom-main", "E2", uahFormat)
	checkTable(t, f, "prom-main", "G4")
	if v, _ := f.GetCellValue("prom-main", "A2"); v != "01.11.2026" {
		t.Errorf("A2 shows %q, want 01.11.2026", v)
	}
	width, err := f.GetColWidth("prom-main", "G")
	if err != nil || width < 40 {
		t.Errorf("description column width %v (%v), want a wide column", width, err)
	}

	// One store only.
	f, _ = workbook(t, "expenses", wh, Params{Month: november, Stores: []string{"prom-outlet"}})
	sheets(t, f, "Підсумок", "prom-outlet")
	check(t, f, "prom-outlet", map[string]string{"B2": "201", "E2": "10", "A3": "Разом"})

	// A month without entries still has its summary sheet.
	f, _ = workbook(t, "expenses", wh, Params{Month: november.AddDate(1, 0, 0)})
	sheets(t, f, "Підсумок")
	check(t, f, "Підсумок", map[string]string{"A2": "Разом", "E2": "0"})
}

func TestLongTableContinuesOnNewSheet(t *testing.T) {
	defer func(n int) { maxRows = n }(maxRows)
	maxRows = 5 // a header, three rows and the total
	wh := chtest.New(t)
	var rows [][]any
	for i := 1; i <= 7; i++ {
		rows = append(rows, expense(fmt.Sprint("e", i), "s", fmt.Sprint(i), "cpa_commission", "charge", day(i), fmt.Sprint(i), "UAH"))
	}
	insert(t, wh, "expenses", expenseCols, rows...)
	f, _ := workbook(t, "expenses", wh, Params{Month: november})
	sheets(t, f, "Підсумок", "s", "s (2)", "s (3)")
	check(t, f, "s", map[string]string{"B2": "1", "B4": "3", "A5": "Разом", "E5": "6"})
	check(t, f, "s (2)", map[string]string{"A1": "Дата", "G1": "Опис", "B2": "4", "B4": "6", "E5": "15"})
	check(t, f, "s (3)", map[string]string{"A1": "Дата", "B2": "7", "A3": "Разом", "E3": "7"})
	checkFormula(t, f, "s (2)", "E5", "SUM(E2:E4)")
	checkTable(t, f, "s (3)", "G2")
}

const orderCols = "marketplace, store, external_id, created_at, status, marketplace_status, cancel_reason, amount, currency, _version"

func order(mp, store, id string, created time.Time, status, mpStatus, reason, amount string) []any {
	return []any{mp, store, id, created, status, mpStatus, reason, decimal.RequireFromString(amount), "UAH", uint64(1)}
}

func TestOrdersWorkbook(t *testing.T) {
	wh := chtest.New(t)
	at := func(d, h int) time.Time { return day(d).Add(time.Duration(h) * time.Hour) }
	insert(t, wh, "orders", orderCols,
		order("prom", "prom-main", "1", at(2, 10), "Новий", "pending", "", "100.00"),
		order("prom", "prom-main", "2", at(2, 23), "Скасовано", "canceled", "", "50.50"),
		order("prom", "prom-outlet", "3", at(2, 1), "Новий", "pending", "", "10.00"),
		order("rozetka", "rz", "4", at(2, 12), "Новий", "26", "Немає в наявності", "200.00"),
		order("rozetka", "rz", "5", at(4, 0), "Новий", "1", "", "300.00"),
		order("prom", "prom-main", "6", at(1, 0).Add(-time.Second), "Новий", "pending", "", "999.00"), // October
	)
	f, data := workbook(t, "orders", wh, Params{Month: november})
	sheets(t, f, "Замовлення", "Виручка по днях")
	check(t, f, "Замовлення", map[string]string{
		"A1": "Дата", "B1": "Маркетплейс", "C1": "Замовлень", "D1": "Виручка", "E1": "Скасовано",
		"A2": "46328", "B2": "prom", "C2": "3", "D2": "160.5", "E2": "1",
		"A3": "46328", "B3": "rozetka", "C3": "1", "D3": "200", "E3": "1",
		"A4": "46330", "B4": "rozetka", "C4": "1", "D4": "300", "E4": "0",
		"A5": "Разом", "C5": "5", "D5": "660.5", "E5": "2",
	})
	checkFormula(t, f, "Замовлення", "D5", "SUM(D2:D4)")
	checkFormula(t, f, "Замовлення", "E5", "SUM(E2:E4)")
	checkNumber(t, f, "Замовлення", "A2", dateFormat)
	checkNumber(t, f, "Замовлення", "D2", uahFormat)
	checkNumber(t, f, "Замовлення", "C2", countFormat)
	checkTable(t, f, "Замовлення", "E4")

	// The chart's data: every day from the 1st to the last with orders.
	check(t, f, "Виручка по днях", map[string]string{
		"A1": "Дата", "B1": "prom", "C1": "rozetka",
		"A2": "46327", "B2": "0", "C2": "0",
		"A3": "46328", "B3": "160.5", "C3": "200",
		"A5": "46330", "B5": "0", "C5": "300",
		"A6": "Разом", "B6": "160.5", "C6": "500",
	})

	// The chart: a line chart on the orders sheet, a series per marketplace.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	chart := html.UnescapeString(readZip(t, zr, "xl/charts/chart1.xml"))
	for _, want := range []string{"<lineChart>", "'Виручка по днях'!$B$2:$B$5", "'Виручка по днях'!$C$2:$C$5", "'Виручка по днях'!$A$2:$A$5"} {
		if !strings.Contains(chart, want) {
			t.Errorf("chart lacks %s", want)
		}
	}
	sheet := readZip(t, zr, "xl/worksheets/sheet1.xml")
	if !strings.Contains(sheet, "<drawing ") {
		t.Errorf("the orders sheet has no drawing (chart)")
	}
	// Excel repairs a workbook whose column widths are out of order.
	if a, b := strings.Index(sheet, `<col min="1"`), strings.Index(sheet, `<col min="2"`); a < 0 || b < a {
		t.Errorf("column widths out of order: %s", sheet[strings.Index(sheet, "<cols>"):strings.Index(sheet, "</cols>")])
	}

	// One store; and a month without orders has no chart but its sheets.
	f, _ = workbook(t, "orders", wh, Params{Month: november, Stores: []string{"prom-outlet"}})
	check(t, f, "Замовлення", map[string]string{"B2": "prom", "C2": "1", "D2": "10", "A3": "Разом"})
	_, data = workbook(t, "orders", wh, Params{Month: november.AddDate(0, 2, 0)})
	zr, _ = zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/") {
			t.Errorf("empty month has a chart %s", zf.Name)
		}
	}
}

func readZip(t *testing.T, zr *zip.Reader, name string) string {
	t.Helper()
	r, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRoyaltiesWorkbook(t *testing.T) {
	wh := chtest.New(t)
	insert(t, wh, "orders", orderCols,
		order("prom", "prom-main", "1", day(5).Add(20*time.Hour), "Виконано", "delivered", "", "100.00"),
		order("prom", "prom-main", "2", day(3), "Скасовано", "canceled", "", "50.00"),
	)
	royalty := func(id string, accrued time.Time, cpa string, refunded uint8, prosale string) []any {
		return []any{"prom", "prom-main", id, decimal.RequireFromString(cpa), refunded, decimal.RequireFromString(prosale), "UAH", accrued, uint64(1)}
	}
	insert(t, wh, "royalties", "marketplace, store, order_id, cpa_amount, cpa_refunded, prosale_amount, currency, accrued_at, _version",
		royalty("1", day(5).Add(20*time.Hour), "12.34", 0, "0"),
		royalty("2", day(3), "5.00", 1, "7.50"),
		royalty("3", day(7), "1.00", 0, "0"), // its order is not loaded: the date comes from accrued_at
		royalty("4", day(1).Add(-time.Hour), "99.00", 0, "0"),
	)
	f, _ := workbook(t, "royalties", wh, Params{Month: november})
	sheets(t, f, "Комісії")
	check(t, f, "Комісії", map[string]string{
		"A1": "Замовлення", "D1": "Дата", "E1": "Статус", "F1": "CPA", "G1": "CPA повернено", "H1": "ProSale", "I1": "Валюта",
		"A2": "2", "B2": "prom-main", "C2": "prom", "D2": "46329", "E2": "Скасовано", "F2": "5", "G2": "так", "H2": "7.5", "I2": "UAH",
		"A3": "1", "D3": "46331", "E3": "Виконано", "F3": "12.34", "G3": "ні", "H3": "0",
		"A4": "3", "D4": "46333", "E4": "",
		"A5": "Разом", "F5": "18.34", "H5": "7.5",
	})
	checkFormula(t, f, "Комісії", "F5", "SUM(F2:F4)")
	checkFormula(t, f, "Комісії", "H5", "SUM(H2:H4)")
	checkNumber(t, f, "Комісії", "D2", dateFormat)
	checkNumber(t, f, "Комісії", "F2", uahFormat)
	checkTable(t, f, "Комісії", "I4")
}

func TestHandler(t *testing.T) {
	wh := chtest.New(t)
	insert(t, wh, "expenses", expenseCols,
		expense("e1", "prom-main", "101", "cpa_commission", "charge", day(3), "120.50", "UAH"),
		expense("e2", "prom-outlet", "201", "cpa_commission", "charge", day(4), "3.00", "UAH"))
	srv := httptest.NewServer(Handler(wh))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/reports/expenses?month=2026-11&store=prom-main")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if got := res.Header.Get("Content-Type"); got != ContentType {
		t.Errorf("Content-Type %q", got)
	}
	if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="kramar-expenses-2026-11.xlsx"` {
		t.Errorf("Content-Disposition %q", got)
	}
	f := open(t, body)
	sheets(t, f, "Підсумок", "prom-main")
	check(t, f, "prom-main", map[string]string{"E2": "120.5"})

	for path, status := range map[string]int{
		"/reports/expenses?month=2026-13": http.StatusBadRequest,
		"/reports/salaries?month=2026-11": http.StatusNotFound,
		"/reports/orders":                 http.StatusOK,
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != status {
			t.Errorf("GET %s: status %d, want %d", path, res.StatusCode, status)
		}
	}
}

func TestSheetNames(t *testing.T) {
	b, err := newBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	long := strings.Repeat("магазин", 6)
	for _, c := range []struct{ base, suffix, want string }{
		{"a/b:c", "", "a_b_c"},
		{long, "", truncate(long, 31)},
		{long, " (2)", truncate(long, 27) + " (2)"},
		{long, "", truncate(long, 29) + "~2"},
		{"A/B:C", "", "A_B_C~2"},
	} {
		if got := b.uniqueName(c.base, c.suffix); got != c.want {
			t.Errorf("uniqueName(%q, %q) = %q, want %q", c.base, c.suffix, got, c.want)
		}
	}
}
