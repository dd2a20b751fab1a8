package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"
)

// hashCost is bcrypt's work factor for the console's passwords: about a
// quarter of a second per login on a current core.
const hashCost = 12

// minPassword is the shortest password hash-password accepts.
const minPassword = 8

func webCmd() *cobra.Command {
	hashPassword := command("hash-password",
		"Read a password from stdin and print its bcrypt hash, for web.users[].password_hash",
		help("web-hash-password"),
		func(cmd *cobra.Command, _ []string) error {
			password, err := readPassword(os.Stdin, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{2, err}
			}
			hash, err := bcrypt.GenerateFromPassword(password, hashCost)
			if err != nil {
				return &exitError{2, fmt.Errorf("hashing the password: %w", err)}
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(hash))
			return nil
		})
	return group("web", "The console's users", "", hashPassword)
}

// readPassword asks on a terminal (no echo, twice to confirm), else reads
// the first line of in.
func readPassword(in *os.File, prompt io.Writer) ([]byte, error) {
	var password []byte
	if fd := int(in.Fd()); term.IsTerminal(fd) {
		fmt.Fprint(prompt, "Password: ")
		first, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return nil, fmt.Errorf("reading the password: %w", err)
		}
		fmt.Fprint(prompt, "Again: ")
		second, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return nil, fmt.Errorf("reading the password: %w", err)
		}
		if !bytes.Equal(first, second) {
			return nil, errors.New("the two passwords differ")
		}
		password = first
	} else {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading the password: %w", err)
		}
		password = []byte(strings.TrimRight(line, "\r\n"))
	}
	switch n := len([]rune(string(password))); {
	case n == 0:
		return nil, errors.New("no password given (pipe it in, or run on a terminal)")
	case n < minPassword:
		return nil, fmt.Errorf("the password is too short: at least %d characters", minPassword)
	case len(password) > 72:
		return nil, errors.New("the password is too long: bcrypt takes at most 72 bytes")
	}
	return password, nil
}
