package epicentr

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "epicentr", Credential: "TOKEN", Auth: "Authorization: Bearer TOKEN",
		Defaults: []string{"sandbox-epicentr-token=200"},
		New: func(o kit.SimOptions) (kit.Served, func(string, int) error) {
			s := New(o.Options())
			return s, kit.TokenStores(s.AddStore)
		},
	})
}
