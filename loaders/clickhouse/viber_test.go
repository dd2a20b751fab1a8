package clickhouse_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/transforms/people"
)

// v_orders.viber_link follows people.ViberLink: the same link for every way
// a buyer types the phone, none for a phone that is not a whole number.
func TestViewViberLinkIsPeopleViberLink(t *testing.T) {
	wh := chtest.New(t)
	phones := []string{"+380501234567", "0501234567", "+38 (050) 123-45-67", "380 50 123 45 67",
		"+48 512 345 678", "", "12345", "+380 50 123", "050123456789", "+1234567890123456"}
	orders := testOrders(len(phones), func(int) string { return "shop1" })
	for i := range orders {
		orders[i].BuyerPhone = people.NormalizePhone(phones[i]) // as every transform stores it
	}
	if err := wh.InsertBatch(context.Background(), batchOf(t, "run-1", orders)); err != nil {
		t.Fatal(err)
	}
	for i, phone := range phones {
		got := chtest.Query(t, wh, `SELECT viber_link FROM {db}.v_orders WHERE external_id = ?`, fmt.Sprint(i))
		if len(got) != 1 || got[0] != people.ViberLink(phone) {
			t.Errorf("phone %q: v_orders.viber_link %v, want %q", phone, got, people.ViberLink(phone))
		}
	}
	if people.ViberLink(phones[1]) == "" {
		t.Fatal("the test's phones must give links")
	}
}
