package golden

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The package tests itself: testdata holds one input that succeeds and one
// that fails, with their goldens.
func TestRun(t *testing.T) {
	Run(t, "testdata", func(input []byte) (any, error) {
		var v struct {
			Word  string `json:"word"`
			Count int    `json:"count"`
		}
		if err := json.Unmarshal(input, &v); err != nil {
			return nil, err
		}
		if v.Count < 0 {
			return nil, errors.New("count: negative")
		}
		return map[string]any{"upper": strings.ToUpper(v.Word), "double": v.Count * 2, "html": "<a&b>"}, nil
	})
}

func TestRenderIsStable(t *testing.T) {
	a, _ := Render(map[string]int{"b": 1, "a": 2, "c": 3}, nil)
	want := "{\n  \"a\": 2,\n  \"b\": 1,\n  \"c\": 3\n}\n"
	if string(a) != want {
		t.Errorf("got %q, want %q", a, want)
	}
	e, _ := Render(nil, errors.New("price: bad"))
	if string(e) != "{\n  \"error\": \"price: bad\"\n}\n" {
		t.Errorf("error form: %q", e)
	}
}

func TestFirstDifference(t *testing.T) {
	got := firstDifference([]byte("a\nb\nc"), []byte("a\nB\nc"))
	if !strings.Contains(got, "line 2") || !strings.Contains(got, "want: b") || !strings.Contains(got, "got:  B") {
		t.Errorf("got %q", got)
	}
}

// Sources fails on a listed case with no input, a line with no source and,
// once a case is declared synthetic, on an input listed nowhere.
func TestSourcesNamesEveryUnsourcedCase(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.json", "a" + Suffix, "b.json", "b" + Suffix, "c.json", "c" + Suffix} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for body, want := range map[string]string{
		"# comment\na\tsome/repo file.go: what it shows\n": "",
		"a\tsrc\nb\tsynthetic\n":                           "case c has no line",
		"a\tsrc\nzz\tsrc\n":                                "case zz: ",
		"a\t \n":                                           ":1: want a case name, a tab and its source",
		"a\tsrc\na\tsrc\nb\tsynthetic\nc\tsynthetic\n":     "case a is listed twice",
	} {
		if err := os.WriteFile(filepath.Join(dir, SourcesFile), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		sourced, problems, err := readSources(dir)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case want == "" && (len(problems) > 0 || sourced["a"] != "some/repo file.go: what it shows"):
			t.Errorf("%q: %v %v", body, sourced, problems)
		case want != "" && (len(problems) != 1 || !strings.Contains(problems[0], want)):
			t.Errorf("%q: problems %q, want one with %q", body, problems, want)
		}
	}
}
