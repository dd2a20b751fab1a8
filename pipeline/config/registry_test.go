package config

// The connectors declare their marketplaces' capabilities when they
// register (pipeline/connectors/<name>); this package's tests cannot import
// them (they import this package), so the same declarations stand here.
// cmd/kramar's tests check the example config against the real ones.
func init() {
	RegisterMarketplace("prom", Capabilities{Orders: true, Push: true, Accept: StatusRule{Status: "pending", To: "received"}, Keys: []string{"language"}})
	RegisterMarketplace("rozetka", Capabilities{Orders: true, Push: true, Login: true, Keys: []string{"customer_cancel_status"}})
	RegisterMarketplace("horoshop", Capabilities{Orders: true, Push: true, Login: true, Keys: []string{"split_names", "article", "warehouse"}})
	RegisterMarketplace("epicentr", Capabilities{Orders: true, Push: true})
	RegisterMarketplace("zakupka", Capabilities{Orders: true, Login: true, CredentialsOptional: true, NeedsBaseURL: true, CML: true})
	for _, m := range []string{"allo", "hubber", "skidka", "allbiz", "shafa"} {
		RegisterMarketplace(m, Capabilities{CML: true})
	}
}
