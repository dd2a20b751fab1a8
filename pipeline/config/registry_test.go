package config

import (
	"github.com/kramar/kramar/transforms/cml"
	"github.com/kramar/kramar/transforms/horoshop"
	"github.com/kramar/kramar/transforms/prom"
	"github.com/kramar/kramar/transforms/rozetka"
)

// The connectors declare their marketplaces' capabilities when they
// register (pipeline/connectors/<name>); this package's tests cannot import
// them (they import this package), so the same declarations stand here,
// with the same options types. cmd/kramar's tests check the example config
// against the real ones.
func init() {
	RegisterMarketplace("prom", Capabilities{Orders: true, Push: true, Accept: StatusRule{Status: "pending", To: "received"},
		Options: NewOptions[prom.Options]})
	RegisterMarketplace("rozetka", Capabilities{Orders: true, Push: true, Login: true, Options: NewOptions[rozetka.Options]})
	RegisterMarketplace("horoshop", Capabilities{Orders: true, Push: true, Login: true, Options: NewOptions[horoshop.Options]})
	RegisterMarketplace("epicentr", Capabilities{Orders: true, Push: true})
	cmlOptions := NewOptions[cml.Options]
	RegisterMarketplace("zakupka", Capabilities{Orders: true, Login: true, CredentialsOptional: true, NeedsBaseURL: true, Options: cmlOptions})
	for _, m := range []string{"allo", "hubber", "skidka", "allbiz", "shafa"} {
		RegisterMarketplace(m, Capabilities{Options: cmlOptions, Hint: "if it exports CommerceML orders, set protocol"})
	}
}
