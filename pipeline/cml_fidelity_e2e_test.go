package pipeline_test

import (
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/zakupka"
)

// TestCML1CExportFidelity loads a 20-order export in the shapes 1C writes
// (lines priced with Цена, units as Единица elements, Налоги per line with
// VAT both inside and on top of the sums, line discounts; CML 3.1 with one
// Контейнер per document, a UTF-8 BOM and fixed-width padding, and CML
// 2.09 in urn:1C.ru:commerceml_2) through the real pipeline: every order
// arrives, none is rejected, and the warehouse's totals and line amounts
// are the document's to the kopeck.
func TestCML1CExportFidelity(t *testing.T) {
	for _, c := range []struct {
		name       string
		opts       zakupka.StoreOptions
		must, none []string // in the raw file
	}{
		{"cml31_bom_containers_padded", zakupka.StoreOptions{Schema: zakupka.Schema31, BOM: true, Padded: true},
			[]string{"\xef\xbb\xbf<?xml", `xmlns="urn:1C.ru:commerceml_3"`, "<Контейнер>", "<Цена>", "<Единица>", "<Налоги>", "<Ид>796 </Ид>"},
			[]string{"<ЦенаЗаЕдиницу>", "<БазоваяЕдиница"}},
		{"cml209_namespace", zakupka.StoreOptions{Schema: zakupka.Schema209, Padded: true},
			[]string{`xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.09"`, "<Цена>", "<Единица>", "<Налоги>", "<Скидки>"},
			[]string{"<ЦенаЗаЕдиницу>", "<БазоваяЕдиница", "<Контейнер>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			const key = "onec-key-S3CR3T"
			clock := kit.NewClock(pipelinetest.Start)
			sb := zakupka.New(zakupka.Options{Clock: clock, Seed: 12})
			c.opts.Key, c.opts.Orders = key, 20
			sb.AddStore(c.opts)
			clock.Advance(time.Minute)
			t.Setenv("ONEC_FILE_KEY", key)
			m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{{ID: "zk-1c", Sandbox: sb,
				YAML: "marketplace: zakupka\nbase_url: {url}" + zakupka.OrdersPath + "\ntoken_env: ONEC_FILE_KEY\nall_statuses: true\norder_type: Роздріб\norder_source: 1C\ntimeout: " + zakupka.TestTimeout}}, "")

			// The export really is in the 1C shape.
			resp, err := http.Get(m.URL("zk-1c") + zakupka.OrdersPath + "?key=" + key)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, s := range c.must {
				if !strings.Contains(string(raw), s) {
					t.Fatalf("the export lacks %q", s)
				}
			}
			for _, s := range c.none {
				if strings.Contains(string(raw), s) {
					t.Fatalf("the export holds %q", s)
				}
			}

			res := m.Run(t.Context(), pipeline.JobOrders)
			if len(res) != 1 || !res["zk-1c"].OK() || res["zk-1c"].Rejected != 0 {
				t.Fatalf("run: %+v", res)
			}
			if got := m.Query(`SELECT count() FROM {db}.rejects`); len(got) != 1 || got[0] != "0" {
				t.Fatalf("rejects: %v, want 0", got)
			}

			wantOrders, wantItems := oneCTruth(t, sb.Orders(sb.StoreID(key)))
			if len(wantOrders) != 20 {
				t.Fatalf("the sandbox holds %d orders, want 20", len(wantOrders))
			}
			gotOrders := pipelinetest.Fixed(m.Query(`SELECT external_id, toString(full_amount), toString(amount), toString(delivery_cost), items_count
				FROM {db}.v_orders WHERE store = 'zk-1c' ORDER BY external_id`), 1, 2, 3)
			gotItems := pipelinetest.Fixed(m.Query(`SELECT order_id, line, product_id, unit, toString(total)
				FROM {db}.v_order_items WHERE store = 'zk-1c' ORDER BY order_id, line`), 4)
			if strings.Join(gotOrders, "\n") != strings.Join(wantOrders, "\n") {
				t.Errorf("orders (id, full amount, amount, delivery, lines):\n%s\nwant the document's\n%s", strings.Join(gotOrders, "\n"), strings.Join(wantOrders, "\n"))
			}
			if strings.Join(gotItems, "\n") != strings.Join(wantItems, "\n") {
				t.Errorf("lines (order, line, product, unit, total):\n%s\nwant the document's\n%s", strings.Join(gotItems, "\n"), strings.Join(wantItems, "\n"))
			}
		})
	}
}

// oneCTruth reads, from the documents the sandbox served and independently
// of the transform, what the warehouse must hold: per order its id, total
// (the document's Сумма), goods amount, delivery and number of goods lines;
// per goods line what the buyer pays for it (Сумма, plus taxes outside it,
// minus discounts not yet taken off). It also checks the document adds up.
func oneCTruth(t *testing.T, docs []cml.Document) (orders, items []string) {
	t.Helper()
	var onTop, discounts int
	for _, d := range docs {
		full := pipelinetest.Decimal(t, d.Sum)
		goods, delivery := decimal.Zero, decimal.Zero
		line := 0
		for _, it := range d.Items {
			pay := pipelinetest.Decimal(t, it.Sum)
			for _, tx := range it.Taxes {
				if strings.TrimSpace(tx.Included) == "false" {
					pay = pay.Add(pipelinetest.Decimal(t, tx.Sum))
					if !pipelinetest.Decimal(t, tx.Sum).IsZero() {
						onTop++
					}
				}
			}
			for _, dc := range it.Discounts {
				discounts++
				if strings.TrimSpace(dc.Included) == "false" {
					pay = pay.Sub(pipelinetest.Decimal(t, dc.Sum))
				}
			}
			if strings.TrimSpace(it.ID) == "ORDER_DELIVERY" {
				delivery = delivery.Add(pay)
				continue
			}
			goods = goods.Add(pay)
			unit := strings.TrimSpace(it.Measure.ShortName)
			items = append(items, strings.Join([]string{d.Key(), strconv.Itoa(line), strings.TrimSpace(it.ID), unit, pay.StringFixed(2)}, "\t"))
			line++
		}
		if !goods.Add(delivery).Equal(full) {
			t.Fatalf("document %s: lines %s + delivery %s ≠ Сумма %s", d.Key(), goods, delivery, full)
		}
		orders = append(orders, strings.Join([]string{d.Key(), full.StringFixed(2), goods.StringFixed(2), delivery.StringFixed(2), strconv.Itoa(line)}, "\t"))
	}
	if onTop == 0 || discounts == 0 {
		t.Fatalf("the export needs VAT on top (%d lines) and discounts (%d)", onTop, discounts)
	}
	sort.Strings(orders)
	sort.Strings(items)
	return orders, items
}
