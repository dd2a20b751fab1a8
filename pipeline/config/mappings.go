package config

// MappingsFor is the store's marketplace mappings with the store's own entries
// laid over them key by key. The maps are fresh copies, never nil.
func (c *Config) MappingsFor(s Store) Mappings {
	base := c.Mappings[s.Marketplace]
	return Mappings{
		Status:   overlay(base.Status, s.Mappings.Status),
		Delivery: overlay(base.Delivery, s.Mappings.Delivery),
		Payment:  overlay(base.Payment, s.Mappings.Payment),
	}
}

// OutboundFor is the store's outbound mapping: the marketplace's with the
// store's push.outbound laid over it key by key (a fresh map, never nil).
func (c *Config) OutboundFor(s Store) map[string]Outbound {
	return overlay(c.Outbound[s.Marketplace], s.Push.Outbound)
}

func overlay[V any](base, over map[string]V) map[string]V {
	out := make(map[string]V, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
