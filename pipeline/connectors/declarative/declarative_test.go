package declarative_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramar/kramar/pipeline/connectors"
)

// TestSpecLoader: the registry builds a connector from a spec file, names
// it after the store's marketplace, and its version follows the file.
func TestSpecLoader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bazar.yaml")
	if err := os.WriteFile(path, []byte(bazarSpec), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := connectors.FromSpec(path, "bazar")
	if err != nil {
		t.Fatal(err)
	}
	if c.Marketplace != "bazar" || c.Open == nil || c.Transform == nil || c.RecordID == nil || c.Records == nil {
		t.Fatalf("connector %+v", c)
	}
	if id := c.RecordID([]byte(`{"ref": 42, "st": "A"}`)); id != "42" {
		t.Errorf("RecordID = %q", id)
	}
	if err := os.WriteFile(path, []byte(bazarSpec+"description: edited\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	edited, err := connectors.FromSpec(path, "bazar")
	if err != nil || edited.TransformVersion == c.TransformVersion {
		t.Errorf("editing the spec kept version %s (%v)", c.TransformVersion, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(bazarSpec, "type: page", "type: pages", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := connectors.FromSpec(path, "bazar"); err == nil || !strings.Contains(err.Error(), "line 13: orders.pagination.type") {
		t.Errorf("bad spec: %v", err)
	}
}
