package golden

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/kramar/kramar/schema/canon"
)

// Fuzz checks that no input makes transform (or recordID) panic and that
// every failure is a *canon.FieldError the pipeline can record as a
// reject; the inputs in dir seed it.
func Fuzz[O any](f *testing.F, dir string, transform Transform[O], recordID func(json.RawMessage) string, store canon.Store) {
	seeds, _ := inputs(dir)
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, err := transform(raw, store)
		var fe *canon.FieldError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("error %v is not a FieldError", err)
		}
		_ = recordID(raw)
	})
}

// RecordIDs checks recordID against a table of records, whole or broken,
// and the ids they must give.
func RecordIDs(t *testing.T, recordID func(json.RawMessage) string, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		if got := recordID(json.RawMessage(in)); got != want {
			t.Errorf("RecordID(%s) = %q, want %q", in, got, want)
		}
	}
}

// TopLevelID checks a RecordID that reads the record's top-level key, a
// number or a string, even from a record that does not decode: on the
// records every such marketplace must name (the key before or after the
// list whose items have a key of the same name, null, none, damage after
// the key, no JSON at all), and on the marketplace's own cases.
func TopLevelID(t *testing.T, recordID func(json.RawMessage) string, key, list string, own map[string]string) {
	t.Helper()
	cases := map[string]string{`not json at all`: ""}
	for form, want := range map[string]string{
		`{%[1]q: 123, %[2]q: [{%[1]q: 9}]}`:  "123",
		`{%[2]q: [{%[1]q: 9}], %[1]q: 123}`:  "123",
		`{%[1]q: "A-77"}`:                    "A-77",
		`{%[1]q: null}`:                      "",
		`{%[2]q: [{%[1]q: 9}]}`:              "",
		`{%[1]q: 555, %[2]q: [{"quantity": `: "555",
	} {
		cases[fmt.Sprintf(form, key, list)] = want
	}
	maps.Copy(cases, own)
	RecordIDs(t, recordID, cases)
}

// Marketplace checks that the order of raw is named after the store's
// marketplace, and after the transform's own (def) when the store names
// none.
func Marketplace(t *testing.T, transform Transform[canon.Order], raw json.RawMessage, def string) {
	t.Helper()
	const other = "other-marketplace"
	if o, err := transform(raw, canon.Store{Marketplace: other, Store: "s"}); err != nil || o.Marketplace != other {
		t.Fatalf("got %q, %v; want %q", o.Marketplace, err, other)
	}
	if o, _ := transform(raw, canon.Store{Store: "s"}); o.Marketplace != def {
		t.Fatalf("default marketplace: %q, want %q", o.Marketplace, def)
	}
}

// Dirs runs Run on testdata/<name> for each named Func, as subtests.
func Dirs(t *testing.T, dirs map[string]Func) {
	t.Helper()
	for name, fn := range dirs {
		t.Run(name, func(t *testing.T) { Run(t, filepath.Join("testdata", name), fn) })
	}
}

// Variant is store changed by edit, for a second set of cases.
func Variant(store canon.Store, edit func(*canon.Store)) canon.Store {
	edit(&store)
	return store
}

// FieldErrors checks that every case fails with a *canon.FieldError naming
// its field; fail runs one case (see Fails).
func FieldErrors(t *testing.T, fail func(in string) error, cases map[string]string) {
	t.Helper()
	for in, field := range cases {
		err := fail(in)
		var fe *canon.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v, want a *canon.FieldError for %s", in, err, field)
		}
	}
}

// Fails runs transform with store on a record written out, for FieldErrors.
func Fails[O any](transform Transform[O], store canon.Store) func(in string) error {
	return func(in string) error {
		_, err := transform(json.RawMessage(in), store)
		return err
	}
}
