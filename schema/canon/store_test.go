package canon

import "testing"

func TestOptionsOfTakesAValueOrAPointer(t *testing.T) {
	type opts struct{ A string }
	for _, o := range []any{opts{"x"}, &opts{"x"}} {
		if got := OptionsOf[opts](o); got.A != "x" {
			t.Errorf("OptionsOf(%#v) = %#v", o, got)
		}
	}
	for _, o := range []any{nil, (*opts)(nil), struct{ A string }{"other type"}} {
		if got := OptionsOf[opts](o); got != (opts{}) {
			t.Errorf("OptionsOf(%#v) = %#v, want the zero value", o, got)
		}
	}
}

func TestNewOrderNamesTheStoresMarketplaceOrTheTransforms(t *testing.T) {
	s := Store{Store: "s", OrderType: "retail", OrderSource: "site"}
	if o := s.NewOrder("own", "UAH", "web"); o.Marketplace != "own" || o.Store != "s" || o.OrderType != "retail" ||
		o.OrderSource != "site" || o.Currency != "UAH" || o.Channel != "web" {
		t.Errorf("%+v", o)
	}
	s.Marketplace = "store's"
	if o := s.NewOrder("own", "UAH", ""); o.Marketplace != "store's" {
		t.Errorf("marketplace %q", o.Marketplace)
	}
}

func TestFirstAndJoinNonEmptyTrim(t *testing.T) {
	if got := FirstNonEmpty(" ", "\t b ", "c"); got != "b" {
		t.Errorf("FirstNonEmpty = %q", got)
	}
	if got := JoinNonEmpty(", ", " a", "", "  ", "b "); got != "a, b" {
		t.Errorf("JoinNonEmpty = %q", got)
	}
}
