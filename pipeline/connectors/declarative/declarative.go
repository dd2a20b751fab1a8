// Package declarative installs the connector of marketplaces described by a
// YAML spec (extractors/declarative): a store with `spec:` gets a client
// and a transform built from its spec file, with no code of its own.
package declarative

import (
	"fmt"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/pipeline/connectors"
)

func init() { connectors.RegisterSpecLoader(Load) }

// Load reads the spec at path and builds the connector of marketplace.
func Load(path, marketplace string) (connectors.Connector, error) {
	s, err := spec.Load(path)
	if err != nil {
		return connectors.Connector{}, err
	}
	return FromSpec(s, marketplace), nil
}

// FromSpec builds the connector a parsed spec describes.
func FromSpec(s *spec.Spec, marketplace string) connectors.Connector {
	if marketplace == "" {
		marketplace = s.Name
	}
	return connectors.Connector{
		Marketplace: marketplace,
		Open:        func(c source.Config) source.Orders { return spec.NewClient(s, c) },
		Transform:   s.Transform,
		RecordID:    s.RecordID,
		Wire:        s.WireModel(), OrdersEndpoint: s.Endpoint(),
		// The spec's digest: editing the spec re-reads orders as changed.
		TransformVersion: fmt.Sprintf("spec-%s", s.Digest),
		Records:          s.Records,
	}
}
