package golden

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Sources checks a table of the cases that pin a real marketplace's or
// file's shape, case name → its public source (a repository path or a URL,
// and what it shows). Every case must exist in dir: an input name.json with
// its golden file, or, for a name with its own extension (a feed file), the
// file itself; every source must be non-empty. When synthetic is given,
// every input in dir must be in exactly one of sources and synthetic, so a
// new case cannot land without saying where its shape comes from.
func Sources(t *testing.T, dir string, sources map[string]string, synthetic ...string) {
	t.Helper()
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.TrimSpace(sources[name]) == "" {
			t.Errorf("case %s: no source", name)
		}
		files := []string{name + ".json", name + Suffix}
		if filepath.Ext(name) != "" {
			files = []string{name}
		}
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("case %s: %v", name, err)
			}
		}
	}
	if len(synthetic) == 0 {
		return
	}
	inputs, err := inputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	isSynthetic := map[string]bool{}
	for _, name := range synthetic {
		isSynthetic[name] = true
	}
	have := map[string]bool{}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		have[name] = true
		if _, sourced := sources[name]; sourced == isSynthetic[name] {
			t.Errorf("case %s must be in exactly one of the sources and the synthetic cases", name)
		}
	}
	for _, name := range synthetic {
		if !have[name] {
			t.Errorf("synthetic case %s has no input in %s", name, dir)
		}
	}
}
