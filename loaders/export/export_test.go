package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/export"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/schema/rows"
)

// loaded is a warehouse holding the orders of two Prom sandbox stores.
func loaded(t *testing.T) *promtest.Env {
	t.Helper()
	e := promtest.New(t, map[string]int{"shop-a": 150, "shop-b": 60})
	for store, r := range e.Run() {
		if !r.OK() {
			t.Fatalf("store %s: %v", store, r.Err)
		}
	}
	return e
}

// exportTo writes opt to a file in a temporary folder and returns its path.
func exportTo(t *testing.T, e *promtest.Env, opt export.Options) (string, export.Result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), opt.Table+"."+string(opt.Format))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := export.Export(context.Background(), e.WH, opt, f)
	if err != nil {
		t.Fatalf("export %s: %v", opt.Table, err)
	}
	return path, res
}

// readParquet reads a whole file back with the Arrow reader; it also
// returns the number of row groups.
func readParquet(t *testing.T, path string) (arrow.Table, int) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1000}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return tbl, pf.NumRowGroups()
}

func column(t *testing.T, tbl arrow.Table, name string) *arrow.Chunked {
	t.Helper()
	idx := tbl.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %s in %s", name, tbl.Schema())
	}
	return tbl.Column(idx[0]).Data()
}

func sumDecimal(t *testing.T, tbl arrow.Table, name string) decimal.Decimal {
	t.Helper()
	col := column(t, tbl, name)
	scale := col.DataType().(*arrow.Decimal128Type).Scale
	sum := decimal.Zero
	for _, chunk := range col.Chunks() {
		a := chunk.(*array.Decimal128)
		for i := 0; i < a.Len(); i++ {
			sum = sum.Add(rows.FromDecimal128(a.Value(i), scale))
		}
	}
	return sum
}

func TestExportParquetReadsBackWithTheWarehouseCountAndSum(t *testing.T) {
	e := loaded(t)
	for _, c := range []struct{ table, money string }{{"v_orders", "amount"}, {"v_order_items", "total"}} {
		// Small batches so the file has many row groups.
		path, res := exportTo(t, e, export.Options{Table: c.table, Format: export.Parquet, BatchRows: 40})
		want := e.Query("SELECT count(), sum(" + c.money + ") FROM {db}." + c.table)[0]
		wantRows, wantSum, _ := strings.Cut(want, "\t")

		tbl, groups := readParquet(t, path)
		if got := strconv.FormatInt(tbl.NumRows(), 10); got != wantRows || strconv.FormatInt(res.Rows, 10) != wantRows {
			t.Errorf("%s: file has %s rows, Export said %d, warehouse %s", c.table, got, res.Rows, wantRows)
		}
		if got := sumDecimal(t, tbl, c.money); !got.Equal(decimal.RequireFromString(wantSum)) {
			t.Errorf("%s: sum(%s) in the file %s, in the warehouse %s", c.table, c.money, got, wantSum)
		}
		if n, _ := strconv.Atoi(wantRows); groups != (n+39)/40 {
			t.Errorf("%s: %d row groups for %d rows in batches of 40", c.table, groups, n)
		}
		if n, _ := strconv.Atoi(wantRows); n < 100 {
			t.Errorf("%s: only %d rows exported; the test needs more", c.table, n)
		}
	}

	path, _ := exportTo(t, e, export.Options{Table: "v_orders", Format: export.Parquet, Compression: export.Snappy})
	tbl, _ := readParquet(t, path)
	for name, want := range map[string]string{
		"amount":      "decimal(18, 2)",
		"items_count": "uint32",
		"prosale":     "uint8",
		"store":       "utf8",
	} {
		if got := column(t, tbl, name).DataType().String(); got != want {
			t.Errorf("v_orders.%s is %s in Parquet, want %s", name, got, want)
		}
	}
	// Parquet has no seconds unit: the file holds milliseconds, adjusted to
	// UTC, plus the Arrow schema (timestamp[s, UTC]) for readers that restore
	// it; Arrow Go reads milliseconds. Either way the instant is the same.
	created := column(t, tbl, "created_at")
	ts, ok := created.DataType().(*arrow.TimestampType)
	if !ok || ts.TimeZone != "UTC" {
		t.Fatalf("created_at is %s, want a UTC timestamp", created.DataType())
	}
	first := e.Query("SELECT toUnixTimestamp(min(created_at)) FROM {db}.v_orders")[0]
	var earliest time.Time
	for _, chunk := range created.Chunks() {
		a := chunk.(*array.Timestamp)
		for i := 0; i < a.Len(); i++ {
			if v := a.Value(i).ToTime(ts.Unit); earliest.IsZero() || v.Before(earliest) {
				earliest = v
			}
		}
	}
	if strconv.FormatInt(earliest.Unix(), 10) != first {
		t.Errorf("earliest created_at in the file %s, in the warehouse %s", earliest, first)
	}
}

// readCSV checks the byte order mark and returns the header and the records.
func readCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	body, ok := bytes.CutPrefix(b, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("%s does not start with a UTF-8 byte order mark: % x", path, b[:min(len(b), 8)])
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s has no header", path)
	}
	return recs[0], recs[1:]
}

func TestExportCSVKeepsHeaderCyrillicDecimalsAndTimes(t *testing.T) {
	e := loaded(t)
	path, res := exportTo(t, e, export.Options{Table: "v_orders", Format: export.CSV})
	header, recs := readCSV(t, path)

	wantHeader := e.Query("SELECT name FROM system.columns WHERE database = ? AND table = 'v_orders'", e.WH.Database())
	if strings.Join(header, ",") != strings.Join(wantHeader, ",") {
		t.Errorf("header %v, want %v", header, wantHeader)
	}
	if want := e.Query("SELECT count() FROM {db}.v_orders")[0]; strconv.Itoa(len(recs)) != want || strconv.FormatInt(res.Rows, 10) != want {
		t.Errorf("%d records (Export said %d), warehouse has %s orders", len(recs), res.Rows, want)
	}
	at := map[string]int{}
	for i, h := range header {
		at[h] = i
	}
	// The warehouse's own view of each order, formatted here, not by Export.
	want := map[string]string{}
	for _, l := range e.Query("SELECT external_id, buyer_last_name, order_type, amount, toUnixTimestamp(created_at) FROM {db}.v_orders") {
		f := strings.Split(l, "\t")
		sec, _ := strconv.ParseInt(f[4], 10, 64)
		want[f[0]] = strings.Join([]string{f[1], f[2], decimal.RequireFromString(f[3]).StringFixed(2), time.Unix(sec, 0).UTC().Format("2006-01-02T15:04:05Z")}, "|")
	}
	money := regexp.MustCompile(`^-?\d+\.\d\d$`)
	cyrillic := regexp.MustCompile(`\p{Cyrillic}`)
	names := 0
	for _, r := range recs {
		got := strings.Join([]string{r[at["buyer_last_name"]], r[at["order_type"]], r[at["amount"]], r[at["created_at"]]}, "|")
		if got != want[r[at["external_id"]]] {
			t.Errorf("order %s: CSV has %q, warehouse %q", r[at["external_id"]], got, want[r[at["external_id"]]])
		}
		if !money.MatchString(r[at["full_amount"]]) {
			t.Errorf("full_amount %q is not a plain decimal with two places", r[at["full_amount"]])
		}
		if cyrillic.MatchString(r[at["buyer_last_name"]]) {
			names++
		}
	}
	if names == 0 || recs[0][at["order_type"]] != "Роздріб" {
		t.Errorf("no Cyrillic came through (%d Cyrillic names, order_type %q)", names, recs[0][at["order_type"]])
	}
}

func TestExportRefusesUnknownTablesAndBadPeriods(t *testing.T) {
	e := promtest.New(t, map[string]int{"shop-a": 1})
	for _, name := range []string{"orders", "extract_state", "schema_migrations", "v_orders; DROP DATABASE x", "system.tables", ""} {
		_, err := export.Export(context.Background(), e.WH, export.Options{Table: name, Format: export.CSV}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "unknown table") || !strings.Contains(err.Error(), "v_order_items") {
			t.Errorf("table %q: err = %v, want it refused with the allowed names listed", name, err)
		}
	}
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		opt  export.Options
		want string
	}{
		{export.Options{Table: "v_marketplace_options", Format: export.CSV, From: day}, "no time column"},
		{export.Options{Table: "v_orders", Format: export.CSV, From: day, To: day}, "not before"},
		{export.Options{Table: "v_orders", Format: "xlsx"}, "not parquet or csv"},
		{export.Options{Table: "v_orders", Format: export.Parquet, Compression: "lz4"}, "not zstd or snappy"},
	} {
		var out bytes.Buffer
		if _, err := export.Export(context.Background(), e.WH, c.opt, &out); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.opt, err, c.want)
		}
	}
	if got := e.Query("SELECT count() FROM system.tables WHERE database = ?", e.WH.Database())[0]; got == "0" {
		t.Error("the warehouse lost its tables")
	}
}

// inPeriod lists, sorted, the keys whose time is in [from, to), decided here
// from the warehouse's raw rows (key, unix seconds).
func inPeriod(lines []string, from, to time.Time) []string {
	var out []string
	for _, l := range lines {
		key, sec, _ := strings.Cut(l, "\t")
		s, _ := strconv.ParseInt(sec, 10, 64)
		if s >= from.Unix() && s < to.Unix() {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

func exportedKeys(t *testing.T, e *promtest.Env, opt export.Options, cols ...string) []string {
	t.Helper()
	path, _ := exportTo(t, e, opt)
	header, recs := readCSV(t, path)
	at := map[string]int{}
	for i, h := range header {
		at[h] = i
	}
	var out []string
	for _, r := range recs {
		var parts []string
		for _, c := range cols {
			parts = append(parts, r[at[c]])
		}
		out = append(out, strings.Join(parts, "/"))
	}
	sort.Strings(out)
	return out
}

func TestExportPeriodIncludesFromAndExcludesTo(t *testing.T) {
	e := loaded(t)
	times := e.Query("SELECT DISTINCT toUnixTimestamp(created_at) AS s FROM {db}.v_orders ORDER BY s")
	if len(times) < 8 {
		t.Fatalf("only %d distinct order times", len(times))
	}
	at := func(i int) time.Time { s, _ := strconv.ParseInt(times[i], 10, 64); return time.Unix(s, 0).UTC() }
	// Bounds that are order times themselves: the from order is in, the to order out.
	from, to := at(len(times)/4), at(3*len(times)/4)

	orders := inPeriod(e.Query("SELECT concat(store, '/', external_id), toUnixTimestamp(created_at) FROM {db}.v_orders"), from, to)
	got := exportedKeys(t, e, export.Options{Table: "v_orders", Format: export.CSV, From: from, To: to}, "store", "external_id")
	if d := pipelinetest.Diff(orders, got); d != "" || len(got) == 0 {
		t.Errorf("v_orders %s..%s: %d exported, %d expected:\n%s", from, to, len(got), len(orders), d)
	}

	items := inPeriod(e.Query(`SELECT concat(i.store, '/', i.order_id, '/', toString(i.line)), toUnixTimestamp(o.created_at)
		FROM {db}.v_order_items AS i ALL INNER JOIN {db}.v_orders AS o ON i.store = o.store AND i.order_id = o.external_id`), from, to)
	got = exportedKeys(t, e, export.Options{Table: "v_order_items", Format: export.CSV, From: from, To: to}, "store", "order_id", "line")
	if d := pipelinetest.Diff(items, got); d != "" || len(got) == 0 {
		t.Errorf("v_order_items %s..%s: %d exported, %d expected:\n%s", from, to, len(got), len(items), d)
	}

	// A Date column compares by day: only --from leaves the end open.
	day := from.Truncate(24 * time.Hour)
	days := inPeriod(e.Query("SELECT concat(store, '/', toString(day)), toUnixTimestamp(toDateTime(day, 'UTC')) FROM {db}.v_daily_sales"), day, time.Unix(1<<40, 0))
	got = exportedKeys(t, e, export.Options{Table: "v_daily_sales", Format: export.CSV, From: day}, "store", "day")
	if d := pipelinetest.Diff(days, got); d != "" || len(got) == 0 {
		t.Errorf("v_daily_sales from %s: %d exported, %d expected:\n%s", day, len(got), len(days), d)
	}
}

func TestExportEveryTableInBothFormats(t *testing.T) {
	e := loaded(t)
	// A catalog load, so v_products has a row with photos (list<string>).
	ctx := context.Background()
	for _, q := range []string{
		// INSERT … SELECT: the driver sends VALUES rows as a data block only through batches.
		"INSERT INTO {db}.pipeline_runs (run_id, marketplace, store, job, started_at, finished_at, status) SELECT 'cat-1', 'prom', 'shop-a', 'catalog', toDateTime('2026-11-20 09:00:00', 'UTC'), toDateTime('2026-11-20 09:01:00', 'UTC'), 'ok'",
		`INSERT INTO {db}.products (marketplace, store, product_id, name, price, photos, created_at, _run_id, _version) SELECT 'prom', 'shop-a', 'p1', 'Чайник, "скляний"', toDecimal64('1234.5', 2), ['https://x/1.jpg', 'фото,2'], toDateTime('2026-11-19 08:00:00', 'UTC'), 'cat-1', 1`,
	} {
		if err := e.WH.Conn().Exec(ctx, strings.ReplaceAll(q, "{db}", e.WH.Database())); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range export.Tables() {
		want := e.Query("SELECT count() FROM {db}." + table)[0]
		path, _ := exportTo(t, e, export.Options{Table: table, Format: export.Parquet})
		if tbl, _ := readParquet(t, path); strconv.FormatInt(tbl.NumRows(), 10) != want {
			t.Errorf("%s: Parquet has %d rows, warehouse %s", table, tbl.NumRows(), want)
		}
		path, _ = exportTo(t, e, export.Options{Table: table, Format: export.CSV})
		if _, recs := readCSV(t, path); strconv.Itoa(len(recs)) != want {
			t.Errorf("%s: CSV has %d rows, warehouse %s", table, len(recs), want)
		}
	}

	path, _ := exportTo(t, e, export.Options{Table: "v_products", Format: export.Parquet})
	tbl, _ := readParquet(t, path)
	photos := column(t, tbl, "photos")
	if lt, ok := photos.DataType().(*arrow.ListType); !ok || lt.Elem().ID() != arrow.STRING {
		t.Fatalf("photos is %s, want a list of strings", photos.DataType())
	}
	list := photos.Chunk(0).(*array.List)
	values := list.ListValues().(*array.String)
	start, end := list.ValueOffsets(0)
	var got []string
	for i := start; i < end; i++ {
		got = append(got, values.Value(int(i)))
	}
	if strings.Join(got, "|") != "https://x/1.jpg|фото,2" {
		t.Errorf("photos came back as %q", got)
	}
	if p := sumDecimal(t, tbl, "price"); p.StringFixed(2) != "1234.50" {
		t.Errorf("price came back as %s", p)
	}

	path, _ = exportTo(t, e, export.Options{Table: "v_products", Format: export.CSV})
	header, recs := readCSV(t, path)
	row := map[string]string{}
	for i, h := range header {
		row[h] = recs[0][i]
	}
	for k, want := range map[string]string{"name": `Чайник, "скляний"`, "photos": `["https://x/1.jpg","фото,2"]`, "price": "1234.50", "created_at": "2026-11-19T08:00:00Z"} {
		if row[k] != want {
			t.Errorf("v_products CSV %s = %q, want %q", k, row[k], want)
		}
	}
}
