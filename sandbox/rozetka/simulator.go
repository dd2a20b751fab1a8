package rozetka

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "rozetka", Credential: "USERNAME:PASSWORD", Auth: "POST /sites logs in",
		Defaults: []string{"seller@example.com:sandbox-password=300"},
		New:      kit.LoginSim("USERNAME", New, (*Sandbox).AddStore),
	})
}
