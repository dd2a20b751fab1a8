package main

import (
	"embed"
	"strings"
)

// The long help of the commands that explain themselves at length lives in
// help/<command path, dash-joined>.txt: prose that reads and changes as
// prose, not as concatenated Go strings.
//
//go:embed help/*.txt
var helpFiles embed.FS

// help returns a command's long help from help/NAME.txt; a missing file is a
// programming error that every test run meets at once.
func help(name string) string {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic("kramar: no help/" + name + ".txt")
	}
	return strings.TrimSuffix(string(b), "\n")
}
