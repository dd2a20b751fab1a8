package zakupka

import "github.com/kramar/kramar/sandbox/kit"

func init() {
	kit.RegisterSimulator(kit.Simulator{
		Marketplace: "zakupka", Credential: "KEY", Auth: "?key=KEY on the orders file and the feed",
		Defaults: []string{"sandbox-zakupka-key=120"},
		APIPath:  OrdersPath, FeedPath: FeedPath,
		New: func(o kit.SimOptions) (kit.Served, func(string, int) error) {
			s := New(o.Options())
			// The orders file as Zakupka writes it: windows-1251.
			return s, kit.TokenStores(func(key string, n int) string {
				return s.AddStore(StoreOptions{Key: key, Orders: n, Encoding: Windows1251, FeedOffers: o.Goods})
			})
		},
	})
}
