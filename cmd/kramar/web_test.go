package main

import (
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/kramar/kramar/pipeline/console"
)

// hashPassword runs the built `kramar web hash-password` with stdin from a
// pipe.
func hashPassword(t *testing.T, stdin string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(buildKramar(t), "web", "hash-password")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), exitCode(err)
}

func TestWebHashPasswordFromAPipe(t *testing.T) {
	const password = "Кобзар-1840 correct horse"
	out, errOut, code := hashPassword(t, password+"\nthe second line is not read\n")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	hash := strings.TrimSuffix(out, "\n")
	if strings.Contains(hash, "\n") || !strings.HasPrefix(hash, "$2a$12$") || len(hash) != 60 {
		t.Fatalf("not one bcrypt hash of cost 12: %q", out)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)); err != nil {
		t.Errorf("the hash is not of the password piped in: %v", err)
	}
	if strings.Contains(out+errOut, password) {
		t.Error("the password is echoed")
	}
	// The hash is one the console takes.
	if _, err := console.New(console.Options{Users: []console.User{{Name: "olena", Role: console.Ops, Hash: hash}}}); err != nil {
		t.Errorf("the console refuses the hash: %v", err)
	}
	// A line from Windows, and a last line without its newline.
	for _, in := range []string{password + "\r\n", password} {
		out, _, _ := hashPassword(t, in)
		if bcrypt.CompareHashAndPassword([]byte(strings.TrimSpace(out)), []byte(password)) != nil {
			t.Errorf("input %q: the hash is not of the password", in)
		}
	}
	for in, want := range map[string]string{
		"":                             "no password given",
		"\n":                           "no password given",
		"short\n":                      "the password is too short: at least 8 characters",
		strings.Repeat("я", 40) + "\n": "the password is too long: bcrypt takes at most 72 bytes",
	} {
		out, errOut, code := hashPassword(t, in)
		if code != 2 || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("input %q: exit %d, out %q, err %q; want exit 2 and %q", in, code, out, errOut, want)
		}
	}
}
