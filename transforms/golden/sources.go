package golden

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SourcesFile is the file in a golden folder that says where each case's
// shape comes from: one line per case, its name, a tab, and its public
// source (a repository path or a URL, and what it shows), or the word
// "synthetic" for a case written by hand to pin a rule. Lines starting with
// # are comments. It lives beside the cases so a case and its provenance
// move together.
const SourcesFile = "SOURCES.tsv"

// synthetic marks a case written by hand in SourcesFile.
const synthetic = "synthetic"

// Sources checks dir's SourcesFile and returns its sourced cases, name →
// source. Every listed case must exist in dir: an input name.json with its
// golden file, or, for a name with its own extension (a feed file), the
// file itself; every source must be non-empty. When the file declares any
// case synthetic, every input in dir must be listed, so a new case cannot
// land without saying where its shape comes from.
func Sources(t *testing.T, dir string) map[string]string {
	t.Helper()
	sourced, problems, err := readSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	return sourced
}

// readSources is Sources without the test: what is wrong comes back as
// problems, a failure to read as err.
func readSources(dir string) (sourced map[string]string, problems []string, err error) {
	path := filepath.Join(dir, SourcesFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	sourced, listed := map[string]string{}, map[string]bool{}
	strict := false
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, source, ok := strings.Cut(text, "\t")
		source = strings.TrimSpace(source)
		switch {
		case !ok || name == "" || source == "":
			problem("%s:%d: want a case name, a tab and its source", path, line)
			continue
		case listed[name]:
			problem("%s:%d: case %s is listed twice", path, line, name)
		}
		listed[name] = true
		if source == synthetic {
			strict = true
		} else {
			sourced[name] = source
		}
		files := []string{name + ".json", name + Suffix}
		if filepath.Ext(name) != "" {
			files = []string{name}
		}
		for _, file := range files {
			if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
				problem("%s:%d: case %s: %v", path, line, name, err)
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if !strict {
		return sourced, problems, nil
	}
	all, err := inputs(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, in := range all {
		if name := strings.TrimSuffix(filepath.Base(in), ".json"); !listed[name] {
			problem("case %s has no line in %s: give its source, or say it is synthetic", name, path)
		}
	}
	return sourced, problems, nil
}
