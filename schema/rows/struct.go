package rows

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unsafe"

	"github.com/shopspring/decimal"
)

// FromStruct declares a table whose rows are the struct T (or a pointer to
// it), so a column is named once, as its field: every exported field is a
// column, in field order, named by the field's name in snake_case
// (CRMStatus is crm_status, UpdateID update_id), of the kind its Go type
// stands for (string, bool, uint32, uint64, time.Time, []string, and
// decimal.Decimal as Money). A tag `ch:"name"` gives another name,
// `ch:",qty"` makes a decimal a Quantity and `ch:"-"` leaves the field out.
// A field in computed replaces the column of its name, for a value the row
// does not hold as it is stored. Like NewSpec, it panics on a mistake in the
// declaration.
func FromStruct[T any](table string, computed ...Field[T]) *Spec[T] {
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
		name, opt, _ := strings.Cut(sf.Tag.Get("ch"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = snakeCase(sf.Name)
		}
		if f, ok := byName[name]; ok {
			fields = append(fields, f)
			delete(byName, name)
			continue
		}
		fields = append(fields, structField[T](table, sf, ptr, name, opt))
	}
	for name := range byName {
		panic(fmt.Sprintf("rows: table %s computes column %s, which is no field's", table, name))
	}
	return NewSpec(table, fields...)
}

// structField is the column of the struct field sf of T.
func structField[T any](table string, sf reflect.StructField, ptr bool, name, opt string) Field[T] {
	if opt != "" && (opt != "qty" || sf.Type != reflect.TypeFor[decimal.Decimal]()) {
		panic(fmt.Sprintf("rows: table %s column %s: option %q does not apply to %s", table, name, opt, sf.Type))
	}
	switch sf.Type {
	case reflect.TypeFor[string]():
		return Str(name, fieldOf[T, string](sf.Offset, ptr))
	case reflect.TypeFor[bool]():
		return Flag(name, fieldOf[T, bool](sf.Offset, ptr))
	case reflect.TypeFor[uint32]():
		return U32(name, fieldOf[T, uint32](sf.Offset, ptr))
	case reflect.TypeFor[uint64]():
		return U64(name, fieldOf[T, uint64](sf.Offset, ptr))
	case reflect.TypeFor[time.Time]():
		return Time(name, fieldOf[T, time.Time](sf.Offset, ptr))
	case reflect.TypeFor[[]string]():
		return StrList(name, fieldOf[T, []string](sf.Offset, ptr))
	case reflect.TypeFor[decimal.Decimal]():
		if opt == "qty" {
			return QtyOf(name, fieldOf[T, decimal.Decimal](sf.Offset, ptr))
		}
		return MoneyOf(name, fieldOf[T, decimal.Decimal](sf.Offset, ptr))
	}
	panic(fmt.Sprintf("rows: table %s column %s: no column kind for %s", table, name, sf.Type))
}

// fieldOf reads the field at offset off of a row (of the struct the row
// points to when ptr). structField has checked through reflect that the
// field there is a V, so the read is the field itself, with no copy of the
// row nor an interface per value: a load of many rows costs what getters
// written by hand cost.
func fieldOf[T, V any](off uintptr, ptr bool) func(T) V {
	if ptr {
		return func(r T) V { return *(*V)(unsafe.Add(*(*unsafe.Pointer)(unsafe.Pointer(&r)), off)) }
	}
	return func(r T) V { return *(*V)(unsafe.Add(unsafe.Pointer(&r), off)) }
}

// snakeCase is a Go name in lower case with "_" between its words; an upper
// case letter starts a word after a lower case letter or a digit, or when a
// lower case letter follows it (DurationMS is duration_ms, CRMStatus
// crm_status).
func snakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) &&
			(unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
