package rozetka

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "rozetka", Credential: "USERNAME:PASSWORD", Auth: "POST /sites logs in",
		Defaults: []string{"seller@example.com:sandbox-password=300"},
		New: func(o kit.SimOptions) (kit.Served, func(string, int) error) {
			s := New(o.Options())
			return s, kit.LoginStores("USERNAME", func(user, password string, n int) { s.AddStore(user, password, n, o.Goods) })
		},
	})
}
