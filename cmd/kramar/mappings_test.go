package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

// The demo on a config without mappings: one warning line per store, not
// one per value; `mappings suggest` on what it loaded gives YAML that,
// pasted into that config, leaves nothing unmapped on the next load; and
// --write adds the suggestions to the example config as comments only.
func TestSuggestedMappingsMapEveryValueTheDemoSees(t *testing.T) {
	bin := buildKramar(t)
	dir := t.TempDir()
	example, err := os.ReadFile("../../kramar.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Spec paths are read beside the config, as in a real deployment.
	specs, _ := filepath.Abs("../../specs")
	if err := os.Symlink(specs, filepath.Join(dir, "specs")); err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(dir, "bare.yaml")
	writeFile(t, bare, withoutSection(string(example), "mappings"))

	first := chtest.New(t)
	// Its workbooks land in dir; as under `make demo`, its server goes with it.
	demo := newCLI(t, bin, first.Database(), bare, "TMPDIR="+dir, envThrowaway+"=1")
	demo.dir = "../.." // the demo reads specs/ there
	out, code := demo.run("demo", "--database", first.Database(), "--example-config", bare)
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "This ClickHouse stops with the demo") || !strings.Contains(out, "make clickhouse") {
		t.Errorf("off a terminal, the demo must say its server stops and how to get one that stays:\n%s", out)
	}
	runPrintedCommands(t, bin, out)
	books, _ := filepath.Glob(filepath.Join(dir, "kramar-demo-reports", "kramar-expenses-*.xlsx"))
	if len(books) != 1 {
		t.Fatalf("the demo's expenses workbook: %v", books)
	}
	checkPrintsOnePageWide(t, books[0])
	perStore, warnings := map[string]int{}, map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "level=WARN") {
			continue
		}
		store := regexp.MustCompile(`store=(\S+)`).FindStringSubmatch(line)
		if store == nil {
			t.Errorf("a warning that names no store: %s", line)
			continue
		}
		warnings[store[1]]++
		if strings.Contains(line, "without a CRM mapping") {
			perStore[store[1]]++
		}
	}
	for store, n := range warnings {
		if n > len(config.MappingKinds) {
			t.Errorf("%s: %d warning lines, want at most one per mapping kind", store, n)
		}
	}
	if len(perStore) < 10 {
		t.Errorf("unmapped values reported for %d stores, want every store of the demo (11): %v", len(perStore), perStore)
	}
	for store, n := range perStore {
		if n > 1 {
			t.Errorf("%s: %d warnings about unmapped values, want one line", store, n)
		}
	}

	suggest := newCLI(t, bin, first.Database(), bare)
	stdout, err := suggest.command(context.Background(), "mappings", "suggest").Output()
	yaml := string(stdout)
	if err != nil || !strings.Contains(yaml, "\nmappings:\n") {
		t.Fatalf("mappings suggest: %v\n%s", err, yaml)
	}
	full := filepath.Join(dir, "full.yaml")
	writeFile(t, full, withoutSection(string(example), "mappings")+"\n"+yaml)
	second := chtest.New(t)
	demo.config = full
	if out, code = demo.run("demo", "--database", second.Database(), "--example-config", full); code != 0 || strings.Contains(out, "without a CRM mapping") {
		t.Fatalf("demo with the suggested mappings: exit %d, want no unmapped values\n%s", code, out)
	}
	q := pipelinetest.Query(t, second, `SELECT count() FROM {db}.v_orders WHERE (status = '' AND marketplace_status != '')
		OR (delivery = '' AND marketplace_delivery != '') OR (payment = '' AND marketplace_payment != '')`)
	runs := pipelinetest.Query(t, second, `SELECT count(), sum(unmapped_statuses + unmapped_deliveries + unmapped_payments) FROM {db}.pipeline_runs WHERE job = 'orders'`)
	if q[0] != "0" || !strings.HasSuffix(runs[0], "\t0") || strings.HasPrefix(runs[0], "0\t") {
		t.Errorf("after pasting the suggestions: %s orders with a value left unmapped, runs/unmapped %s; want none", q[0], runs[0])
	}

	// --write on the example config: the same file plus comment lines.
	written := filepath.Join(dir, "kramar.yaml")
	writeFile(t, written, string(example))
	suggest.config = written
	if out, code := suggest.run("mappings", "suggest", "--write"); code != 0 || !strings.Contains(out, "suggested entries added as comments") {
		t.Fatalf("--write: exit %d\n%s", code, out)
	}
	after, _ := os.ReadFile(written)
	added := addedLines(t, string(example), string(after))
	if len(added) == 0 {
		t.Fatal("--write added nothing, though the reference lists hold unmapped values")
	}
	for _, l := range added {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			t.Errorf("--write added a line that is not a comment: %q", l)
		}
	}
	if out, _ := suggest.run("mappings", "suggest", "--write"); !strings.Contains(out, "nothing to add") {
		t.Errorf("a second --write must add nothing:\n%s", out)
	}
	if again, _ := os.ReadFile(written); string(again) != string(after) {
		t.Error("a second --write changed the file")
	}
	// With the # of the entries removed, the config reads and maps them.
	uncommented := uncomment(string(after), added)
	writeFile(t, written, uncommented)
	for _, env := range demoSecrets {
		t.Setenv(env, "x")
	}
	for _, p := range config.Check(written) {
		if !p.Warning {
			t.Errorf("the config with the suggestions uncommented: %s", p)
		}
	}
	if out, _ := suggest.run("mappings", "suggest"); !strings.Contains(out, "every marketplace value the warehouse has seen is mapped") {
		t.Errorf("with the suggestions uncommented, suggest still finds values:\n%.3000s", out)
	}
}

// withoutSection drops a top-level key of a YAML file with its block.
func withoutSection(yaml, key string) string {
	var out []string
	skipping := false
	for _, l := range strings.SplitAfter(yaml, "\n") {
		top := l != "" && l[0] != ' ' && l[0] != '#' && l[0] != '\n'
		if top {
			skipping = strings.HasPrefix(l, key+":")
		}
		if !skipping {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// addedLines checks that after is before with lines added (none changed or
// dropped) and returns the added ones.
func addedLines(t *testing.T, before, after string) []string {
	t.Helper()
	b, a := strings.SplitAfter(before, "\n"), strings.SplitAfter(after, "\n")
	var added []string
	i := 0
	for _, l := range a {
		if i < len(b) && l == b[i] {
			i++
			continue
		}
		added = append(added, l)
	}
	if i != len(b) {
		t.Fatalf("line %d of the original (%q) is not in the written file in order", i+1, b[i])
	}
	return added
}

var suggestedEntry = regexp.MustCompile(`^(\s*)# (\s*\S.*:.*)$`)

// uncomment removes the "# " of every added line but the notes.
func uncomment(text string, added []string) string {
	for _, l := range added {
		if strings.Contains(l, "kramar mappings suggest,") {
			continue
		}
		if m := suggestedEntry.FindStringSubmatch(strings.TrimRight(l, "\n")); m != nil {
			text = strings.Replace(text, l, m[1]+m[2]+"\n", 1)
		}
	}
	return text
}

// checkPrintsOnePageWide reads the page setup of every sheet of an .xlsx as
// Excel and LibreOffice do: A4, fit to one page wide and any number tall,
// the header row repeated, the sheet's name and the month in the header.
func checkPrintsOnePageWide(t *testing.T, path string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	read := func(name string) string {
		f, err := zr.Open(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return string(b)
	}
	workbook := read("xl/workbook.xml")
	names := regexp.MustCompile(`<sheet name="([^"]+)"`).FindAllStringSubmatch(workbook, -1)
	if len(names) < 2 {
		t.Fatalf("%s has %d sheets, want the summary and a sheet per store", path, len(names))
	}
	// Print titles: <definedName localSheetId="0" name="_xlnm.Print_Titles">'Sheet'!$1:$1</definedName>.
	printTitles := map[string]bool{}
	for _, d := range regexp.MustCompile(`<definedName ([^>]*)>([^<]*)</definedName>`).FindAllStringSubmatch(workbook, -1) {
		id := regexp.MustCompile(`localSheetId="(\d+)"`).FindStringSubmatch(d[1])
		ref := strings.NewReplacer("&#39;", "'", "&apos;", "'").Replace(d[2])
		if id != nil && strings.Contains(d[1], `name="_xlnm.Print_Titles"`) && strings.HasSuffix(ref, "'!$1:$1") {
			printTitles[id[1]+" "+strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(ref, "'"), "'!$1:$1"), "''", "'")] = true
		}
	}
	for i, n := range names {
		sheet := read(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1))
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`<pageSetUpPr fitToPage="(1|true)"`),
			regexp.MustCompile(`<pageSetup [^>]*paperSize="9"`),
			regexp.MustCompile(`<pageSetup [^>]*fitToWidth="1"`),
			regexp.MustCompile(`<pageSetup [^>]*fitToHeight="0"`),
			regexp.MustCompile(`<oddHeader>&amp;L&amp;A&amp;R[^<]*20\d\d</oddHeader>`),
		} {
			if !want.MatchString(sheet) {
				t.Errorf("sheet %q: no %s in its XML", n[1], want)
			}
		}
		if !printTitles[fmt.Sprintf("%d %s", i, n[1])] {
			t.Errorf("sheet %q: its header row is not repeated on every page (no _xlnm.Print_Titles of $1:$1)", n[1])
		}
	}
}

// runPrintedCommands runs what the demo printed under "Try it", as a new
// user would paste it into a shell in an empty folder.
func runPrintedCommands(t *testing.T, bin, out string) {
	t.Helper()
	_, try, ok := strings.Cut(out, "Try it")
	if !ok {
		t.Fatalf("the demo printed no commands to try:\n%s", out)
	}
	env := os.Environ()
	dir := t.TempDir()
	ran := 0
	for _, line := range strings.Split(try, "\n") {
		line = strings.TrimSpace(line)
		var cmd *exec.Cmd
		switch {
		case strings.HasPrefix(line, "export "):
			env = append(env, strings.TrimPrefix(line, "export "))
			continue
		case strings.HasPrefix(line, "go run ./cmd/kramar "):
			cmd = exec.Command(bin, strings.Fields(strings.TrimPrefix(line, "go run ./cmd/kramar "))...)
		case strings.HasPrefix(line, "clickhouse-client "):
			if _, err := exec.LookPath("clickhouse-client"); err != nil {
				continue // the server's package brings no client here
			}
			cmd = exec.Command("sh", "-c", line)
		default:
			continue
		}
		cmd.Dir, cmd.Env = dir, env
		b, err := cmd.CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(b))) == 0 {
			t.Errorf("printed command %q: %v\n%s", line, err, b)
		}
		if strings.Contains(line, " export ") && !regexp.MustCompile(`v_orders: [1-9]\d* rows`).Match(b) {
			t.Errorf("printed command %q exported no rows:\n%s", line, b)
		}
		ran++
	}
	if ran < 4 {
		t.Errorf("ran %d printed commands, want the kramar ones at least", ran)
	}
}
