package mapping

import (
	"testing"

	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/schema/canon"
)

// The pipeline hands config mappings to transforms as they are; this
// breaks the build if the two shapes drift apart.
func TestTablesConvertFromConfig(t *testing.T) {
	var tables canon.Mappings = config.Mappings{Status: map[string]string{"pending": "Новий"}}
	if got, _ := Lookup(tables.Status, "Pending"); got != "Новий" {
		t.Errorf("got %q", got)
	}
}
