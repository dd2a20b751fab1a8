// Package zakupka registers the Zakupka.com connector: orders from a
// CommerceML orders file or the 1C exchange protocol, one-way (Zakupka takes
// no status back), New orders only unless the store asks for all.
package zakupka

import (
	"encoding/json"
	"errors"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
	transform "github.com/kramar/kramar/transforms/cml"
	"github.com/kramar/kramar/transforms/mapping"
)

func init() {
	// Platforms without an order API whose sellers export CommerceML orders
	// read them through this connector under their own name.
	for _, m := range []string{"allo", "hubber", "skidka", "allbiz", "shafa"} {
		config.RegisterMarketplace(m, config.Capabilities{CML: true})
	}
	connectors.Register(connectors.Connector{
		Marketplace: transform.Marketplace,
		Open: func(c source.Config) source.Orders {
			if c.Protocol == "1c_exchange" {
				return cml.NewExchange(c)
			}
			return cml.NewOrdersFile(c)
		},
		Transform: func(raw json.RawMessage, sc connectors.StoreContext) (canon.Order, error) {
			o, err := transform.Transform(raw, transform.StoreContext{
				Marketplace: sc.Marketplace, Store: sc.Store, OrderType: sc.OrderType, OrderSource: sc.OrderSource,
				// Only New orders is Zakupka's own rule (as its integration
				// imports them); other platforms' CommerceML gives every status.
				Mappings: mapping.Tables(sc.Mappings), OnlyNew: !sc.AllStatuses && sc.Marketplace == transform.Marketplace,
			})
			if errors.Is(err, transform.ErrSkipped) {
				return o, connectors.ErrSkipped
			}
			return o, err
		},
		RecordID: transform.RecordID,
		Wire:     cml.Document{}, OrdersEndpoint: "CommerceML orders",
		// 2: lines priced with Цена and units in Единица (1C's CML 2.08+ and
		// 3.x) load; taxes outside and discounts not yet in a line's Сумма
		// move its total; a line's price is what the buyer pays per unit.
		TransformVersion: "2",
		Capabilities:     config.Capabilities{Login: true, CredentialsOptional: true, NeedsBaseURL: true, CML: true},
		Records:          cml.Records,
		ReadsCommerceML:  true,
	})
}
