package rows

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Tagged declares a table whose rows are the struct T (or a pointer to it),
// so that a column is named once, beside its field: every field tagged
// `ch:"column"` is a column, in field order, of the kind its Go type stands
// for (string, bool, uint32, uint64, time.Time, []string, and
// decimal.Decimal as Money, or as Quantity when tagged `ch:"column,qty"`).
// A field in computed replaces the tagged column of its name, for a value
// the row does not hold as it is stored. Like NewSpec, it panics on a
// mistake in the declaration.
func Tagged[T any](table string, computed ...Field[T]) *Spec[T] {
	typ, ptr := reflect.TypeFor[T](), false
	if typ.Kind() == reflect.Pointer {
		typ, ptr = typ.Elem(), true
	}
	if typ.Kind() != reflect.Struct {
		panic(fmt.Sprintf("rows: table %s: %s is not a struct", table, typ))
	}
	byName := map[string]Field[T]{}
	for _, f := range computed {
		byName[f.Name] = f
	}
	var fields []Field[T]
	for i := range typ.NumField() {
		sf := typ.Field(i)
		tag, ok := sf.Tag.Lookup("ch")
		if !ok {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		if !sf.IsExported() {
			panic(fmt.Sprintf("rows: table %s column %s: field %s is not exported", table, name, sf.Name))
		}
		if f, ok := byName[name]; ok {
			fields = append(fields, f)
			delete(byName, name)
			continue
		}
		fields = append(fields, taggedField[T](table, sf, i, ptr, name, opt))
	}
	for name := range byName {
		panic(fmt.Sprintf("rows: table %s computes column %s, which no field is tagged with", table, name))
	}
	return NewSpec(table, fields...)
}

// taggedField is the column of struct field i (sf) of T, read through reflect.
func taggedField[T any](table string, sf reflect.StructField, i int, ptr bool, name, opt string) Field[T] {
	if opt != "" && (opt != "qty" || sf.Type != reflect.TypeFor[decimal.Decimal]()) {
		panic(fmt.Sprintf("rows: table %s column %s: option %q does not apply to %s", table, name, opt, sf.Type))
	}
	switch sf.Type {
	case reflect.TypeFor[string]():
		return Str(name, fieldOf[T, string](i, ptr))
	case reflect.TypeFor[bool]():
		return Flag(name, fieldOf[T, bool](i, ptr))
	case reflect.TypeFor[uint32]():
		return U32(name, fieldOf[T, uint32](i, ptr))
	case reflect.TypeFor[uint64]():
		return U64(name, fieldOf[T, uint64](i, ptr))
	case reflect.TypeFor[time.Time]():
		return Time(name, fieldOf[T, time.Time](i, ptr))
	case reflect.TypeFor[[]string]():
		return StrList(name, fieldOf[T, []string](i, ptr))
	case reflect.TypeFor[decimal.Decimal]():
		if opt == "qty" {
			return QtyOf(name, fieldOf[T, decimal.Decimal](i, ptr))
		}
		return MoneyOf(name, fieldOf[T, decimal.Decimal](i, ptr))
	}
	panic(fmt.Sprintf("rows: table %s column %s: no column kind for %s", table, name, sf.Type))
}

// fieldOf reads field i of a row, which is a pointer to the struct when ptr.
func fieldOf[T, V any](i int, ptr bool) func(T) V {
	return func(r T) V {
		v := reflect.ValueOf(&r).Elem()
		if ptr {
			v = v.Elem()
		}
		got, _ := reflect.TypeAssert[V](v.Field(i))
		return got
	}
}
