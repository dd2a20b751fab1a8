// Package rows turns canonical rows into Arrow record batches whose field
// names and types match the warehouse columns. Arrow is the hand-off between
// transforms and loaders: one columnar batch feeds ClickHouse and, later,
// Parquet. The package knows column types, not ClickHouse clients.
//
// Each table is declared once, as a Spec: the list of columns with a getter
// per column, or (FromStruct) a struct whose fields are the columns. The
// Arrow schema and the INSERT column list are both derived from it.
package rows

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/shopspring/decimal"
)

// Kind is a warehouse column type.
type Kind int

const (
	String   Kind = iota // String
	Bool                 // UInt8 holding 0 or 1
	UInt32               // UInt32
	UInt64               // UInt64
	DateTime             // DateTime('UTC'), whole seconds
	Money                // Decimal(18, 2)
	Quantity             // Decimal(18, 3)
	Strings              // Array(String)
)

// decimalPrecision is the digits of every decimal column: Decimal(18, s)
// is stored in an Int64 on every ClickHouse release.
const decimalPrecision = 18

// Scale is the number of decimal places of a Money or Quantity column.
func (k Kind) Scale() int32 {
	switch k {
	case Money:
		return 2
	case Quantity:
		return 3
	}
	return 0
}

// ClickHouseType is the column type as system.columns spells it.
func (k Kind) ClickHouseType() string {
	switch k {
	case String:
		return "String"
	case Bool:
		return "UInt8"
	case UInt32:
		return "UInt32"
	case UInt64:
		return "UInt64"
	case DateTime:
		return "DateTime('UTC')"
	case Money, Quantity:
		return fmt.Sprintf("Decimal(%d, %d)", decimalPrecision, k.Scale())
	case Strings:
		return "Array(String)"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ArrowType is the Arrow type a column of this kind is built with.
func (k Kind) ArrowType() arrow.DataType {
	switch k {
	case String:
		return arrow.BinaryTypes.String
	case Bool:
		return arrow.PrimitiveTypes.Uint8
	case UInt32:
		return arrow.PrimitiveTypes.Uint32
	case UInt64:
		return arrow.PrimitiveTypes.Uint64
	case DateTime:
		return &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	case Money, Quantity:
		return &arrow.Decimal128Type{Precision: decimalPrecision, Scale: k.Scale()}
	case Strings:
		return arrow.ListOf(arrow.BinaryTypes.String)
	}
	panic(fmt.Sprintf("rows: unknown kind %d", int(k)))
}

// Column is one warehouse column.
type Column struct {
	Name string
	Kind Kind
}

// Table is a warehouse table's name and columns, in insert order.
type Table struct {
	Name    string
	Columns []Column
}

// Field is a column plus how to read its value from a source row of type T.
// Build one with Str, Flag, U32, U64, Time, Money or Qty.
type Field[T any] struct {
	Column
	str  func(T) string
	flag func(T) bool
	u32  func(T) uint32
	u64  func(T) uint64
	tm   func(T) time.Time
	dec  func(T) decimal.Decimal
	strs func(T) []string
}

// Str declares a String column.
func Str[T any](name string, get func(T) string) Field[T] {
	return Field[T]{Column: Column{name, String}, str: get}
}

// Flag declares a bool stored as UInt8.
func Flag[T any](name string, get func(T) bool) Field[T] {
	return Field[T]{Column: Column{name, Bool}, flag: get}
}

// U32 declares a UInt32 column.
func U32[T any](name string, get func(T) uint32) Field[T] {
	return Field[T]{Column: Column{name, UInt32}, u32: get}
}

// U64 declares a UInt64 column.
func U64[T any](name string, get func(T) uint64) Field[T] {
	return Field[T]{Column: Column{name, UInt64}, u64: get}
}

// Time declares a DateTime('UTC') column. The zero time is stored as the Unix epoch.
func Time[T any](name string, get func(T) time.Time) Field[T] {
	return Field[T]{Column: Column{name, DateTime}, tm: get}
}

// MoneyOf declares a Decimal(18, 2) column.
func MoneyOf[T any](name string, get func(T) decimal.Decimal) Field[T] {
	return Field[T]{Column: Column{name, Money}, dec: get}
}

// QtyOf declares a Decimal(18, 3) column.
func QtyOf[T any](name string, get func(T) decimal.Decimal) Field[T] {
	return Field[T]{Column: Column{name, Quantity}, dec: get}
}

// StrList declares an Array(String) column.
func StrList[T any](name string, get func(T) []string) Field[T] {
	return Field[T]{Column: Column{name, Strings}, strs: get}
}

// Spec is one table: its name and fields, in column order.
type Spec[T any] struct {
	table  string
	fields []Field[T]
	schema *arrow.Schema
}

// NewSpec declares a table. It panics on a repeated column name: specs are
// package-level declarations, so that is a programming error.
func NewSpec[T any](table string, fields ...Field[T]) *Spec[T] {
	seen := map[string]bool{}
	arrowFields := make([]arrow.Field, len(fields))
	for i, f := range fields {
		if seen[f.Name] {
			panic(fmt.Sprintf("rows: table %s declares column %s twice", table, f.Name))
		}
		seen[f.Name] = true
		arrowFields[i] = arrow.Field{Name: f.Name, Type: f.Kind.ArrowType()}
	}
	return &Spec[T]{table: table, fields: fields, schema: arrow.NewSchema(arrowFields, nil)}
}

// Table describes the spec's table.
func (s *Spec[T]) Table() Table {
	cols := make([]Column, len(s.fields))
	for i, f := range s.fields {
		cols[i] = f.Column
	}
	return Table{Name: s.table, Columns: cols}
}

// Name is the table name.
func (s *Spec[T]) Name() string { return s.table }

// Schema is the Arrow schema of the records Build makes.
func (s *Spec[T]) Schema() *arrow.Schema { return s.schema }

// Build makes one record with a row per source row. The caller releases it.
func (s *Spec[T]) Build(src []T) (arrow.Record, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.schema)
	defer b.Release()
	b.Reserve(len(src))
	for i, f := range s.fields {
		if err := f.appendTo(b.Field(i), src); err != nil {
			return nil, fmt.Errorf("rows: %s.%s: %w", s.table, f.Name, err)
		}
	}
	return b.NewRecord(), nil
}

func (f Field[T]) appendTo(b array.Builder, src []T) error {
	switch f.Kind {
	case String:
		appendEach(b.(*array.StringBuilder), src, f.str)
	case Bool:
		appendEach(b.(*array.Uint8Builder), src, func(r T) uint8 {
			if f.flag(r) {
				return 1
			}
			return 0
		})
	case UInt32:
		appendEach(b.(*array.Uint32Builder), src, f.u32)
	case UInt64:
		appendEach(b.(*array.Uint64Builder), src, f.u64)
	case DateTime:
		return appendChecked(b.(*array.TimestampBuilder), src, func(r T) (arrow.Timestamp, error) {
			secs, err := unixSeconds(f.tm(r))
			return arrow.Timestamp(secs), err
		})
	case Money, Quantity:
		scale := f.Kind.Scale()
		return appendChecked(b.(*array.Decimal128Builder), src, func(r T) (decimal128.Num, error) {
			return ToDecimal128(f.dec(r), scale)
		})
	case Strings:
		lb := b.(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		for _, r := range src {
			lb.Append(true)
			for _, v := range f.strs(r) {
				vb.Append(v)
			}
		}
	default:
		return fmt.Errorf("unknown kind %d", int(f.Kind))
	}
	return nil
}

// appendEach appends get of every source row to b.
func appendEach[T, V any](b interface{ Append(V) }, src []T, get func(T) V) {
	for _, r := range src {
		b.Append(get(r))
	}
}

// appendChecked is appendEach for a value that may not fit its column:
// the error names the row.
func appendChecked[T, V any](b interface{ Append(V) }, src []T, get func(T) (V, error)) error {
	for i, r := range src {
		v, err := get(r)
		if err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		b.Append(v)
	}
	return nil
}

// unixSeconds maps a time to DateTime's range: whole seconds from 1970 to
// 2106. The zero time means "unknown" and becomes the epoch.
func unixSeconds(t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, nil
	}
	s := t.Unix()
	if s < 0 || s > math.MaxUint32 {
		return 0, fmt.Errorf("time %s is outside DateTime's range (1970–2106)", t.UTC().Format(time.RFC3339))
	}
	return s, nil
}

// maxCoefficient (and maxUnscaled) bound the unscaled value of a Decimal(18, s).
var maxCoefficient = decimal.New(1, decimalPrecision)

const maxUnscaled int64 = 1e18

// pow10 covers the scales in use (2 and 3) with room to spare.
var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000}

// ToDecimal128 rounds d half away from zero to scale places and returns its
// unscaled value, or an error if it does not fit Decimal(18, scale).
func ToDecimal128(d decimal.Decimal, scale int32) (decimal128.Num, error) {
	// Fast path for the usual case, a value with at most scale places that
	// fits an int64: no big.Int arithmetic.
	// (NumDigits may overcount near a power of ten, never undercount.)
	if exp := d.Exponent(); exp <= 0 && -exp <= scale && int(scale) < len(pow10) && d.NumDigits() <= decimalPrecision {
		c, mul := d.CoefficientInt64(), pow10[scale+exp]
		if limit := maxUnscaled / mul; c > -limit && c < limit {
			return decimal128.FromI64(c * mul), nil
		}
	}
	unscaled := d.Round(scale).Shift(scale)
	if unscaled.Abs().Cmp(maxCoefficient) >= 0 {
		return decimal128.Num{}, fmt.Errorf("%s does not fit Decimal(%d, %d)", d, decimalPrecision, scale)
	}
	return decimal128.FromI64(unscaled.IntPart()), nil
}

// FromDecimal128 is the inverse of ToDecimal128.
func FromDecimal128(n decimal128.Num, scale int32) decimal.Decimal {
	if n.HighBits() == 0 && n.LowBits() <= math.MaxInt64 || n.HighBits() == -1 && n.LowBits() > math.MaxInt64 {
		return decimal.New(int64(n.LowBits()), -scale)
	}
	return decimal.NewFromBigInt(n.BigInt(), -scale)
}
