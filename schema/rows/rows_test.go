package rows

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/kramar/kramar/schema/canon"
	"github.com/shopspring/decimal"
)

func order(id string, lines int) canon.Order {
	o := canon.Order{
		Marketplace: "prom", Store: "shop1", ExternalID: id,
		CreatedAt: time.Date(2024, 3, 31, 0, 30, 0, 0, time.UTC),
		Amount:    decimal.RequireFromString("1234.50"),
		Paid:      true,
		Royalty:   &canon.Royalty{CPAAmount: decimal.RequireFromString("12.34"), Currency: "UAH"},
	}
	for i := 0; i < lines; i++ {
		o.Items = append(o.Items, canon.Item{Line: uint32(i + 1), Name: "p", Quantity: decimal.RequireFromString("1.5"), Price: decimal.NewFromInt(10)})
	}
	return o
}

func TestBuildShapesAndValues(t *testing.T) {
	meta := Meta{RunID: "run1", Version: 7, LoadedAt: time.Unix(1700000000, 0)}
	b, err := Build([]canon.Order{order("1", 3), order("2", 0)}, meta)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if got := [3]int64{b.Orders.NumRows(), b.Items.NumRows(), b.Royalties.NumRows()}; got != [3]int64{2, 3, 2} {
		t.Fatalf("rows per table = %v, want [2 3 2]", got)
	}
	for _, c := range []struct {
		rec  arrow.Record
		spec Table
	}{{b.Orders, ordersSpec.Table()}, {b.Items, itemsSpec.Table()}, {b.Royalties, royaltiesSpec.Table()}} {
		for i, col := range c.spec.Columns {
			if name := c.rec.Schema().Field(i).Name; name != col.Name {
				t.Errorf("%s field %d = %s, want %s", c.spec.Name, i, name, col.Name)
			}
		}
	}

	amount := column[*array.Decimal128](t, b.Orders, "amount")
	if got := FromDecimal128(amount.Value(0), 2); got.String() != "1234.5" || amount.Value(0).LowBits() != 123450 {
		t.Errorf("amount = %s (unscaled %d), want 1234.50", got, amount.Value(0).LowBits())
	}
	if got := column[*array.Uint8](t, b.Orders, "paid").Value(0); got != 1 {
		t.Errorf("paid = %d, want 1", got)
	}
	if got := column[*array.Uint32](t, b.Orders, "items_count").Uint32Values(); got[0] != 3 || got[1] != 0 {
		t.Errorf("items_count = %v, want [3 0]", got)
	}
	if got := column[*array.Uint32](t, b.Items, "line").Uint32Values(); got[0] != 0 || got[2] != 2 {
		t.Errorf("line = %v, want positions 0..2", got)
	}
	qty := column[*array.Decimal128](t, b.Items, "quantity")
	if qty.Value(0).LowBits() != 1500 {
		t.Errorf("quantity unscaled = %d, want 1500 (scale 3)", qty.Value(0).LowBits())
	}
	created := column[*array.Timestamp](t, b.Orders, "created_at")
	if got := created.Value(0); int64(got) != time.Date(2024, 3, 31, 0, 30, 0, 0, time.UTC).Unix() {
		t.Errorf("created_at = %d", got)
	}
	if tz := created.DataType().(*arrow.TimestampType).TimeZone; tz != "UTC" {
		t.Errorf("created_at zone = %q", tz)
	}
	if got := column[*array.Timestamp](t, b.Orders, "modified_at").Value(0); got != 0 {
		t.Errorf("zero modified_at = %d, want the epoch", got)
	}
	if got := column[*array.Uint64](t, b.Orders, "_version").Value(1); got != 7 {
		t.Errorf("_version = %d", got)
	}
	if got := column[*array.Uint64](t, b.Orders, "_hash").Value(0); got != Hash(&[]canon.Order{order("1", 3)}[0]) {
		t.Errorf("_hash = %d, want Hash(order)", got)
	}
}

func column[A arrow.Array](t *testing.T, rec arrow.Record, name string) A {
	t.Helper()
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %s", name)
	}
	a, ok := rec.Column(idx[0]).(A)
	if !ok {
		t.Fatalf("column %s is %T", name, rec.Column(idx[0]))
	}
	return a
}

func TestToDecimal128(t *testing.T) {
	for _, c := range []struct {
		in    string
		scale int32
		want  int64
	}{
		{"1234.50", 2, 123450},
		{"0.01", 2, 1},
		{"99999999.99", 2, 9999999999},
		{"-5.555", 2, -556}, // half away from zero
		{"1.0005", 3, 1001},
		{"9999999999999999.99", 2, 999999999999999999},
	} {
		n, err := ToDecimal128(decimal.RequireFromString(c.in), c.scale)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := FromDecimal128(n, c.scale); !got.Equal(decimal.New(c.want, -c.scale)) {
			t.Errorf("%s at scale %d = %s, want %s", c.in, c.scale, got, decimal.New(c.want, -c.scale))
		}
	}
	if _, err := ToDecimal128(decimal.RequireFromString("10000000000000000"), 2); err == nil {
		t.Error("1e16 at scale 2 fits 18 digits? want an error")
	}
}

func TestBuildRejectsTimesBefore1970(t *testing.T) {
	o := order("1", 0)
	o.CreatedAt = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := Build([]canon.Order{o}, Meta{}); err == nil {
		t.Fatal("want an error for a time DateTime cannot hold")
	}
}

func TestHashIgnoresZoneAndDecimalForm(t *testing.T) {
	a := order("1", 2)
	b := order("1", 2)
	kyiv := time.FixedZone("EEST", 3*3600)
	b.CreatedAt = b.CreatedAt.In(kyiv)
	b.Amount = decimal.RequireFromString("1234.5")
	if Hash(&a) != Hash(&b) {
		t.Error("same content, different zone/decimal form: hashes differ")
	}
	b.Items[1].Price = decimal.NewFromInt(11)
	if Hash(&a) == Hash(&b) {
		t.Error("changed item price: hash unchanged")
	}
	if b.CreatedAt.Location() != kyiv {
		t.Error("Hash modified its argument")
	}
}

func TestNextVersionStrictlyIncreases(t *testing.T) {
	const workers, each = 8, 10000
	got := make([][]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				got[w] = append(got[w], NextVersion())
			}
		}()
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for _, vs := range got {
		for i, v := range vs {
			if i > 0 && v <= vs[i-1] {
				t.Fatalf("version %d after %d", v, vs[i-1])
			}
			if seen[v] {
				t.Fatalf("version %d handed out twice", v)
			}
			seen[v] = true
		}
	}
}

func TestToDecimal128FastPathAgreesWithExactPath(t *testing.T) {
	for _, in := range []string{"0", "-0.01", "1", "12.3", "999999999999999.999", "-999999999999999.99",
		"9007199254740993", "1e3", "123.4567", "0.0005", "-0.0005", "9999999999999999.999"} {
		for _, scale := range []int32{2, 3} {
			d := decimal.RequireFromString(in)
			n, err := ToDecimal128(d, scale)
			want := d.Round(scale)
			if want.Shift(scale).Abs().Cmp(decimal.New(1, 18)) >= 0 {
				if err == nil {
					t.Errorf("%s scale %d: want overflow error", in, scale)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s scale %d: %v", in, scale, err)
				continue
			}
			if got := FromDecimal128(n, scale); !got.Equal(want) {
				t.Errorf("%s scale %d = %s, want %s", in, scale, got, want)
			}
		}
	}
}

// structRow has a column of every kind, an unexported field, one left out,
// one renamed and one computed.
type structRow struct {
	ID      string
	On      bool
	N       uint32
	Big     uint64
	At      time.Time
	Day     time.Time
	Amount  decimal.Decimal
	Qty     decimal.Decimal `ch:",qty"`
	Tags    []string
	Version uint64 `ch:"_version"`
	Note    string `ch:"-"`
	seen    bool
}

func TestFromStructBuildsWhatTheSameFieldsByHandBuild(t *testing.T) {
	day := func(r *structRow) time.Time { return r.At.Truncate(24 * time.Hour) }
	derived := FromStruct("t", Time("day", day))
	byHand := NewSpec("t",
		Str("id", func(r *structRow) string { return r.ID }),
		Flag("on", func(r *structRow) bool { return r.On }),
		U32("n", func(r *structRow) uint32 { return r.N }),
		U64("big", func(r *structRow) uint64 { return r.Big }),
		Time("at", func(r *structRow) time.Time { return r.At }),
		Time("day", day),
		MoneyOf("amount", func(r *structRow) decimal.Decimal { return r.Amount }),
		QtyOf("qty", func(r *structRow) decimal.Decimal { return r.Qty }),
		StrList("tags", func(r *structRow) []string { return r.Tags }),
		U64("_version", func(r *structRow) uint64 { return r.Version }),
	)
	src := []*structRow{
		{ID: "a", On: true, N: 3, Big: 1 << 40, At: time.Date(2024, 5, 1, 13, 4, 5, 0, time.UTC),
			Amount: decimal.RequireFromString("12.34"), Qty: decimal.RequireFromString("1.5"), Tags: []string{"x", "y"},
			Version: 9, Note: "left out", seen: true},
		{},
	}
	if got, want := derived.Table(), byHand.Table(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Table() = %v, want %v", got, want)
	}
	if !derived.Schema().Equal(byHand.Schema()) {
		t.Fatalf("Schema() = %v, want %v", derived.Schema(), byHand.Schema())
	}
	got, err := derived.Build(src)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	want, err := byHand.Build(src)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	if !array.RecordEqual(got, want) {
		t.Errorf("Build() = %v, want %v", got, want)
	}
	// Rows that are values read the same fields.
	values := []structRow{*src[0], *src[1]}
	byValue, err := FromStruct("t", Time("day", func(r structRow) time.Time { return day(&r) })).Build(values)
	if err != nil {
		t.Fatal(err)
	}
	defer byValue.Release()
	if !array.RecordEqual(byValue, want) {
		t.Errorf("Build() of values = %v, want %v", byValue, want)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"ID": "id", "UpdateID": "update_id", "CRMStatus": "crm_status", "TTN": "ttn",
		"DurationMS": "duration_ms", "ChangedAt": "changed_at", "At": "at", "Line2Name": "line2_name",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFromStructRefusesWhatItCannotStore(t *testing.T) {
	type float struct{ F float64 }
	type badOption struct {
		S string `ch:",qty"`
	}
	type text struct{ S string }
	for name, declare := range map[string]func(){
		"a type with no kind":        func() { FromStruct[float]("t") },
		"qty on a string":            func() { FromStruct[badOption]("t") },
		"a computed column no field": func() { FromStruct("t", Str("x", func(text) string { return "" })) },
		"not a struct":               func() { FromStruct[string]("t") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			declare()
		}()
	}
}
