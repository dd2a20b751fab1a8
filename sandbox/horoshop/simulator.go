package horoshop

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "horoshop", Credential: "LOGIN:PASSWORD", Auth: "POST /api/auth/ logs in",
		Defaults: []string{"api-user:sandbox-password=150"},
		New: func(o kit.SimOptions) (kit.Served, func(string, int) error) {
			s := New(o.Options())
			return s, kit.LoginStores("LOGIN", func(user, password string, n int) { s.AddStore(user, password, n, o.Goods) })
		},
	})
}
