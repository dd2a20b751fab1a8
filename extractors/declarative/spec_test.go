package declarative

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimal = `name: bazar
auth: {type: bearer}
orders:
  request: {path: /orders}
  pagination: {type: page, param: page, size_param: per_page}
  records: orders
  id: id
fields:
  created_at: created
  amount: sum
items:
  path: lines
  fields: {quantity: qty, price: price}
`

func TestMinimalSpec(t *testing.T) {
	s, err := Parse([]byte(minimal), "bazar.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Orders.Request.Method != "GET" || s.Orders.Pagination.Stop != StopShortPage || s.Formats.Money != MoneyAuto || s.Formats.Currency != "UAH" {
		t.Errorf("defaults: %+v %+v", s.Orders.Request, s.Formats)
	}
	if s.Digest == "" {
		t.Error("no digest")
	}
}

// TestSpecErrorsNameTheLine: every mistake is reported with its line.
func TestSpecErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, edit, want string
	}{
		{"unknown key", strings.Replace(minimal, "  records: orders", "  records: orders\n  recrods: x", 1), "line 7: field recrods not found"},
		{"unknown nested key", strings.Replace(minimal, "auth: {type: bearer}", "auth:\n  type: bearer\n  tokn: x", 1), "line 4: field tokn not found"},
		{"bad path", strings.Replace(minimal, "  id: id", "  id: items[x]", 1), "line 7: path \"items[x]\""},
		{"bad pagination", strings.Replace(minimal, "type: page,", "type: pages,", 1), "line 5: orders.pagination.type: unknown type \"pages\""},
		{"bad auth", strings.Replace(minimal, "type: bearer", "type: oauth", 1), "line 2: auth.type: unknown type \"oauth\""},
		{"missing amount", strings.Replace(minimal, "  amount: sum\n", "", 1), "line 8: fields.amount: is required"},
		{"bad placeholder", strings.Replace(minimal, "request: {path: /orders}", "request:\n    path: /orders\n    query: {since: \"{{form}}\"}", 1), "line 6: orders.request.query.since: unknown placeholder {{form}}"},
		{"bad money", minimal + "formats: {money: euro}\n", "line 14: formats.money: unknown format \"euro\""},
		{"bad zone", minimal + "formats:\n  time: {zone: Mars/Base}\n", "line 15: formats.time.zone: unknown time zone"},
		{"cursor without next", strings.Replace(minimal, "type: page,", "type: cursor,", 1), "orders.pagination.next: is required"},
		{"syntax", minimal + "fields: [\n", "line"},
		{"wrong type", strings.Replace(minimal, "size_param: per_page}", "size: many}", 1), "line 5: cannot unmarshal"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.edit), "bazar.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bazar.yaml") {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// TestShippedSpecs: every spec in specs/ loads, and together they use
// every auth and pagination type.
func TestShippedSpecs(t *testing.T) {
	files, _ := filepath.Glob("../../specs/*.yaml")
	if len(files) < 5 {
		t.Fatalf("found %d specs", len(files))
	}
	auths, pages := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			t.Error(err)
			continue
		}
		data, _ := os.ReadFile(f)
		if !strings.Contains(string(data), "NO PUBLIC") {
			t.Errorf("%s: the header does not say whether a public order API exists", f)
		}
		auths[s.Auth.Type] = true
		pages[s.Orders.Pagination.Type] = true
	}
	for _, a := range []string{AuthBearer, AuthHeader, AuthQuery, AuthBasic, AuthLogin} {
		if !auths[a] {
			t.Errorf("no shipped spec uses auth %s", a)
		}
	}
	for _, p := range []string{PageNumber, PageOffset, PageCursor, PageLastID} {
		if !pages[p] {
			t.Errorf("no shipped spec uses pagination %s", p)
		}
	}
}
