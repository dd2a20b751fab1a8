package all_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/pipeline/connectors"
	_ "github.com/kramar/kramar/pipeline/connectors/all"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/cml"
)

var full = flag.Bool("full", false, "list every failure, not the first 25 per marketplace")

// goldenDirs are the golden order payloads of each built-in connector.
var goldenDirs = map[string]string{
	"prom":     "../../../transforms/prom/testdata",
	"rozetka":  "../../../transforms/rozetka/testdata",
	"horoshop": "../../../transforms/horoshop/testdata",
	"epicentr": "../../../transforms/epicentr/testdata",
	"zakupka":  "../../../transforms/cml/testdata",
}

// Every field of every golden payload that loads is replaced in turn by a
// value of each other JSON type. The order must still load unless the field
// is one the warehouse cannot do without (tagged required: the id, the
// money, the creation time), the transform must not panic, and the drift
// check must report the replacement at its path (or at the unknown field
// that holds it), unless the field's own reader takes that type.
func TestEveryFieldOfAnotherTypeLoadsTheOrderAndShowsAsDrift(t *testing.T) {
	type target struct {
		conn connectors.Connector
		dir  string
	}
	targets := map[string]target{}
	for mp, dir := range goldenDirs {
		conn, ok := connectors.Lookup(mp)
		if !ok {
			t.Fatalf("no connector %s", mp)
		}
		targets[mp] = target{conn, dir}
	}
	// The marketplaces a declarative spec describes, with their golden payloads.
	specs, _ := filepath.Glob("../../../specs/*.yaml")
	for _, sp := range specs {
		name := strings.TrimSuffix(filepath.Base(sp), ".yaml")
		conn, err := connectors.FromSpec(sp, "")
		if err != nil {
			t.Fatal(err)
		}
		targets[name] = target{conn, "../../../extractors/declarative/testdata/" + name}
	}
	for mp, tg := range targets {
		conn, dir := tg.conn, tg.dir
		model := conn.OrderModel()
		if model == nil {
			t.Fatalf("%s: no wire model", mp)
		}
		inputs, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		cases, failures, taken := 0, 0, 0
		fail := func(format string, args ...any) {
			failures++
			if failures <= 25 || *full {
				t.Errorf(format, args...)
			}
		}
		for _, in := range inputs {
			if strings.HasSuffix(in, ".golden.json") {
				continue
			}
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			// all_statuses: no order is skipped where a store may skip some.
			sc := canon.Store{Marketplace: mp, Store: "s", Options: &cml.Options{AllStatuses: true}}
			if _, err := conn.Transform(raw, sc); err != nil {
				continue // a golden reject: nothing to break
			}
			var doc any
			if json.Unmarshal(raw, &doc) != nil {
				continue
			}
			before := findings(model, raw)
			for _, leaf := range paths(doc, "") {
				for _, repl := range replacements(leaf.value) {
					cases++
					mutated, _ := json.Marshal(set(doc, leaf.steps, repl))
					name := fmt.Sprintf("%s/%s %s=%s", mp, filepath.Base(in), leaf.path, short(repl))
					err := transform(conn, mutated, sc)
					var panicked panicError
					if errors.As(err, &panicked) {
						fail("%s: panic: %v", name, err)
						continue
					}
					after := findings(model, mutated)
					reported, required, accepted := reportedAt(after, before, leaf.folded)
					required = required || model.RequiredAt(leaf.folded)
					if err != nil && !required {
						fail("%s: whole order rejected for a field it can do without: %v", name, err)
					}
					if accepted && !reported {
						taken++
					}
					if !reported && !accepted {
						fail("%s: not reported as drift (findings: %v)", name, keys(after))
					}
				}
			}
		}
		if cases < 20 {
			t.Errorf("%s: only %d replacements tried", mp, cases)
		}
		if failures > 25 && !*full {
			t.Errorf("%s: %d more failures", mp, failures-25)
		}
		t.Logf("%s: %d replacements, %d failures, %d taken as they are by the model (nullable fields, fields with their own reader)", mp, cases, failures, taken)
	}
}

type panicError struct{ v any }

func (p panicError) Error() string { return fmt.Sprint(p.v) }

func transform(conn connectors.Connector, raw []byte, sc canon.Store) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicError{v}
		}
	}()
	_, err = conn.Transform(raw, sc)
	if errors.Is(err, connectors.ErrSkipped) {
		return nil
	}
	var fe *canon.FieldError
	if err != nil && !errors.As(err, &fe) {
		return fmt.Errorf("not a field error: %w", err)
	}
	return err
}

type finding struct {
	path     string
	kind     drift.Kind
	observed drift.Type
	required bool
}

func findings(m *drift.Model, raw []byte) map[finding]bool {
	out := map[finding]bool{}
	m.Check(raw, func(f drift.Finding) {
		out[finding{f.Path, f.Kind, f.Observed, f.Required}] = true
	})
	return out
}

// reportedAt tells whether a finding new to the mutated payload sits at
// path or at an unknown field above it; required when such a finding is
// of a required field; accepted when the model takes the value as it is
// (nothing new at all, and the path is inside a known part).
func reportedAt(after, before map[finding]bool, path string) (reported, required, accepted bool) {
	for f := range after {
		at := f.path == path || strings.HasPrefix(f.path, path+".") || strings.HasPrefix(f.path, path+"[]")
		above := (f.kind == drift.Unknown || f.kind == drift.TypeChange) && (strings.HasPrefix(path, f.path+".") || strings.HasPrefix(path, f.path+"[]"))
		if at || above {
			if f.required {
				required = true
			}
			if !before[f] || f.kind == drift.Unknown {
				reported = true
			}
		}
		if f.required && !before[f] {
			required = true
		}
	}
	// Nothing new anywhere: the model takes the value as it is (a field
	// that may be null, or whose own reader takes that type).
	accepted = true
	for f := range after {
		if !before[f] {
			accepted = false
		}
	}
	return reported, required, accepted
}

func keys(m map[finding]bool) []string {
	var out []string
	for f := range m {
		out = append(out, string(f.kind)+" "+f.path+" "+f.observed.String())
	}
	sort.Strings(out)
	return out
}

type leaf struct {
	steps  []any // string keys and int indices
	path   string
	folded string // indices folded, as drift reports paths
	value  any
}

// paths lists every value of doc (objects and arrays included) but the root.
func paths(doc any, _ string) []leaf {
	var out []leaf
	var walk func(v any, steps []any, path, folded string)
	walk = func(v any, steps []any, path, folded string) {
		switch x := v.(type) {
		case map[string]any:
			ks := make([]string, 0, len(x))
			for k := range x {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			for _, k := range ks {
				p, f := k, k
				if path != "" {
					p, f = path+"."+k, folded+"."+k
				}
				s := append(append([]any{}, steps...), k)
				out = append(out, leaf{s, p, f, x[k]})
				walk(x[k], s, p, f)
			}
		case []any:
			for i, item := range x {
				s := append(append([]any{}, steps...), i)
				p, f := path+"["+strconv.Itoa(i)+"]", folded+"[]"
				out = append(out, leaf{s, p, f, item})
				walk(item, s, p, f)
			}
		}
	}
	walk(doc, nil, "", "")
	return out
}

// replacements are values of every other JSON type than v's.
func replacements(v any) []any {
	all := map[string]any{
		"string": "змінений текст",
		"number": 4242.5,
		"object": map[string]any{"value": "x"},
		"array":  []any{"x", 1},
		"null":   nil,
		"bool":   true,
	}
	own := "null"
	switch v.(type) {
	case string:
		own = "string"
	case float64:
		own = "number"
	case map[string]any:
		own = "object"
	case []any:
		own = "array"
	case bool:
		own = "bool"
	}
	var out []any
	for _, k := range []string{"string", "number", "object", "array", "null", "bool"} {
		if k != own {
			out = append(out, all[k])
		}
	}
	return out
}

// set returns a deep copy of doc with the value at steps replaced.
func set(doc any, steps []any, v any) any {
	if len(steps) == 0 {
		return v
	}
	switch x := doc.(type) {
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, val := range x {
			c[k] = val
		}
		k := steps[0].(string)
		c[k] = set(x[k], steps[1:], v)
		return c
	case []any:
		c := append([]any{}, x...)
		i := steps[0].(int)
		c[i] = set(x[i], steps[1:], v)
		return c
	}
	return doc
}

func short(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
