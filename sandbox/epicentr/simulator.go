package epicentr

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "epicentr", Credential: "TOKEN", Auth: "Authorization: Bearer TOKEN",
		Defaults: []string{"sandbox-epicentr-token=200"},
		New:      kit.TokenSim(New, (*Sandbox).AddStore),
	})
}
