// Package epicentr registers the Epicentr Marketplace connector.
package epicentr

import (
	"encoding/json"
	"fmt"

	client "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/pipeline/connectors"
	transform "github.com/kramar/kramar/transforms/epicentr"
)

func init() {
	connectors.Register(connectors.Connector{
		Marketplace: transform.Marketplace,
		DisplayName: "Epicentr",
		Open:        connectors.Opens(client.NewClient),
		Transform:   transform.Transform,
		RecordID:    transform.RecordID,
		Wire:        client.Order{}, OrdersEndpoint: "GET /v3/oms/orders",
		TransformVersion: "2",
		Records:          records,
		Pusher:           connectors.Pushes(NewPusher),
	})
}

// records accepts a /v3/oms/orders page ({"items":[…]}), a details answer
// (bare, or wrapped in {"data": …}) or a bare order. An order has its own
// "items" (its lines), so the top-level "id" tells the two apart.
func records(payload []byte) ([]json.RawMessage, error) {
	if !json.Valid(payload) {
		return nil, fmt.Errorf("not an Epicentr payload: invalid JSON")
	}
	if _, isOrder := source.PeekField(payload, "id"); !isOrder {
		if d, ok := source.PeekField(payload, "data"); ok && len(d) > 0 && d[0] == '{' {
			return []json.RawMessage{d}, nil
		}
		var page client.OrderList
		if json.Unmarshal(payload, &page) == nil && page.Items != nil {
			return page.Items, nil
		}
	}
	return []json.RawMessage{payload}, nil
}
