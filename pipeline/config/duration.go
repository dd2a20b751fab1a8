package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written as "10m", "90s", "720h".
type Duration struct{ time.Duration }

// UnmarshalYAML reads a Go duration string; a bare number is refused because
// "10" could mean seconds or minutes.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf(`must be a duration like "10m" or "90s"`)
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf(`%q is not a duration; write it like "10m", "90s" or "720h"`, n.Value)
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration back as a string such as "10m0s".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalText lets JSON and other text encoders print "10m0s" too.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText is the counterpart of MarshalText.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf(`%q is not a duration`, b)
	}
	d.Duration = v
	return nil
}
