package epicentr

import (
	"strings"
	"testing"
)

func TestRecordsTellsAPageFromAnOrder(t *testing.T) {
	order := `{"id":"a1","items":[{"sku":"X","quantity":1,"price":5}]}`
	cases := map[string][]string{
		order:                    {order},
		`{"data":` + order + `}`: {order},
		`{"items":[{"id":"a1"},{"id":"b2"}],"current":null,"next":"Yz","limit":2}`: {`{"id":"a1"}`, `{"id":"b2"}`},
	}
	for in, want := range cases {
		got, err := records([]byte(in))
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: %d records, %v", in, len(got), err)
		}
		for i := range want {
			if string(got[i]) != want[i] {
				t.Errorf("%s: record %d = %s, want %s", in, i, got[i], want[i])
			}
		}
	}
	if _, err := records([]byte(`{"items":[`)); err == nil || !strings.Contains(err.Error(), "Epicentr") {
		t.Errorf("broken JSON: %v", err)
	}
}
