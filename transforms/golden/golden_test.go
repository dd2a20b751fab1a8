package golden

import (
	"encoding/json"
	"errors"
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
