// Package rozetka registers the Rozetka connector.
package rozetka

import (
	"encoding/json"
	"fmt"

	client "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/mapping"
	transform "github.com/kramar/kramar/transforms/rozetka"
)

func init() {
	connectors.Register(connectors.Connector{
		Marketplace: transform.Marketplace,
		Open:        func(c source.Config) source.Orders { return client.NewClient(c) },
		Transform: func(raw json.RawMessage, sc connectors.StoreContext) (canon.Order, error) {
			return transform.Transform(raw, storeContext(sc))
		},
		TransformProduct: func(raw json.RawMessage, sc connectors.StoreContext) (canon.Product, error) {
			return transform.TransformProduct(raw, storeContext(sc))
		},
		RecordID: transform.RecordID,
		Wire:     client.Order{}, OrdersEndpoint: "GET /orders/search",
		ProductWire: client.GoodsItem{}, ProductsEndpoint: "GET /goods/all",
		TransformVersion: "2",
		Capabilities:     config.Capabilities{Login: true, Keys: []string{"customer_cancel_status"}},
		Records:          records,
		Pusher:           func(c source.Config) marketplace.Pusher { return NewPusher(c) },
	})
}

func storeContext(sc connectors.StoreContext) transform.StoreContext {
	return transform.StoreContext{
		Marketplace: sc.Marketplace, Store: sc.Store, OrderType: sc.OrderType, OrderSource: sc.OrderSource,
		Mappings: mapping.Tables(sc.Mappings), CustomerCancelStatus: sc.CustomerCancelStatus,
	}
}

// records accepts a /orders/search answer (envelope or content), an
// /orders/{id} answer, or a bare order.
func records(payload []byte) ([]json.RawMessage, error) {
	var env client.Envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, fmt.Errorf("not a Rozetka payload: %w", err)
	}
	if len(env.Content) > 0 {
		payload = env.Content
	}
	var search client.OrderSearch
	if json.Unmarshal(payload, &search) == nil && search.Orders != nil {
		return search.Orders, nil
	}
	return []json.RawMessage{payload}, nil
}
