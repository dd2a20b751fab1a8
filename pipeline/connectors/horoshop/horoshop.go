// Package horoshop registers the Horoshop connector.
package horoshop

import (
	"encoding/json"
	"fmt"

	client "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	transform "github.com/kramar/kramar/transforms/horoshop"
)

func init() {
	connectors.Register(connectors.Connector{
		Marketplace:      transform.Marketplace,
		DisplayName:      "Horoshop",
		Open:             connectors.Opens(client.NewClient),
		Transform:        transform.Transform,
		TransformProduct: transform.TransformProduct,
		RecordID:         transform.RecordID,
		Wire:             client.Order{}, OrdersEndpoint: "POST /api/orders/get",
		ProductWire: client.CatalogProduct{}, ProductsEndpoint: "POST /api/catalog/export",
		TransformVersion: "2",
		Capabilities:     config.Capabilities{Login: true, Options: config.NewOptions[transform.Options]},
		Records:          records,
		Pusher:           connectors.Pushes(newPusher),
	})
}

// records accepts an orders/get answer (the envelope or its response), a
// list of orders, or a bare order.
func records(payload []byte) ([]json.RawMessage, error) {
	var probe any
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("not a Horoshop payload: %w", err)
	}
	var list []json.RawMessage
	if json.Unmarshal(payload, &list) == nil {
		return list, nil
	}
	var env client.Envelope
	if json.Unmarshal(payload, &env) == nil && env.Status != "" {
		if env.Status == client.StatusEmpty {
			return nil, nil
		}
		payload = env.Response
	}
	var orders client.OrderList
	if json.Unmarshal(payload, &orders) == nil && orders.Orders != nil {
		return orders.Orders, nil
	}
	return []json.RawMessage{payload}, nil
}
