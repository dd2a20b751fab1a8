package golden

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/kramar/kramar/schema/canon"
)

// StoreFile is the file in a golden folder that names the store its cases
// are transformed under, written as a store of kramar.yaml is: id,
// order_type, order_source and the mappings, so a golden file's CRM values
// can be read against the mapping beside it. A marketplace's typed options
// are Go values and are set on the result (see Variant).
const StoreFile = "STORE.yaml"

// Store reads dir's StoreFile; it panics on a missing or malformed file,
// since it is read when a test package starts.
func Store(dir string) canon.Store {
	path := filepath.Join(dir, StoreFile)
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var f struct {
		ID          string         `yaml:"id"`
		OrderType   string         `yaml:"order_type"`
		OrderSource string         `yaml:"order_source"`
		Mappings    canon.Mappings `yaml:"mappings"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		panic(fmt.Sprintf("%s: %v", path, err))
	}
	return canon.Store{Store: f.ID, OrderType: f.OrderType, OrderSource: f.OrderSource, Mappings: f.Mappings}
}
