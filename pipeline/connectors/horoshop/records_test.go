package horoshop

import "testing"

func TestRecordsAcceptsEnvelopesListsAndOrders(t *testing.T) {
	for payload, want := range map[string]int{
		`{"status":"OK","response":{"orders":[{"order_id":1},{"order_id":2}]}}`: 2,
		`{"orders":[{"order_id":1}]}`:                                           1,
		`[{"order_id":1},{"order_id":2},{"order_id":3}]`:                        3,
		`{"order_id":7,"stat_status":1}`:                                        1,
		`{"status":"EMPTY","response":[]}`:                                      0,
	} {
		got, err := records([]byte(payload))
		if err != nil || len(got) != want {
			t.Errorf("%s: %d records, %v; want %d", payload, len(got), err, want)
		}
	}
	if _, err := records([]byte("<html>")); err == nil {
		t.Error("HTML accepted")
	}
}
