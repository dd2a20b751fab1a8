package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium package (.ci/run installs it).
const chromiumPath = "/usr/bin/chromium"

// headless is a real Chromium without a screen, driven through the DevTools
// protocol. It notes every console error and uncaught exception of the pages
// it shows, and keeps screenshots and downloads in the test's temp dir.
type headless struct {
	t   *testing.T
	ctx context.Context
	dir string

	mu       sync.Mutex
	problems []string
}

func newHeadless(t *testing.T, width, height int64) *headless {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no Chromium at %s (apt-get install chromium; .ci/run does): %v", chromiumPath, err)
	}
	h := &headless{t: t, dir: t.TempDir()}
	// The flags keep Chromium off the network it would otherwise call at
	// start (updates, sync, field trials), which this machine refuses.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(h.dir, "profile")),
		chromedp.WindowSize(int(width), int(height)),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	// Cancelling the allocator ends the browser process it started; its
	// helpers (renderer, zygote, network service) are found by the profile
	// folder on their command line and stopped by PID too.
	profile := filepath.Join(h.dir, "profile")
	t.Cleanup(func() {
		cancelTime()
		cancelCtx()
		cancelAlloc()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			left := findProcs("cmdline", func(cmdline string) bool { return strings.Contains(cmdline, profile) })
			if len(left) == 0 {
				return
			}
			for _, pid := range left {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		t.Errorf("Chromium processes of %s still running", profile)
	})
	h.ctx = ctx
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: h.downloads(), EventsEnabled: ptrTo(true)})
			return err
		})); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				h.mu.Lock()
				h.problems = append(h.problems, m.String()+" ("+m.URL+")")
				h.mu.Unlock()
			}
		}
	}()
	return h
}

func ptrTo[T any](v T) *T { return &v }

func (h *headless) downloads() string { return filepath.Join(h.dir, "downloads") }

// do runs actions in the browser, failing the test on an error.
func (h *headless) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	h.t.Helper()
	if err := chromedp.Do(h.ctx, actions...); err != nil {
		h.t.Fatalf("browser, %s: %v", what, err)
	}
}

// screenshot saves the whole page as NAME.png in the test's temp dir.
func (h *headless) screenshot(name string) string {
	h.t.Helper()
	png, err := chromedp.Run(h.ctx, chromedp.FullScreenshot(100)) // 100: PNG, else JPEG
	if err != nil {
		h.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(h.dir, name+".png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		h.t.Fatal(err)
	}
	// To look at them: KRAMAR_TEST_SCREENSHOTS=/some/dir go test -run Browser.
	if keep := os.Getenv("KRAMAR_TEST_SCREENSHOTS"); keep != "" {
		_ = os.WriteFile(filepath.Join(keep, h.t.Name()+"-"+name+".png"), png, 0o644)
	}
	return path
}

// text is the visible text of the page's body.
func (h *headless) text() string {
	h.t.Helper()
	s, err := chromedp.Run(h.ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		h.t.Fatalf("read the page: %v", err)
	}
	return s
}

// noProblems fails the test on any console error or exception so far.
func (h *headless) noProblems(page string) {
	h.t.Helper()
	time.Sleep(200 * time.Millisecond) // the console's last events
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.problems {
		h.t.Errorf("%s: %s", page, p)
	}
	h.problems = nil
}

// download clicks and returns the file of the download it starts.
func (h *headless) download(click chromedp.Action[chromedp.Void]) string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	h.do("start a download", click)
	for ev, err := range progress {
		if err != nil {
			h.t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			return filepath.Join(h.downloads(), ev.GUID)
		}
	}
	h.t.Fatal("no download completed")
	return ""
}

// The browser plumbing itself: a page's console error is caught, a
// screenshot is a PNG, a download lands.
func TestHeadlessChromiumSeesConsoleErrorsAndDownloads(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file":
			w.Header().Set("Content-Disposition", `attachment; filename="a.txt"`)
			fmt.Fprint(w, "the file")
		case "/bad":
			fmt.Fprint(w, `<html><body>bad<script>console.error("broken")</script></body></html>`)
		default:
			fmt.Fprint(w, `<html><body><h1>Привіт</h1><a id="f" href="/file">file</a></body></html>`)
		}
	}))
	defer srv.Close()
	h := newHeadless(t, 360, 740)
	h.do("open", chromedp.Navigate(srv.URL+"/"))
	if !strings.Contains(h.text(), "Привіт") {
		t.Errorf("page text: %q", h.text())
	}
	if b, _ := os.ReadFile(h.screenshot("hello")); len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Error("the screenshot is not a PNG")
	}
	got := h.download(chromedp.Click(chromedp.CSS("#f")))
	if b, _ := os.ReadFile(got); string(b) != "the file" {
		t.Errorf("downloaded %q", b)
	}
	h.do("open the broken page", chromedp.Navigate(srv.URL+"/bad"), chromedp.Sleep(300*time.Millisecond))
	h.mu.Lock()
	n := len(h.problems)
	h.problems = nil
	h.mu.Unlock()
	if n != 1 {
		t.Errorf("%d console errors noted on a page that logs one", n)
	}
}
