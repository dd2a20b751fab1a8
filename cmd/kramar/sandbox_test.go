package main

import (
	"bufio"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/sandbox/kit"
)

// kramar sandbox serves every simulator a sandbox package registered, by
// its name alone; the command names none of them.
func TestSandboxServesEveryRegisteredSimulator(t *testing.T) {
	bin := buildKramar(t)
	sims := kit.Simulators()
	if len(sims) < 4 {
		t.Fatalf("%d simulators registered", len(sims))
	}
	for _, sim := range sims {
		cmd := exec.Command(bin, "sandbox", "--marketplace", sim.Marketplace, "--addr", "127.0.0.1:0")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if err != nil || !ok {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("%s: first line %q (%v)", sim.Marketplace, line, err)
		}
		client := http.Client{Timeout: 2 * time.Second}
		resp, err := client.Get(base + sim.APIPath + "/no-such-path")
		if err == nil {
			resp.Body.Close()
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		// Any answer will do (Horoshop answers an unknown function with 200
		// and an error envelope): the sandbox is serving.
		if err != nil {
			t.Errorf("%s: %v", sim.Marketplace, err)
		}
	}
}
