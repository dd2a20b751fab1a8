package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/rows"
)

// codec carries one ClickHouse column type to Arrow and to CSV text. Values
// travel as the pointer the driver scans into (dest), reused row after row.
type codec struct {
	arrow  arrow.DataType
	dest   func() any
	append func(b array.Builder, v any) error
	text   func(v any) string
}

var decimalType = regexp.MustCompile(`^Decimal\((\d+),\s*(\d+)\)$`)

// codecFor maps a type as system.columns spells it. DateTime of any zone is
// an instant and goes out as UTC.
func codecFor(chType string) (codec, error) {
	if c, ok := numbers[chType]; ok {
		return c, nil
	}
	switch chType {
	case "String":
		return codec{arrow.BinaryTypes.String, func() any { return new(string) },
			func(b array.Builder, v any) error { b.(*array.StringBuilder).Append(*v.(*string)); return nil },
			func(v any) string { return *v.(*string) }}, nil
	case "Date":
		return codec{arrow.FixedWidthTypes.Date32, func() any { return new(time.Time) },
			func(b array.Builder, v any) error {
				b.(*array.Date32Builder).Append(arrow.Date32FromTime(*v.(*time.Time)))
				return nil
			},
			func(v any) string { return v.(*time.Time).UTC().Format(time.DateOnly) }}, nil
	case "Array(String)":
		return codec{arrow.ListOf(arrow.BinaryTypes.String), func() any { return new([]string) },
			func(b array.Builder, v any) error {
				lb := b.(*array.ListBuilder)
				lb.Append(true)
				lb.ValueBuilder().(*array.StringBuilder).AppendValues(*v.(*[]string), nil)
				return nil
			},
			func(v any) string { return jsonList(*v.(*[]string)) }}, nil
	}
	if chType == "DateTime" || strings.HasPrefix(chType, "DateTime(") {
		return codec{&arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, func() any { return new(time.Time) },
			func(b array.Builder, v any) error {
				b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.(*time.Time).Unix()))
				return nil
			},
			func(v any) string { return v.(*time.Time).UTC().Format(time.RFC3339) }}, nil
	}
	if m := decimalType.FindStringSubmatch(chType); m != nil {
		p, _ := strconv.Atoi(m[1])
		s, _ := strconv.Atoi(m[2])
		return decimalCodec(int32(p), int32(s)), nil
	}
	return codec{}, fmt.Errorf("type %s cannot be exported", chType)
}

var numbers = map[string]codec{
	"UInt8":   integer[uint8, *array.Uint8Builder](arrow.PrimitiveTypes.Uint8),
	"UInt16":  integer[uint16, *array.Uint16Builder](arrow.PrimitiveTypes.Uint16),
	"UInt32":  integer[uint32, *array.Uint32Builder](arrow.PrimitiveTypes.Uint32),
	"UInt64":  integer[uint64, *array.Uint64Builder](arrow.PrimitiveTypes.Uint64),
	"Int8":    integer[int8, *array.Int8Builder](arrow.PrimitiveTypes.Int8),
	"Int16":   integer[int16, *array.Int16Builder](arrow.PrimitiveTypes.Int16),
	"Int32":   integer[int32, *array.Int32Builder](arrow.PrimitiveTypes.Int32),
	"Int64":   integer[int64, *array.Int64Builder](arrow.PrimitiveTypes.Int64),
	"Float32": float[float32, *array.Float32Builder](arrow.PrimitiveTypes.Float32, 32),
	"Float64": float[float64, *array.Float64Builder](arrow.PrimitiveTypes.Float64, 64),
}

func integer[T uint8 | uint16 | uint32 | uint64 | int8 | int16 | int32 | int64, B interface{ Append(T) }](dt arrow.DataType) codec {
	return number[T, B](dt, func(v T) string { return fmt.Sprint(v) })
}

func float[T float32 | float64, B interface{ Append(T) }](dt arrow.DataType, bits int) codec {
	return number[T, B](dt, func(v T) string { return strconv.FormatFloat(float64(v), 'f', -1, bits) })
}

func number[T any, B interface{ Append(T) }](dt arrow.DataType, format func(T) string) codec {
	return codec{dt, func() any { return new(T) },
		func(b array.Builder, v any) error { b.(B).Append(*v.(*T)); return nil },
		func(v any) string { return format(*v.(*T)) }}
}

// decimalCodec writes Decimal(p, s) as decimal128(p, s) and as plain text
// with exactly s places ("1234.50"). Sums in views are Decimal(38, s), wider
// than the int64 fast path of rows.ToDecimal128.
func decimalCodec(precision, scale int32) codec {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	return codec{&arrow.Decimal128Type{Precision: precision, Scale: scale}, func() any { return new(decimal.Decimal) },
		func(b array.Builder, v any) error {
			d := *v.(*decimal.Decimal)
			n, err := toDecimal128(d, precision, scale, limit)
			if err != nil {
				return err
			}
			b.(*array.Decimal128Builder).Append(n)
			return nil
		},
		func(v any) string { return v.(*decimal.Decimal).StringFixed(scale) }}
}

func toDecimal128(d decimal.Decimal, precision, scale int32, limit *big.Int) (decimal128.Num, error) {
	if precision <= 18 {
		return rows.ToDecimal128(d, scale)
	}
	unscaled := d.Round(scale).Shift(scale).BigInt()
	if new(big.Int).Abs(unscaled).Cmp(limit) >= 0 {
		return decimal128.Num{}, fmt.Errorf("%s does not fit Decimal(%d, %d)", d, precision, scale)
	}
	return decimal128.FromBigInt(unscaled), nil
}

// jsonList is an Array(String) as one CSV field: a JSON array, so values
// holding commas or quotes stay apart.
func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a []string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
