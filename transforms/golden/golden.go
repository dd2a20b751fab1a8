// Package golden runs golden-file tests for marketplace transforms: every
// testdata/<name>.json is an input payload, and testdata/<name>.golden.json
// beside it holds the expected canonical output as indented JSON. A
// transform error is goldened too, as {"error": "..."}, so malformed inputs
// are part of the spec.
//
// Regenerate after an intended change with
//
//	go test ./transforms/prom -update
//
// and review the diff of the .golden.json files: they are the spec.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kramar/kramar/schema/canon"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// Suffix names expected-output files.
const Suffix = ".golden.json"

// Func turns one input payload into the value to compare.
type Func func(input []byte) (any, error)

// Transform is a marketplace's transform of one record for a store.
type Transform[T any] func(raw json.RawMessage, store canon.Store) (T, error)

// Orders is the Func of an order transform run with store: the order, or
// the error naming the record id the pipeline would reject it under.
func Orders[O any](transform Transform[O], recordID func(json.RawMessage) string, store canon.Store) Func {
	return func(input []byte) (any, error) {
		o, err := transform(input, store)
		if err != nil {
			return nil, fmt.Errorf("record %q: %w", recordID(input), err)
		}
		return o, nil
	}
}

// Products is the Func of a catalog transform run with store.
func Products[P any](transform Transform[P], store canon.Store) Func {
	return func(input []byte) (any, error) { return transform(input, store) }
}

// Run checks every input in dir against its golden file as a subtest.
// It fails when dir holds no inputs or a golden file has no input, and,
// when dir has a SourcesFile, when that file is wrong (see Sources).
func Run(t *testing.T, dir string, fn Func) {
	t.Helper()
	inputs, err := inputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatalf("no *.json inputs in %s", dir)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			input, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Render(fn(input))
			if err != nil {
				t.Fatal(err)
			}
			goldenPath := filepath.Join(dir, name+Suffix)
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the output (run with -update if the change is intended):\n%s", goldenPath, firstDifference(want, got))
			}
		})
	}
	checkOrphans(t, dir, inputs)
	if _, err := os.Stat(filepath.Join(dir, SourcesFile)); err == nil {
		t.Run(SourcesFile, func(t *testing.T) { Sources(t, dir) })
	}
}

// Read is the file name in the test's testdata folder; a missing one fails
// the test.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Render is the golden form of a result: indented JSON with a final
// newline, or {"error": "..."} when err is not nil.
func Render(v any, err error) ([]byte, error) {
	if err != nil {
		v = map[string]string{"error": err.Error()}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep "<", ">" and "&" readable in the files
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("render golden output: %w", err)
	}
	return b.Bytes(), nil
}

func inputs(dir string) ([]string, error) {
	all, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range all {
		if !strings.HasSuffix(p, Suffix) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// checkOrphans fails on golden files whose input is gone, so a deleted
// case does not leave a stale spec behind.
func checkOrphans(t *testing.T, dir string, inputs []string) {
	t.Helper()
	have := map[string]bool{}
	for _, in := range inputs {
		have[strings.TrimSuffix(filepath.Base(in), ".json")] = true
	}
	goldens, _ := filepath.Glob(filepath.Join(dir, "*"+Suffix))
	for _, g := range goldens {
		if name := strings.TrimSuffix(filepath.Base(g), Suffix); !have[name] {
			t.Errorf("%s has no input %s.json", g, name)
		}
	}
}

// firstDifference shows the first line where want and got part ways.
func firstDifference(want, got []byte) string {
	w := strings.Split(string(want), "\n")
	g := strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, wl, gl)
		}
	}
	return "(no line differs; whitespace at the end?)"
}
