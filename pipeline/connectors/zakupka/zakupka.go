// Package zakupka registers the Zakupka.com connector: orders from a
// CommerceML orders file or the 1C exchange protocol, one-way (Zakupka takes
// no status back), New orders only unless the store asks for all.
package zakupka

import (
	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
	transform "github.com/kramar/kramar/transforms/cml"
)

func init() {
	connectors.Register(connectors.Connector{
		Marketplace: transform.Marketplace,
		DisplayName: "Zakupka",
		Open: func(c source.Config) source.Orders {
			if canon.OptionsOf[transform.Options](c.Options).Protocol == transform.ProtocolExchange {
				return cml.NewExchange(c)
			}
			return cml.NewOrdersFile(c)
		},
		Transform: transform.Transform,
		RecordID:  transform.RecordID,
		Wire:      cml.Document{}, OrdersEndpoint: "CommerceML orders",
		// 2: lines priced with Цена and units in Единица (1C's CML 2.08+ and
		// 3.x) load; taxes outside and discounts not yet in a line's Сумма
		// move its total; a line's price is what the buyer pays per unit.
		TransformVersion: "2",
		Capabilities: config.Capabilities{Login: true, CredentialsOptional: true, NeedsBaseURL: true,
			Options: config.NewOptions[transform.Options]},
		Records: cml.Records,
		// Platforms without an order API whose sellers export CommerceML
		// orders read them through this connector under their own name.
		Platforms:    []string{"allo", "hubber", "skidka", "allbiz", "shafa"},
		PlatformHint: "if it exports CommerceML orders, set protocol",
	})
}
