package horoshop

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	wire "github.com/kramar/kramar/extractors/horoshop"
)

// catalog/import log codes: 0 updated, 6 title required (what creating a
// product without one answers), 11 unknown field (as listed in
// IgorShutko/horoshop-claude-skill references/api_quickref.md). 2 (a value
// the shop does not take) is the sandbox's own: no public list gives a code
// for it.
const (
	importUpdated       = 0
	importBadValue      = 2
	importTitleRequired = 6
	importUnknownField  = 11
)

// msgProductUpdated is catalog/import's per-product answer, whatever the
// import did or did not change (IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md: every trap there "answers «Товар
// обновлен»").
const msgProductUpdated = "Товар обновлен"

// importFields are the product fields the sandbox's catalog/import takes.
var importFields = []string{"article", "presence", "quantity", "residues"}

// handleCatalogImport updates products by article. The real
// function is an upsert; creating a product needs a title and more, so
// here an unknown article is refused with code 6 and only existing
// products change. More than ImportBatchMax products a call is refused
// whole: the real shop drops such posts (a POST over about 130 KB
// aborts, IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md).
//
// Stock follows the shop's warehouse accounting. Without it, quantity and
// presence (one of the shop's own texts) are applied and residues are
// ignored. With it, stock moves only through residues (per warehouse;
// an unknown warehouse is refused as catalog/importResidues refuses it),
// while quantity and presence are taken, answered «Товар обновлен», and
// change nothing (ecomkit-com-ua/horoshop-mcp src/tools/catalog.ts:
// "residues … only works when warehouse tracking is on; presence only works
// when it is off"; IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md:
// "import quantity:5 → export still 0").
func (s *Sandbox) handleCatalogImport(w http.ResponseWriter, r *http.Request) {
	items, read := requiredList[map[string]json.RawMessage](w, r, "products")
	if !read {
		return
	}
	if len(items) > wire.ImportBatchMax {
		fail(w, "Too many products in one request: at most "+strconv.Itoa(wire.ImportBatchMax))
		return
	}
	st := s.stores.Of(r)
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
	if raw, ok := item["quantity"]; ok && (json.Unmarshal(raw, &p.Quantity) != nil || p.Quantity == nil || *p.Quantity < 0) {
		return refuse(importBadValue, "quantity must be a non-negative integer")
	}
	if raw, ok := item["residues"]; ok && !validResidues(raw, &p.Residues) {
		return refuse(importBadValue, "residues must be a list of {warehouse, quantity} with a non-negative integer quantity")
	}
	_, hasPresence := item["presence"]
	if hasPresence && json.Unmarshal(item["presence"], &p.Presence) != nil {
		return refuse(importBadValue, "presence must be text")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.productIndex(p.Article)
	if i < 0 {
		return refuse(importTitleRequired, "Product "+p.Article+" does not exist; title is required to create it")
	}
	if s.accounting() {
		for _, r := range p.Residues {
			if !slices.Contains(s.warehouses, r.Warehouse) {
				return refuse(importBadValue, "Warehouse "+r.Warehouse+" is not defined")
			}
		}
		for _, r := range p.Residues {
			s.ledger[p.Article][r.Warehouse] = r.Quantity
		}
		s.restock(i)
	} else {
		if hasPresence && !slices.Contains(s.presences, p.Presence) {
			return refuse(importBadValue, "presence must be one of the shop's availability texts")
		}
		if p.Presence != "" {
			s.products[i].Presence = wire.Text(p.Presence)
		}
		if p.Quantity != nil {
			s.products[i].Quantity = json.Number(strconv.Itoa(*p.Quantity))
		}
	}
	return wire.ImportLog{Article: p.Article, Code: wire.Text(strconv.Itoa(importUpdated)), Status: wire.StatusOK, LogMessage: wire.LogMessage{Message: msgProductUpdated}}
}

// validResidues reads residues; every entry needs a warehouse and a
// non-negative whole quantity.
func validResidues(raw json.RawMessage, out *[]wire.Residue) bool {
	var list []struct {
		Warehouse *string `json:"warehouse"`
		Quantity  *int    `json:"quantity"`
	}
	if json.Unmarshal(raw, &list) != nil {
		return false
	}
	for _, r := range list {
		if r.Warehouse == nil || *r.Warehouse == "" || r.Quantity == nil || *r.Quantity < 0 {
			return false
		}
		*out = append(*out, wire.Residue{Warehouse: *r.Warehouse, Quantity: *r.Quantity})
	}
	return true
}

// handleImportResidues is catalog/importResidues, the outdated stock call
// ("Import of product stock",
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183458):
// products[]{article, warehouse, quantity}, a log entry per product
// ({article, status, message}; an unknown warehouse is "Warehouse affice is
// not defined" in the wiki's example), WARNING when some failed. Without
// warehouse accounting the shop has no ledger to write: the entries are
// answered UPDATED and change nothing, as residues in catalog/import.
func (s *Sandbox) handleImportResidues(w http.ResponseWriter, r *http.Request) {
	items, read := requiredList[wire.ResidueImport](w, r, "products")
	if !read {
		return
	}
	st := s.stores.Of(r)
	logs := make([]wire.ImportLog, len(items))
	failed := 0
	st.mu.Lock()
	for n, it := range items {
		logs[n] = wire.ImportLog{Article: it.Article, Status: wire.StatusOK, LogMessage: wire.LogMessage{Message: "UPDATED"}}
		i := st.productIndex(it.Article)
		msg := ""
		switch {
		case i < 0:
			msg = "Product " + it.Article + " is not found"
		case it.Quantity < 0:
			msg = "quantity must be a non-negative integer"
		case !st.accounting():
		case !slices.Contains(st.warehouses, it.Warehouse):
			msg = "Warehouse " + it.Warehouse + " is not defined"
		default:
			st.ledger[it.Article][it.Warehouse] = it.Quantity
			st.restock(i)
		}
		if msg != "" {
			logs[n].Status, logs[n].Message = wire.StatusError, msg
			failed++
		}
	}
	st.mu.Unlock()
	status := wire.StatusOK
	if failed > 0 {
		status = wire.StatusWarning
	}
	answer(w, status, wire.ImportResponse{Log: logs})
}
