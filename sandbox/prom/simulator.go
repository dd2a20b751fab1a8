package prom

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "prom", Credential: "TOKEN", Auth: "Authorization: Bearer TOKEN", APIPath: APIPath,
		Defaults: []string{"sandbox-main-token=400", "sandbox-outlet-token=250"},
		New:      kit.TokenSim(New, (*Sandbox).AddStore),
	})
}
