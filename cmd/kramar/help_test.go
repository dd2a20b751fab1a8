package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// A help file that no command shows is help nobody reads: a command was
// renamed or its text went back into the code.
func TestEveryHelpFileIsSomeCommandsLongHelp(t *testing.T) {
	shown := map[string]bool{}
	var walk func([]*cobra.Command)
	walk = func(cmds []*cobra.Command) {
		for _, c := range cmds {
			shown[c.Long] = true
			walk(c.Commands())
		}
	}
	walk(commands())
	files, err := helpFiles.ReadDir("help")
	if err != nil || len(files) == 0 {
		t.Fatalf("no help files: %v", err)
	}
	for _, f := range files {
		if name := strings.TrimSuffix(f.Name(), ".txt"); !shown[help(name)] {
			t.Errorf("help/%s is no command's long help", f.Name())
		}
	}
}
