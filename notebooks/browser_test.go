package notebooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/skybias/skybias/internal/testenv"
)

var screenshot = flag.Bool("screenshot", false, "save the browser test's screenshot as docs/browser/notebook-02.png (the README shows it)")

// TestNotebookInBrowser opens notebooks/02-your-own-experiment.ipynb in
// Debian's Jupyter Notebook server (random token, 127.0.0.1, a temporary
// notebook folder) with Debian's headless Chromium driven by chromedp,
// runs all cells from the Cell menu, waits for the kernel to be idle, and
// checks that the page shows an inline PNG figure and no error output. It
// saves a screenshot of the page (with -screenshot, where the README
// shows it).
func TestNotebookInBrowser(t *testing.T) {
	server := testenv.Tool(t, "jupyter-notebook")
	browser := testenv.Tool(t, "chromium")
	if testing.Short() {
		t.Skip("skipping: the browser test trains a network (a minute)")
	}
	const name = "02-your-own-experiment.ipynb"
	tmp, _, prefix, files := workTree(t, name)
	if len(files) != 1 {
		t.Fatalf("notebooks/%s is missing", name)
	}
	work := filepath.Dir(filepath.Dir(files[0]))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	tok := make([]byte, 16)
	rand.Read(tok)
	token := hex.EncodeToString(tok)
	var log strings.Builder
	srv := exec.Command(server, "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--port-retries=0",
		"--NotebookApp.token="+token, "--NotebookApp.notebook_dir="+work, "--allow-root")
	srv.Env = append(os.Environ(), "JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"), "JUPYTER_CONFIG_DIR="+filepath.Join(tmp, "config"),
		"JUPYTER_DATA_DIR="+filepath.Join(tmp, "data"), "JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "runtime"),
		"SKYBIAS_RESULTS="+filepath.Join(tmp, "results"))
	srv.Stdout, srv.Stderr = &log, &log
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-srv.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
		}
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	up := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(base + "/api/status?token=" + token); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				up = true
				break
			}
		}
	}
	if !up {
		t.Fatalf("the notebook server did not answer in a minute:\n%s", log.String())
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1600), chromedp.Flag("headless", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 12*time.Minute)
	defer cancelT()

	url := base + "/notebooks/notebooks/" + name + "?token=" + token
	err = chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("notebook-container")))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`typeof Jupyter !== "undefined" && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()`,
			chromedp.WithPollingTimeout(2*time.Minute)))
	}
	if err != nil {
		t.Fatalf("opening %s: %v\nserver log:\n%s", url, err, log.String())
	}
	// Run all cells from the menu, as a person would: Cell, then Run All.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("celllink")), chromedp.Click(chromedp.CSS("#run_all_cells a"))); err != nil {
		t.Fatalf("Cell > Run All: %v", err)
	}
	const finished = `(function() {
		var cells = Jupyter.notebook.get_cells().filter(function(c) { return c.cell_type === "code"; });
		var all = cells.every(function(c) { var n = c.input_prompt_number; return n !== undefined && n !== null && n !== "*"; });
		return all && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
	})()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](finished, chromedp.WithPollingInterval(time.Second), chromedp.WithPollingTimeout(10*time.Minute))); err != nil {
		t.Fatalf("the cells did not finish: %v\nserver log:\n%s", err, log.String())
	}
	pngs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll(".output_png img")).filter(function(i) { return i.src.indexOf("data:image/png;base64,") === 0 && i.src.length > 1000 && i.naturalWidth > 0; }).length`))
	if err != nil {
		t.Fatal(err)
	}
	errs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".output_error").length`))
	if err != nil {
		t.Fatal(err)
	}
	errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".output_error")).map(function(e) { return e.innerText; }).join("\n")`))
	// The page scrolls inside #site: bring the last cell (the sky map)
	// into view, with the cells above it, for the screenshot.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function() {
		var cells = document.querySelectorAll(".cell.code_cell");
		var last = cells[cells.length - 1];
		var site = document.querySelector("#site");
		site.scrollTop = last.offsetTop + last.offsetHeight - site.clientHeight + 40;
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(tmp, "notebook-02.png")
	if *screenshot {
		path = filepath.Join(testenv.Root(t), "docs", "browser", "notebook-02.png")
		os.MkdirAll(filepath.Dir(path), 0o755)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes); %d inline PNG figure(s), %d error output(s)", path, len(shot), pngs, errs)
	if pngs == 0 {
		t.Error("the page shows no inline PNG figure")
	}
	if errs > 0 {
		t.Errorf("the page shows %d error output(s):\n%s", errs, errText)
	}
}
