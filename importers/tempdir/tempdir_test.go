package tempdir

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// deadPID is the id of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestSweepRemovesOnlyFoldersOfDeadProcesses(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	live := exec.Command("sleep", "30")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { live.Process.Kill(); live.Wait() }()
	mk := func(name string, age time.Duration) string {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(p, "apb"), 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(p, "apb", "apb.shp"), []byte("x"), 0o600)
		old := time.Now().Add(-age)
		os.Chtimes(p, old, old)
		return p
	}
	dead := mk("patrimap-zip-"+strconv.Itoa(deadPID(t))+"-123", 0)
	mine := mk("patrimap-zip-"+strconv.Itoa(os.Getpid())+"-456", 0)
	other := mk("patrimap-zip-"+strconv.Itoa(live.Process.Pid)+"-789", 0)
	legacyOld := mk("patrimap-zip-3141592653", 48*time.Hour)
	legacyNew := mk("patrimap-zip-2718281828", time.Minute)
	otherPurpose := mk("patrimap-download-"+strconv.Itoa(deadPID(t))+"-1", 0)
	dir, err := New("zip")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(dir), "patrimap-zip-"+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("new folder %s is not named after this process", dir)
	}
	for p, kept := range map[string]bool{dead: false, legacyOld: false, mine: true, other: true, legacyNew: true, otherPurpose: true, dir: true} {
		_, err := os.Stat(p)
		if kept != (err == nil) {
			t.Errorf("%s: kept %v, want %v", filepath.Base(p), err == nil, kept)
		}
	}
}

// The reproduction of issue 17: a process killed with SIGKILL while its folder exists leaves it behind; the
// next one removes it.
func TestFolderOfAKilledProcessIsRemovedByTheNext(t *testing.T) {
	if os.Getenv("TEMPDIR_HELPER") == "1" {
		dir, err := New("zip")
		if err != nil {
			os.Exit(3)
		}
		os.WriteFile(filepath.Join(dir, "apb.shp"), make([]byte, 1<<20), 0o600)
		os.Stdout.WriteString(dir + "\n")
		time.Sleep(time.Minute)
		return
	}
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFolderOfAKilledProcessIsRemovedByTheNext$")
	cmd.Env = append(os.Environ(), "TEMPDIR_HELPER=1", "TMPDIR="+tmp)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _ := out.Read(buf)
	left := strings.TrimSpace(string(buf[:n]))
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(left, "apb.shp")); err != nil {
		t.Fatalf("the killed process's folder %q: %v", left, err)
	}
	t.Setenv("TMPDIR", tmp)
	dir, err := New("zip")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the folder of the killed process is still there: %v", err)
	}
}
