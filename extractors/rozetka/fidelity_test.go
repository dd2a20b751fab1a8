package rozetka_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
)

// cannedClient answers every path with the content bodies[path] in the
// success envelope, as the apidoc's examples show it.
func cannedClient(t *testing.T, bodies map[string]string) *rozetka.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"success":true,"content":%s}`, body)
	}))
	t.Cleanup(srv.Close)
	return rozetka.NewClient(source.Config{Store: "rz-canned", BaseURL: srv.URL, Token: "t", HTTP: httpx.Options{MaxAttempts: 1}})
}

// /market-payment-methods/list answers content.payment_methods[], snake
// case and without _meta; its items have no title
// (GERA-OneTeam/Rozetka-API-Seller docs/categories/marketpaymentmethods.md
// L129-227). The values are made up; the shape is the example's.
func TestPaymentMethodsReadTheDocumentedList(t *testing.T) {
	c := cannedClient(t, map[string]string{"/market-payment-methods/list": `{"payment_methods":[
		{"id":1,"name":"Готівкою","description":"Оплата при отриманні.","is_auto_hold":false,"must_has_keys":false,"has_keys":false,"status":1,"legal_person":null,"has_active_dc":true},
		{"id":2,"name":"Безготівково","description":null,"is_auto_hold":false,"must_has_keys":false,"has_keys":false,"status":1,
		 "legal_person":{"id":7,"full_name":"ФОП Тестовий","status":"activated","status_title":"Активний"},"has_active_dc":true},
		{"id":4682,"name":"Вимкнений","description":null,"is_auto_hold":true,"must_has_keys":false,"has_keys":false,"status":0,"legal_person":null,"has_active_dc":false}]}`})
	got, err := c.PaymentMethods(context.Background())
	if err != nil || len(got) != 3 {
		t.Fatalf("payment methods: %d %v", len(got), err)
	}
	if got[1].Name != "Безготівково" || got[1].Description != "" || got[1].LegalPerson == nil || got[1].LegalPerson.FullName != "ФОП Тестовий" ||
		!bool(got[2].IsAutoHold) || got[2].Status != 0 || got[0].Description != "Оплата при отриманні." {
		t.Fatalf("decoded %+v", got)
	}
}

// mdm_id is a String in the DeliveryService model (deliverymanagement.md
// L68); a number is read too, and its absence (the example) is fine.
func TestDeliveryServicesMdmIDIsAString(t *testing.T) {
	c := cannedClient(t, map[string]string{"/delivery-services/search": `{"deliveryServices":[
		{"id":5,"name":"Сторонніми службами","type":1,"status":1,"can_edit":false,"can_use":true,"is_default":true},
		{"id":6,"name":"Нова Пошта","type":0,"status":1,"mdm_id":"a1b2-c3","can_edit":false,"can_use":true,"is_default":false},
		{"id":7,"name":"Укрпошта","type":0,"status":1,"mdm_id":1042,"can_edit":false,"can_use":true,"is_default":false}],
		"_meta":{"totalCount":3,"pageCount":1,"currentPage":1,"perPage":20}}`})
	got, err := c.DeliveryServices(context.Background())
	if err != nil || len(got) != 3 || got[0].MdmID != "" || got[1].MdmID != "a1b2-c3" || got[2].MdmID != "1042" {
		t.Fatalf("delivery services: %+v %v", got, err)
	}
}

func TestSandboxPaymentMethodsAndOptions(t *testing.T) {
	f := newFixture(t, 0, 5, source.Config{})
	ctx := context.Background()
	pm, err := f.client.PaymentMethods(ctx)
	if err != nil || len(pm) == 0 {
		t.Fatalf("payment methods: %d %v", len(pm), err)
	}
	if n := f.sb.Recorder().Count("/market-payment-methods/list"); n != 1 {
		t.Fatalf("%d requests for a list without _meta, want 1", n)
	}
	opts, err := f.client.Options(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var payments []canon.Option
	for _, o := range opts {
		if o.Kind == canon.OptionPayment {
			payments = append(payments, o)
		}
	}
	if len(payments) != len(pm) || payments[0].Name != pm[0].Name || !payments[0].Active {
		t.Fatalf("payment options %+v for %d methods", payments, len(pm))
	}
	withEntity := false
	for _, p := range payments {
		withEntity = withEntity || p.Extra != ""
	}
	if !withEntity {
		t.Error("no payment option names its legal entity")
	}
	ds, err := f.client.DeliveryServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mdm := 0
	for _, d := range ds {
		if d.MdmID != "" {
			mdm++
		}
	}
	if mdm == 0 || mdm == len(ds) {
		t.Errorf("%d of %d delivery services carry mdm_id; want some", mdm, len(ds))
	}
}

// Every order read asks for the carrier expand: the waybill of ROZETKA
// Delivery and Meest parcels is there (orders.md L750-755).
func TestOrderReadsAskForTheCarrierExpand(t *testing.T) {
	f := newFixture(t, 200, 0, source.Config{})
	ctx := context.Background()
	var carried *rozetka.Order
	for id, body := range sourcetest.Bodies(t, f.client, testNow.Add(-8*24*time.Hour), testNow) {
		var o rozetka.Order
		if err := decode.Into(body, &o); err != nil {
			t.Fatal(err)
		}
		if o.Carrier == nil {
			t.Fatalf("order %s came without its carrier block: %s", id, body)
		}
		if o.Carrier.CarrierTrackNum != "" && carried == nil {
			carried = &o
		}
	}
	if carried == nil {
		t.Fatal("no carrier-managed parcel among 200 orders")
	}
	if carried.TTN != "" || carried.Delivery == nil || carried.Delivery.NameLogo != "octopus" {
		t.Fatalf("carrier-managed order %d: ttn %q, delivery %+v", carried.ID, carried.TTN, carried.Delivery)
	}
	if _, err := f.client.Get(ctx, strconv.FormatInt(carried.ID, 10)); err != nil {
		t.Fatal(err)
	}
	reqs := f.sb.Recorder().Requests()
	for _, r := range reqs {
		if r.Path != "/orders/search" && !strings.HasPrefix(r.Path, "/orders/") {
			continue
		}
		q, _ := url.ParseQuery(r.RawQuery)
		if !strings.Contains(","+q.Get("expand")+",", ",carrier,") {
			t.Errorf("%s?%s does not ask for carrier", r.Path, r.RawQuery)
		}
	}
}

// Goods carry sync_source (apiitems.md L225-230); GoodsByID reads items by
// rz_item_id, one call each, and leaves out ids the store has not got.
func TestGoodsCarryTheirStockSource(t *testing.T) {
	f := newFixture(t, 0, 40, source.Config{})
	ctx := context.Background()
	var feed, api int
	err := f.client.Goods(ctx, 0, func(items []rozetka.GoodsItem) error {
		for _, g := range items {
			switch {
			case g.SyncSource == nil || g.SyncSourceID != g.SyncSource.ID:
				return fmt.Errorf("item %d: sync_source %+v, sync_source_id %d", g.RzItemID, g.SyncSource, g.SyncSourceID)
			case g.StockByFeed():
				feed++
			case g.SyncSource.Availability == rozetka.StockByAPI:
				api++
			}
		}
		return nil
	})
	if err != nil || feed == 0 || api == 0 || feed+api != 40 {
		t.Fatalf("goods: %d by the feed, %d by the API: %v", feed, api, err)
	}
	truth := f.sb.Goods(f.store)
	byFeed, byAPI := truth[len(truth)-1], truth[0]
	f.sb.Recorder().Reset()
	got, err := f.client.GoodsByID(ctx, []int64{byFeed.RzItemID, byAPI.RzItemID, 123})
	if err != nil || len(got) != 2 || !got[byFeed.RzItemID].StockByFeed() || got[byAPI.RzItemID].StockByFeed() {
		t.Fatalf("by id: %+v %v", got, err)
	}
	if n := f.sb.Recorder().Count("/goods/all"); n != 3 {
		t.Fatalf("%d /goods/all calls for 3 ids", n)
	}
}
