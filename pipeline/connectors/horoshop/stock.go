package horoshop

import (
	"context"
	"fmt"
	"strings"

	client "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/loaders/marketplace"
	transform "github.com/kramar/kramar/transforms/horoshop"
)

// stockFields are what a stock push reads of a product, before and after.
var stockFields = []string{"presence", "quantity", "residues"}

// StockBatch is catalog/import's batch limit, client.ImportBatchMax.
func (p *Pusher) StockBatch() int { return client.ImportBatchMax }

// PushStock sets the products' stock through catalog/import and counts a
// product as updated only when catalog/export shows the new stock
// afterwards: the import answers «Товар обновлен» even for what it ignores
// (IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md).
//
// With a warehouse (a shop with warehouse accounting) the stock goes into
// that warehouse as residues; quantity and presence are not sent, as such a
// shop takes and ignores them (measured: import quantity 5, export still 0).
// Without one, the shop keeps no stock ledger: quantity is sent and, when
// the availability must change, presence in the shop's own wording (read
// from its catalog; import matches presence by text), so an in-stock
// product shows in stock and a product at 0 does not.
//
// A product the catalog does not list is refused before anything is sent
// (catalog/import would try to create it); one the log refuses, or whose
// stock the export does not show afterwards, is a *marketplace.Rejected
// naming what the shop shows. A lost answer or an unreadable export fails
// the batch, which is sent again: setting a stock level twice is harmless.
func (p *Pusher) PushStock(ctx context.Context, items []marketplace.StockItem) ([]marketplace.StockResult, error) {
	if len(items) > client.ImportBatchMax {
		return nil, fmt.Errorf("catalog/import takes at most %d products a call, not %d", client.ImportBatchMax, len(items))
	}
	out := make([]marketplace.StockResult, len(items))
	articles := make([]string, len(items))
	for i, it := range items {
		out[i].ExternalID, articles[i] = it.ExternalID, it.ExternalID
	}
	before, err := p.client.ProductsByArticle(ctx, articles, stockFields...)
	if err != nil {
		return nil, err
	}
	p.learnPresence(before)
	var (
		products []client.ImportProduct
		sent     []int // items[sent[k]] is products[k]
	)
	for i, it := range items {
		cur, ok := before[it.ExternalID]
		if !ok {
			out[i].Err = marketplace.Reject("article %s is not in the shop's catalog (catalog/export does not list it); nothing was sent", it.ExternalID)
			continue
		}
		q := int(it.Quantity)
		ip := client.ImportProduct{Article: it.ExternalID}
		if p.warehouse != "" {
			ip.Residues = []client.Residue{{Warehouse: p.warehouse, Quantity: q}}
		} else {
			ip.Quantity = &q
			if !presenceFits(string(cur.Presence), q) {
				want := transform.AvailabilityOutOfStock
				if q > 0 {
					want = transform.AvailabilityInStock
				}
				ip.Presence, err = p.presenceText(ctx, want)
				if err != nil {
					return nil, err
				}
			}
		}
		products, sent = append(products, ip), append(sent, i)
	}
	if len(products) == 0 {
		return out, nil
	}
	logs, err := p.client.CatalogImport(ctx, products)
	if err != nil {
		return nil, err
	}
	answers := importAnswers(products, logs)
	var check []string
	for k, i := range sent {
		if l := answers[k]; l.Failed() {
			out[i].Err = marketplace.Reject("catalog/import code %s: %s", l.Code, l.Text())
			continue
		}
		check = append(check, items[i].ExternalID)
	}
	if len(check) == 0 {
		return out, nil
	}
	after, err := p.client.ProductsByArticle(ctx, check, stockFields...)
	if err != nil {
		return nil, fmt.Errorf("stock sent, but catalog/export could not read it back (the batch goes again): %w", err)
	}
	for k, i := range sent {
		if out[i].Err != nil {
			continue
		}
		it := items[i]
		got, ok := after[it.ExternalID]
		if !ok {
			out[i].Err = marketplace.Reject("catalog/import answered %q for %s, but catalog/export no longer lists it", answerText(answers[k]), it.ExternalID)
			continue
		}
		out[i].Err = p.verify(got, int(it.Quantity), products[k].Presence, answerText(answers[k]))
	}
	return out, nil
}

// verify says whether the shop shows the stock pushed: nil, or a
// *marketplace.Rejected with what the export shows instead.
func (p *Pusher) verify(got client.CatalogProduct, q int, presenceSent, answer string) error {
	if p.warehouse != "" {
		n, ok := got.WarehouseStock(p.warehouse)
		where := "warehouse " + p.warehouse
		if !ok {
			// The export need not split stock per warehouse; quantity is the
			// shop's whole stock, which is the warehouse's when it has one.
			n, ok = got.Stock()
			where = "quantity (all warehouses)"
		}
		switch {
		case !ok:
			return marketplace.Reject("catalog/import answered %q, but catalog/export shows no stock for %s, so %d is not confirmed", answer, got.Article, q)
		case n != q:
			return marketplace.Reject("catalog/import answered %q, but catalog/export shows %s = %d, not %d: Horoshop did not apply the stock (is %q one of the shop's warehouses, and does the shop keep warehouse accounting?)",
				answer, where, n, q, p.warehouse)
		}
		return nil
	}
	presence := strings.TrimSpace(string(got.Presence))
	if !presenceFits(presence, q) {
		why := "Horoshop did not apply it"
		if presenceSent == "" {
			why = "the shop's catalog shows no text for that availability to write"
		}
		return marketplace.Reject("catalog/import answered %q, but catalog/export shows presence %q with %d units pushed: %s; a shop that keeps warehouse accounting takes stock only per warehouse (set the store's warehouse)",
			answer, presence, q, why)
	}
	// Without warehouse accounting quantity reads 0 on every product
	// (IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md); another
	// number that is not the one sent is a ledger that ignored it.
	if n, ok := got.Stock(); ok && n != 0 && n != q {
		return marketplace.Reject("catalog/import answered %q, but catalog/export still shows quantity %d, not %d: the shop keeps warehouse accounting, which takes stock only per warehouse (set the store's warehouse)",
			answer, n, q)
	}
	return nil
}

// presenceFits: a product with stock must show in stock; one without must
// not (made to order, awaited or the shop's own texts stay as they are).
func presenceFits(presence string, q int) bool {
	k := transform.PresenceKind(presence)
	if q > 0 {
		return k == transform.AvailabilityInStock
	}
	return k != transform.AvailabilityInStock
}

// learnPresence keeps the commonest text the shop uses for in stock and
// for out of stock among products.
func (p *Pusher) learnPresence(products map[string]client.CatalogProduct) {
	counts := map[string]int{}
	for _, pr := range products {
		if t := strings.TrimSpace(string(pr.Presence)); t != "" {
			counts[t]++
		}
	}
	p.remember(counts)
}

func (p *Pusher) remember(counts map[string]int) {
	best := map[transform.Availability]string{}
	for text, n := range counts {
		k := transform.PresenceKind(text)
		if k != transform.AvailabilityInStock && k != transform.AvailabilityOutOfStock {
			continue
		}
		if b, ok := best[k]; !ok || n > counts[b] || (n == counts[b] && text < b) {
			best[k] = text
		}
	}
	for k, text := range best {
		if _, known := p.presence[k]; !known {
			p.presence[k] = text
		}
	}
}

// presenceText is the shop's own text for want: from the products seen so
// far, else from one look at the catalog's first page. "" when the shop
// shows none (then presence is not sent, and verify says why).
func (p *Pusher) presenceText(ctx context.Context, want transform.Availability) (string, error) {
	if t, ok := p.presence[want]; ok || p.learned {
		return t, nil
	}
	counts, err := p.client.PresenceTexts(ctx)
	if err != nil {
		return "", err
	}
	p.learned = true
	p.remember(counts)
	return p.presence[want], nil
}

// importAnswers lines the import log up with the products sent: by
// article, or by position for entries that name none.
func importAnswers(products []client.ImportProduct, logs []client.ImportLog) []client.ImportLog {
	byArticle := make(map[string]client.ImportLog, len(logs))
	for _, l := range logs {
		if l.Article != "" {
			byArticle[l.Article] = l
		}
	}
	out := make([]client.ImportLog, len(products))
	for k, pr := range products {
		if l, ok := byArticle[pr.Article]; ok {
			out[k] = l
		} else if k < len(logs) && logs[k].Article == "" {
			out[k] = logs[k]
		}
	}
	return out
}

func answerText(l client.ImportLog) string {
	if t := strings.TrimSpace(l.Text()); t != "" {
		return t
	}
	if l.Status != "" {
		return l.Status
	}
	return "no log entry"
}
