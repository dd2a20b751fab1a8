package jsonwire_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/kramar/kramar/extractors/jsonwire"
)

func TestReadsEveryForm(t *testing.T) {
	var v struct {
		T []jsonwire.Text   `json:"t"`
		N []jsonwire.Number `json:"n"`
		B []jsonwire.Bool   `json:"b"`
		F []jsonwire.Flag   `json:"f"`
	}
	in := `{"t": ["a", 12, 1.50, null, ""], "n": [1.5, "1 234,50", null], "b": [true, 1, "1", false, 0, "0", "", null], "f": [true, "1", null]}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if got, want := v.T, []jsonwire.Text{"a", "12", "1.50", "", ""}; !slices.Equal(got, want) {
		t.Errorf("text %q, want %q", got, want)
	}
	if got, want := v.N, []jsonwire.Number{"1.5", "1 234,50", ""}; !slices.Equal(got, want) {
		t.Errorf("number %q, want %q", got, want)
	}
	if got, want := v.B, []jsonwire.Bool{true, true, true, false, false, false, false, false}; !slices.Equal(got, want) {
		t.Errorf("bool %v, want %v", got, want)
	}
	if got, want := v.F, []jsonwire.Flag{true, true, false}; !slices.Equal(got, want) {
		t.Errorf("flag %v, want %v", got, want)
	}
}

func TestRefusesOtherValues(t *testing.T) {
	for _, c := range []struct {
		json string
		into any
	}{
		{`{}`, new(jsonwire.Text)}, {`true`, new(jsonwire.Text)}, {`[1]`, new(jsonwire.Number)},
		{`2`, new(jsonwire.Bool)}, {`"yes"`, new(jsonwire.Flag)},
	} {
		if err := json.Unmarshal([]byte(c.json), c.into); err == nil {
			t.Errorf("%s into %T: no error", c.json, c.into)
		}
	}
}

func TestWrites(t *testing.T) {
	b, err := json.Marshal(struct {
		N  []jsonwire.Number
		B  jsonwire.Bool
		F  []jsonwire.Flag
		Tx jsonwire.Text
	}{[]jsonwire.Number{"1.5", "-2", "", "1 234,50"}, true, []jsonwire.Flag{true, false}, "7"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"N":[1.5,-2,"","1 234,50"],"B":true,"F":[1,0],"Tx":"7"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
