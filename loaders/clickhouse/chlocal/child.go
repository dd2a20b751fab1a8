package chlocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// child is a server process of ours in its own process group, with the
// folder it keeps its config and data in.
type child struct {
	name   string // for messages: "ClickHouse", "ZooKeeper"
	cmd    *exec.Cmd
	dir    string
	ownDir bool // made by us: removed by stop
	exited chan struct{}
	// waitErr is how the process ended, once exited is closed.
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// folder makes dir a fresh temporary folder named after pattern when it is "".
func (c *child) folder(dir, pattern string) error {
	c.dir, c.exited = dir, make(chan struct{})
	if c.dir != "" {
		return nil
	}
	var err error
	c.dir, err = os.MkdirTemp("", pattern)
	c.ownDir = err == nil
	return err
}

// start runs cmd in a process group of its own: a Ctrl-C in the terminal
// reaches the command being run, and the server is stopped in order after it.
func (c *child) start(cmd *exec.Cmd) error {
	c.cmd = cmd
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		return c.cleanup(fmt.Errorf("chlocal: start %s: %w", c.name, err))
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	return nil
}

// launch starts cmd with its output in the file logPath and
// waits until ready says the server answers, for at most timeout (60s when
// 0); a server that does not is stopped.
func (c *child) launch(ctx context.Context, cmd *exec.Cmd, logPath string, timeout time.Duration, ready func(context.Context, time.Duration) error) error {
	out, err := os.Create(logPath)
	if err != nil {
		return c.cleanup(err)
	}
	defer out.Close() // the child holds its own descriptor
	cmd.Stdout, cmd.Stderr = out, out
	if err := c.start(cmd); err != nil {
		return err
	}
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	if err := ready(ctx, timeout); err != nil {
		return errors.Join(err, c.Stop())
	}
	return nil
}

// PID is the server process's id.
func (c *child) PID() int { return c.cmd.Process.Pid }

// Exited is closed when the server process ends, expectedly or not.
func (c *child) Exited() <-chan struct{} { return c.exited }

// Kill ends the server's process group at once with SIGKILL, as a crash
// would; Stop still cleans up after it.
func (c *child) Kill() {
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.exited
}

// Stop sends SIGTERM to the server's process group, waits for it to exit
// (SIGKILL after 30s) and removes the folder if it was made for it. It is
// safe to call more than once.
func (c *child) Stop() error {
	c.stopOnce.Do(func() {
		if c.cmd != nil && c.cmd.Process != nil {
			select {
			case <-c.exited:
			default:
				_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
				select {
				case <-c.exited:
				case <-time.After(30 * time.Second):
					_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
					<-c.exited
					c.stopErr = fmt.Errorf("chlocal: %s ignored SIGTERM for 30s and was killed", c.name)
				}
			}
		}
		c.stopErr = c.cleanup(c.stopErr)
	})
	return c.stopErr
}

func (c *child) cleanup(err error) error {
	if c.ownDir {
		if rmErr := os.RemoveAll(c.dir); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
	}
	return err
}
