// Package browser drives headless Chromium over the DevTools protocol to turn a dossier page into a file: a
// PDF printed once the page says its charts and maps are drawn (window.dossierReady), or a standalone HTML
// file (maps as images, styles inlined, no script).
//
// It talks to Chromium through --remote-debugging-pipe (file descriptors 3 and 4, JSON messages ended by a NUL
// byte): no port opened, no WebSocket, no Node.js. It knows nothing of dossiers but the page's readiness promise.
package browser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Flags are Chromium's flags for a headless run with no network of its own and software WebGL (MapLibre).
var Flags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--use-angle=swiftshader",
	"--enable-unsafe-swiftshader", "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"}

// ErrNoChromium is returned when the Chromium binary cannot be found.
var ErrNoChromium = errors.New("chromium not found")

// Find returns the Chromium to use: path when given, else $CHROMIUM, else /usr/bin/chromium, else chromium or
// chromium-browser on the PATH.
func Find(path string) (string, error) {
	candidates := []string{path}
	if path == "" {
		candidates = []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	if path != "" {
		return "", fmt.Errorf("%w at %s", ErrNoChromium, path)
	}
	return "", fmt.Errorf("%w (looked for $CHROMIUM, /usr/bin/chromium, chromium and chromium-browser on the PATH)", ErrNoChromium)
}

// Page is what Render asks of a page.
type Page struct {
	URL string
	// Width is the viewport's width in CSS pixels: the page lays out its charts for it (A4's printable width is
	// about 700 px).
	Width int
	// Ready is a JavaScript expression whose promise resolves when the page is drawn, to an object whose
	// "problems" (a list of strings) say what could not be.
	Ready string
}

// Result is what the page said while it was drawn.
type Result struct {
	Problems      []string // the page's own (a map that did not draw...)
	ConsoleErrors []string // console errors and uncaught exceptions
}

// Chromium is one headless browser process.
type Chromium struct {
	cmd     *exec.Cmd
	profile string
	w       io.WriteCloser
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan message
	events  chan message
	done    chan struct{}
	readErr error
	stderr  bytes.Buffer
}

type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// Start launches Chromium. Close ends it.
func Start(ctx context.Context, path string) (*Chromium, error) {
	profile, err := os.MkdirTemp("", "patrimap-chromium-")
	if err != nil {
		return nil, err
	}
	toChrome, ourEnd, err := os.Pipe() // Chromium reads commands on fd 3
	if err != nil {
		os.RemoveAll(profile)
		return nil, err
	}
	fromChrome, theirEnd, err := os.Pipe() // and writes answers on fd 4
	if err != nil {
		toChrome.Close()
		ourEnd.Close()
		os.RemoveAll(profile)
		return nil, err
	}
	c := &Chromium{profile: profile, w: ourEnd, waiting: map[int]chan message{}, events: make(chan message, 256), done: make(chan struct{})}
	c.cmd = exec.CommandContext(ctx, path, append(append([]string{}, Flags...), "--user-data-dir="+profile, "about:blank")...)
	c.cmd.ExtraFiles = []*os.File{toChrome, theirEnd}
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		toChrome.Close()
		theirEnd.Close()
		ourEnd.Close()
		fromChrome.Close()
		os.RemoveAll(profile)
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	toChrome.Close()
	theirEnd.Close()
	go c.read(fromChrome)
	return c, nil
}

// read dispatches Chromium's messages: answers to their caller, events to the events channel.
func (c *Chromium) read(r io.ReadCloser) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			close(c.done)
			return
		}
		var m message
		if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			continue
		}
		if m.ID != 0 {
			c.mu.Lock()
			ch := c.waiting[m.ID]
			delete(c.waiting, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case c.events <- m:
		default: // nobody listens to this many events: drop the oldest kind of news
		}
	}
}

// call sends a command and waits for its answer.
func (c *Chromium) call(ctx context.Context, session, method string, params any, result any) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan message, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	body, err := json.Marshal(struct {
		ID        int    `json:"id"`
		Method    string `json:"method"`
		Params    any    `json:"params,omitempty"`
		SessionID string `json:"sessionId,omitempty"`
	}{id, method, params, session})
	if err != nil {
		return err
	}
	if _, err := c.w.Write(append(body, 0)); err != nil {
		return fmt.Errorf("chromium: %s: %w (%s)", method, err, c.lastWords())
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("chromium: %s: %s", method, m.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-c.done:
		return fmt.Errorf("chromium exited during %s (%s)", method, c.lastWords())
	case <-ctx.Done():
		return fmt.Errorf("chromium: %s: %w", method, ctx.Err())
	}
}

// lastWords is the end of Chromium's stderr, for messages.
func (c *Chromium) lastWords() string {
	s := strings.TrimSpace(c.stderr.String())
	if len(s) > 300 {
		s = "…" + s[len(s)-300:]
	}
	if s == "" {
		return "no message from chromium"
	}
	return s
}

// Close ends Chromium and removes its profile.
func (c *Chromium) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.call(ctx, "", "Browser.close", nil, nil)
	c.w.Close()
	waited := make(chan error, 1)
	go func() { waited <- c.cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-waited
	}
	return os.RemoveAll(c.profile)
}

// session is one tab.
type session struct {
	c      *Chromium
	id     string
	result Result
}

// open loads a page in a new tab and waits until it says it is drawn.
func (c *Chromium) open(ctx context.Context, p Page) (*session, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	s := &session{c: c, id: attached.SessionID}
	for _, m := range []string{"Page.enable", "Runtime.enable"} {
		if err := c.call(ctx, s.id, m, nil, nil); err != nil {
			return nil, err
		}
	}
	width := p.Width
	if width == 0 {
		width = 720
	}
	// Twice the pixels of the screen: the maps' images stay sharp on paper.
	if err := c.call(ctx, s.id, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": width, "height": 1100, "deviceScaleFactor": 2, "mobile": false}, nil); err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.listen(stop) }()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	err := c.call(ctx, s.id, "Page.navigate", map[string]any{"url": p.URL}, &nav)
	if err == nil && nav.ErrorText != "" {
		err = fmt.Errorf("chromium: %s: %s", p.URL, nav.ErrorText)
	}
	if err == nil {
		var out struct {
			Result struct {
				Value struct {
					Problems []string `json:"problems"`
				} `json:"value"`
			} `json:"result"`
			ExceptionDetails *struct {
				Text      string `json:"text"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		// The readiness promise may not exist yet while the page loads: wait for it.
		expr := `new Promise(function (ok) { (function wait() { var p = (` + p.Ready + `); if (p) p.then(ok); else setTimeout(wait, 100); })(); })`
		err = c.call(ctx, s.id, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, &out)
		if err == nil && out.ExceptionDetails != nil {
			err = fmt.Errorf("chromium: the page failed: %s %s", out.ExceptionDetails.Text, out.ExceptionDetails.Exception.Description)
		}
		s.result.Problems = out.Result.Value.Problems
	}
	close(stop)
	wg.Wait()
	return s, err
}

// listen collects the page's console errors and uncaught exceptions until stop.
func (s *session) listen(stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case m := <-s.c.events:
			if m.SessionID != s.id {
				continue
			}
			switch m.Method {
			case "Runtime.consoleAPICalled":
				var ev struct {
					Type string `json:"type"`
					Args []struct {
						Value       any    `json:"value"`
						Description string `json:"description"`
					} `json:"args"`
				}
				if json.Unmarshal(m.Params, &ev) == nil && ev.Type == "error" {
					var parts []string
					for _, a := range ev.Args {
						if a.Description != "" {
							parts = append(parts, a.Description)
						} else {
							parts = append(parts, fmt.Sprint(a.Value))
						}
					}
					s.result.ConsoleErrors = append(s.result.ConsoleErrors, strings.Join(parts, " "))
				}
			case "Runtime.exceptionThrown":
				var ev struct {
					ExceptionDetails struct {
						Text      string `json:"text"`
						Exception struct {
							Description string `json:"description"`
						} `json:"exception"`
					} `json:"exceptionDetails"`
				}
				if json.Unmarshal(m.Params, &ev) == nil {
					s.result.ConsoleErrors = append(s.result.ConsoleErrors, ev.ExceptionDetails.Text+" "+ev.ExceptionDetails.Exception.Description)
				}
			}
		}
	}
}

// PDF prints a page to PDF (A4 and margins from the page's @page rule), with the page numbers at the bottom.
func (c *Chromium) PDF(ctx context.Context, p Page, footer string) ([]byte, Result, error) {
	s, err := c.open(ctx, p)
	if err != nil {
		return nil, Result{}, err
	}
	var out struct {
		Data string `json:"data"`
	}
	err = c.call(ctx, s.id, "Page.printToPDF", map[string]any{
		"preferCSSPageSize": true, "printBackground": true, "displayHeaderFooter": true,
		"headerTemplate": "<span></span>",
		"footerTemplate": `<div style="font-size:7px;width:100%;margin:0 12mm;color:#555;display:flex;justify-content:space-between"><span>` +
			htmlEscape(footer) + `</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
	}, &out)
	if err != nil {
		return nil, s.result, err
	}
	pdf, err := base64.StdEncoding.DecodeString(out.Data)
	return pdf, s.result, err
}

// snapshot turns the drawn page into a file that needs nothing else: its stylesheets inlined, its scripts
// and the links that only work on the server removed, and marked standalone.
const snapshot = `(async function () {
  var doc = document.documentElement.cloneNode(true);
  var links = Array.from(document.querySelectorAll('link[rel=stylesheet]'));
  var clones = Array.from(doc.querySelectorAll('link[rel=stylesheet]'));
  for (var i = 0; i < links.length; i++) {
    var css = await (await fetch(links[i].href)).text();
    var style = document.createElement('style');
    style.textContent = css.replace(/url\([^)]*\)/g, 'none');
    clones[i].replaceWith(style);
  }
  doc.querySelectorAll('script:not([type="application/json"]), link[rel=alternate]').forEach(function (e) { e.remove(); });
  doc.querySelector('body').setAttribute('data-standalone', 'true');
  return '<!doctype html>\n' + doc.outerHTML;
})()`

// HTML returns the drawn page as a standalone HTML file.
func (c *Chromium) HTML(ctx context.Context, p Page) ([]byte, Result, error) {
	s, err := c.open(ctx, p)
	if err != nil {
		return nil, Result{}, err
	}
	var out struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
	}
	if err := c.call(ctx, s.id, "Runtime.evaluate", map[string]any{"expression": snapshot, "awaitPromise": true, "returnByValue": true}, &out); err != nil {
		return nil, s.result, err
	}
	return []byte(out.Result.Value), s.result, nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
