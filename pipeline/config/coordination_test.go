package config

import (
	"strings"
	"testing"
	"time"
)

func TestCoordinationOffByDefaultAndDefaultsFilled(t *testing.T) {
	setTestEnv(t)
	if cfg := mustLoad(t, "testdata/minimal.yaml"); cfg.Coordination.Enabled() {
		t.Errorf("coordination on without the key: %+v", cfg.Coordination)
	}
	cfg := mustLoad(t, writeConfig(t, "coordination:\n  zookeeper: [\"127.0.0.1:2181\", \"zk2:2181\"]\n"+scheduleStore))
	c := cfg.Coordination
	if !c.Enabled() || c.Root != "/kramar" || c.SessionTimeout.Duration != 10*time.Second || c.Worker != "" {
		t.Errorf("defaults not filled: %+v", c)
	}
	if w := c.WorkerName(); !strings.Contains(w, "-") || strings.Contains(w, "/") {
		t.Errorf("default worker name %q, want hostname-pid", w)
	}
	cfg = mustLoad(t, writeConfig(t, "coordination:\n  zookeeper: [\"127.0.0.1:2181\"]\n  root: /shops/kramar\n  session_timeout: 4s\n  worker: node-1\n"+scheduleStore))
	if c := cfg.Coordination; c.Root != "/shops/kramar" || c.SessionTimeout.Duration != 4*time.Second || c.WorkerName() != "node-1" {
		t.Errorf("overrides lost: %+v", c)
	}
}

func TestCoordinationMistakesAreNamedWithTheirLines(t *testing.T) {
	setTestEnv(t)
	got := errorsOf(t, "coordination:\n  zookeeper: [\"127.0.0.1\", \"zk:2181\"]\n  root: kramar/\n  session_timeout: 100ms\n  worker: a/b\n  sesion_timeout: 4s\n"+scheduleStore)
	want := map[string]struct {
		line int
		msg  string
	}{
		"coordination.zookeeper[0]":    {2, `"127.0.0.1" is not a host:port address like 127.0.0.1:2181`},
		"coordination.root":            {3, `"kramar/" is not a ZooKeeper path like /kramar (letters, digits, . _ - between slashes, no slash at the end)`},
		"coordination.session_timeout": {4, "must be between 1s and 5m (ZooKeeper itself keeps it within 2 and 20 ticks, 4s–40s by default)"},
		"coordination.worker":          {5, `"a/b" must be letters, digits, . _ or - (it names a ZooKeeper node)`},
		"coordination.sesion_timeout":  {6, `unknown key (did you mean "session_timeout"?)`},
	}
	for k, w := range want {
		if p := got[k]; p.Message != w.msg || p.Line != w.line {
			t.Errorf("%s: got line %d %q, want line %d %q", k, p.Line, p.Message, w.line, w.msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems %v, want only %v", got, want)
	}
	got = errorsOf(t, "coordination:\n  root: /kramar\n"+scheduleStore)
	if p := got["coordination.zookeeper"]; !strings.Contains(p.Message, "is required") || p.Line != 1 {
		t.Errorf("coordination without servers: %+v", got)
	}
}
