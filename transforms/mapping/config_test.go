package mapping

import (
	"testing"

	"github.com/kramar/kramar/pipeline/config"
)

// The pipeline hands config mappings to transforms by plain conversion;
// this breaks the build if the two shapes drift apart.
func TestTablesConvertFromConfig(t *testing.T) {
	cfg := config.Mappings{Status: map[string]string{"pending": "Новий"}}
	if got, _ := Lookup(Tables(cfg).Status, "Pending"); got != "Новий" {
		t.Errorf("got %q", got)
	}
}
