package rozetka

import (
	"testing"
	"time"

	"github.com/kramar/kramar/transforms/golden"
)

// fidelitySources names the public source of each golden case that pins
// the real shape of a Rozetka order. The apidoc mirror is
// GERA-OneTeam/Rozetka-API-Seller at 1e7ab0d265b093c4d497c90063fde943e9706fa8.
var fidelitySources = map[string]string{
	"purchase_without_status": "GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md L1298-1396: " +
		"the 0.0.0 detail example's purchases carry no status; both lines load",
	"purchase_status_explicit_zero": "GERA-OneTeam/Rozetka-API-Seller docs/categories/models.md L2621: " +
		"status 0 is a line removed while editing, 1 active; an explicit 0 (number or string) drops the line, an absent status keeps it",
	"carrier_track_num": "GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md L750-755 (carrier expand) and " +
		"Pvitaly91/CRMapp tests/CheckboxBatchPrinter.Tests/RozetkaOrdersTests.cs @ 43df877 (carrier.carrier_track_num as a shipment): " +
		"ROZETKA Delivery parcel with an empty ttn; the ТТН is the carrier's",
	"carrier_meest_ttn_kept": "GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md L750-755, L1452 (carrier_inner_id 4 = Meest): " +
		"a seller's ttn is kept when both are set",
	"carrier_all_null": "GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md L1861-1867: " +
		"the search example's carrier block is all null for a parcel no carrier manages",
	"seller_comment_unix_created": "GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md L666 " +
		"({\"comment\":…,\"created\":1490203200}) vs the examples' date strings (L798) and an entry without seller_id (L1047-1056): the order loads",
	"payment_status_documented": "GERA-OneTeam/Rozetka-API-Seller docs/categories/models.md L2438-2446, L2492-2509: " +
		"payment_status is OrderStatusPayment {order_id, status_payment_id, name, title, value, payment_invoice_id, created_at}",
}

func TestFidelityCasesExistAndCiteASource(t *testing.T) {
	golden.Sources(t, "testdata", fidelitySources)
}

// seller_comment[].created: Unix seconds (orders.md L666, a number the
// decoder hands over as its digits) or a Kyiv wall time (L798).
func TestSellerNoteTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1490203200":          time.Date(2017, 3, 22, 17, 20, 0, 0, time.UTC),
		" 1741077000 ":        time.Date(2025, 3, 4, 8, 30, 0, 0, time.UTC),
		"2020-03-18 12:52:26": time.Date(2020, 3, 18, 10, 52, 26, 0, time.UTC), // Kyiv winter time, UTC+2
		"2022-10-01 10:30:12": time.Date(2022, 10, 1, 7, 30, 12, 0, time.UTC),  // summer time, UTC+3
	} {
		got, err := SellerNoteTime(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("SellerNoteTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "вчора", "99999999999999999999"} {
		if _, err := SellerNoteTime(bad); err == nil {
			t.Errorf("SellerNoteTime(%q) accepted", bad)
		}
	}
}
