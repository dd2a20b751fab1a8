// Package rozetka registers the Rozetka connector.
package rozetka

import (
	"encoding/json"
	"fmt"

	client "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	transform "github.com/kramar/kramar/transforms/rozetka"
)

func init() {
	connectors.Register(connectors.Connector{
		Marketplace:      transform.Marketplace,
		DisplayName:      "Rozetka",
		Open:             connectors.Opens(client.NewClient),
		Transform:        transform.Transform,
		TransformProduct: transform.TransformProduct,
		RecordID:         transform.RecordID,
		Wire:             client.Order{}, OrdersEndpoint: "GET /orders/search",
		ProductWire: client.GoodsItem{}, ProductsEndpoint: "GET /goods/all",
		TransformVersion: "2",
		Capabilities:     config.Capabilities{Login: true, Options: config.NewOptions[transform.Options]},
		Records:          records,
		Pusher:           connectors.Pushes(NewPusher),
	})
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
