package horoshop

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "horoshop", Credential: "LOGIN:PASSWORD", Auth: "POST /api/auth/ logs in",
		Defaults: []string{"api-user:sandbox-password=150"},
		New:      kit.LoginSim("LOGIN", New, (*Sandbox).AddStore),
	})
}
