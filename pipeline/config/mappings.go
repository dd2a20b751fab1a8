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

func overlay(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
