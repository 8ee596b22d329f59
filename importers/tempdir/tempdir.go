// Package tempdir makes the scratch folders of an import (a zip's shapefile extracted once for several passes)
// and removes those that a killed process left behind. Each folder is named after the process that made it,
// patrimap-<purpose>-<pid>-<random>, so that a later run can tell a folder in use from one whose process is gone:
// a `kill -9` leaves no chance to clean up, the next import does it.
package tempdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// legacyAge is how old a folder named before the pid was part of the name (patrimap-zip-<random>) must be to
// be removed: no import runs that long.
const legacyAge = 24 * time.Hour

// New makes a new folder for purpose ("zip") in the system's temporary directory, after removing the folders
// of that purpose left by processes that no longer run. The caller removes it when done.
func New(purpose string) (string, error) {
	Sweep(purpose)
	dir, err := os.MkdirTemp("", fmt.Sprintf("patrimap-%s-%d-", purpose, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("a temporary folder for the %s: %w", purpose, err)
	}
	return dir, nil
}

// Sweep removes the folders of purpose whose process is gone, and returns the paths removed. A folder it
// cannot remove (another user's) is left alone: sweeping is a courtesy, never a reason to fail an import.
func Sweep(purpose string) []string {
	tmp := os.TempDir()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil
	}
	prefix := "patrimap-" + purpose + "-"
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, prefix) {
			continue
		}
		if !stale(e, strings.TrimPrefix(name, prefix)) {
			continue
		}
		p := filepath.Join(tmp, name)
		if os.RemoveAll(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}

// stale tells whether the folder whose name ends with rest ("<pid>-<random>", or "<random>" for the folders of
// older versions) belongs to no running process.
func stale(e os.DirEntry, rest string) bool {
	pidText, _, ok := strings.Cut(rest, "-")
	if !ok {
		info, err := e.Info()
		return err == nil && time.Since(info.ModTime()) > legacyAge
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return false
	}
	return !running(pid)
}

// running tells whether a process of that id exists (signal 0 checks without sending anything). A process of
// another user answers "operation not permitted": it runs.
func running(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
