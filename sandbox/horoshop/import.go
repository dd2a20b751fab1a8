package horoshop

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	wire "github.com/kramar/kramar/extractors/horoshop"
)

// catalog/import log codes: 0 updated, 6 title required (what creating a
// product without one answers), 11 unknown field (§1.7). 2 (a value the
// shop does not take) is the sandbox's own: the reference lists no code
// for it.
const (
	importUpdated       = 0
	importBadValue      = 2
	importTitleRequired = 6
	importUnknownField  = 11
)

// importFields are the product fields the sandbox's catalog/import takes.
var importFields = []string{"article", "presence", "quantity"}

// handleCatalogImport updates products by article (§1.7). The real
// function is an upsert; creating a product needs a title and more, so
// here an unknown article is refused with code 6 and only existing
// products change. More than ImportBatchMax products a call is refused
// whole: the real shop drops such posts (§1.9).
func (s *Sandbox) handleCatalogImport(w http.ResponseWriter, r *http.Request) {
	var items []map[string]json.RawMessage
	if !decodeParam(r, "products", &items) || len(items) == 0 {
		fail(w, "Parameter products is required and must be a non-empty array")
		return
	}
	if len(items) > wire.ImportBatchMax {
		fail(w, "Too many products in one request: at most "+strconv.Itoa(wire.ImportBatchMax))
		return
	}
	st := s.storeOfRequest(r)
	logs := make([]wire.ImportLog, len(items))
	failed := 0
	for i, item := range items {
		logs[i] = st.importProduct(item)
		if logs[i].Failed() {
			failed++
		}
	}
	status := wire.StatusOK
	if failed > 0 {
		status = wire.StatusWarning
	}
	answer(w, status, wire.ImportResponse{Log: logs})
}

// importProduct checks and applies one product of catalog/import.
func (s *store) importProduct(item map[string]json.RawMessage) wire.ImportLog {
	var p wire.ImportProduct
	_ = json.Unmarshal(item["article"], &p.Article)
	refuse := func(code int, msg string) wire.ImportLog {
		return wire.ImportLog{Article: p.Article, Code: wire.Text(strconv.Itoa(code)), Status: wire.StatusError, LogMessage: wire.LogMessage{Message: msg}}
	}
	for key := range item {
		if !slices.Contains(importFields, key) {
			return refuse(importUnknownField, "Unknown field "+key)
		}
	}
	if p.Article == "" {
		return refuse(importBadValue, "article is required")
	}
	if raw, ok := item["presence"]; ok && (json.Unmarshal(raw, &p.Presence) != nil || !slices.Contains(presences, p.Presence)) {
		return refuse(importBadValue, "presence must be one of the shop's availability texts")
	}
	if raw, ok := item["quantity"]; ok && (json.Unmarshal(raw, &p.Quantity) != nil || p.Quantity == nil || *p.Quantity < 0) {
		return refuse(importBadValue, "quantity must be a non-negative integer")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.products, func(c wire.CatalogProduct) bool { return c.Article == p.Article })
	if i < 0 {
		return refuse(importTitleRequired, "Product "+p.Article+" does not exist; title is required to create it")
	}
	if p.Presence != "" {
		s.products[i].Presence = wire.Text(p.Presence)
	}
	if p.Quantity != nil {
		s.products[i].Quantity = json.Number(strconv.Itoa(*p.Quantity))
	}
	return wire.ImportLog{Article: p.Article, Code: wire.Text(strconv.Itoa(importUpdated)), Status: wire.StatusOK, LogMessage: wire.LogMessage{Message: "UPDATED"}}
}
