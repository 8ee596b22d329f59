package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// browserTools returns Node.js and Debian's chromium, and checks that playwright-core is installed: what the
// browser tests run on.
func browserTools(t *testing.T) (node, chromium string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: the browser tests run test/browser/*.spec.mjs with Node.js ≥ 20 " +
			"(apt-get install nodejs, then npm ci at the repository root)")
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("chromium not found at %s: apt-get install chromium, or set CHROMIUM to a Chromium binary", chromium)
	}
	if _, err := os.Stat("../../node_modules/playwright-core/package.json"); err != nil {
		t.Fatal("playwright-core is not installed: run npm ci at the repository root (package.json pins it)")
	}
	return node, chromium
}

// screenshotDir is where a browser test saves its screenshots: $PATRIMAP_SCREENSHOTS/name, or a folder of the
// test's own (named in the log, removed after the test).
func screenshotDir(t *testing.T, name string) string {
	t.Helper()
	shots := os.Getenv("PATRIMAP_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
		t.Logf("screenshots in %s (removed after the test: set PATRIMAP_SCREENSHOTS=/some/dir to keep them)", shots)
		return shots
	}
	shots, err := filepath.Abs(filepath.Join(shots, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	return shots
}

// runSpec runs a browser spec with node and env, logging its lines, within limit.
func runSpec(t *testing.T, node, spec string, limit time.Duration, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, spec)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish in %s", spec, limit)
	}
	if err != nil {
		t.Fatalf("%s: %v: the checks marked FAIL above failed", spec, err)
	}
}
