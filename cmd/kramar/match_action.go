package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/console"
)

// actionMatch is the console's change of a product match: the seller says
// which of their products a marketplace product is (as `kramar products
// match set|clear` does), and past order lines count for it at once.
const actionMatch = "match"

func (d *daemon) setMatch(w http.ResponseWriter, r *http.Request) {
	st, ok := d.actionStore(w, r)
	if !ok {
		return
	}
	key, product := strings.TrimSpace(r.FormValue("match_key")), strings.TrimSpace(r.FormValue("product_key"))
	a := clickhouse.Action{Action: actionMatch, Marketplace: st.Marketplace, Store: st.ID, Detail: key + " → " + product, Outcome: "done"}
	if product == "" {
		a.Detail = key + " → (cleared)"
	}
	v, _ := console.ViewerFrom(r.Context())
	by := v.Name
	if by == "" {
		by = "local"
	}
	m, err := pipeline.NewMatch(d.runner.Load().Config, pipeline.MatchChange{Store: st.ID, ProductID: key, Product: product,
		ChangedBy: "console:" + by, ChangedAt: time.Now()})
	if err == nil {
		var n int
		// The match is the seller's word: it is kept even if the browser
		// goes away before the answer.
		if n, err = d.o.WH.RecordMatches(context.WithoutCancel(r.Context()), []clickhouse.ProductMatch{m}); err == nil {
			a.Message = fmt.Sprintf("past lines of %s now count for %q", key, product)
			if product == "" {
				a.Message = fmt.Sprintf("past lines of %s count by the marketplace's ids again", key)
			}
			if n == 0 {
				a.Outcome, a.Message = "unchanged", "the match was already so"
			}
		}
	}
	if err != nil {
		a.Outcome, a.Message = "refused", err.Error()
	}
	d.record(r, a)
	http.Redirect(w, r, "/stores/"+url.PathEscape(st.ID)+"#products", http.StatusSeeOther)
}
