// Package prom registers the Prom.ua connector.
package prom

import (
	"encoding/json"
	"fmt"

	client "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
	transform "github.com/kramar/kramar/transforms/prom"
)

func init() {
	connectors.Register(connectors.Connector{
		Marketplace: transform.Marketplace,
		DisplayName: "Prom",
		Open:        connectors.Opens(newClient),
		Transform:   transform.Transform,
		RecordID:    transform.RecordID,
		Wire:        client.Order{}, OrdersEndpoint: "GET /orders/list",
		// 2: a custom status ("custom-<id>") maps by its label too.
		TransformVersion: "2",
		// A new Prom order is "pending" until the seller accepts it
		// ("received", accepted for processing): auto_accept does that.
		Capabilities: config.Capabilities{Accept: config.StatusRule{Status: "pending", To: "received"},
			Options: config.NewOptions[transform.Options]},
		Records: records,
		Pusher:  connectors.Pushes(NewPusher),
	})
}

// newClient opens the store's client, answering in the store's language.
func newClient(c source.Config) *client.Client {
	return client.NewClient(c, client.WithLanguage(canon.OptionsOf[transform.Options](c.Options).Language))
}

// records accepts an /orders/list page, an /orders/{id} envelope or a bare order.
func records(payload []byte) ([]json.RawMessage, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("not a Prom payload: %w", err)
	}
	if _, ok := probe["orders"]; ok {
		var l client.OrderList
		if err := json.Unmarshal(payload, &l); err != nil {
			return nil, fmt.Errorf("orders list: %w", err)
		}
		return l.Orders, nil
	}
	if one, ok := probe["order"]; ok {
		return []json.RawMessage{one}, nil
	}
	return []json.RawMessage{payload}, nil
}
