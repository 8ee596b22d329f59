package spatialite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/storetest"
)

// TestMain lets this test binary act as an importer that gets killed (see TestKilledImportLeavesPreviousVersion).
func TestMain(m *testing.M) {
	if db := os.Getenv("PATRIMAP_TEST_KILLED_IMPORT"); db != "" {
		killedImport(db)
		return
	}
	os.Exit(m.Run())
}

// killedImport starts a re-import of dataset "rnn", gets as far as swapping the tables inside its transaction,
// says so, and waits to be killed.
func killedImport(db string) {
	ctx := context.Background()
	s, err := Open(ctx, db)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	info := store.DatasetInfo{ID: "rnn", Title: "v2", Producer: "x"}

	im, err := s.BeginImport(ctx, info.ID, store.ImportOptions{})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	for i := 0; i < 5000; i++ {
		im.Add(ctx, store.Row{Geometry: orb.Point{5, 45}, Properties: []store.Property{{Key: "i", Value: int64(i)}}})
	}
	if _, err := im.Finish(ctx); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("READY")
	time.Sleep(time.Minute)
	os.Exit(3)
}

func TestKilledImportLeavesPreviousVersion(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kill.db")
	ctx := context.Background()
	s, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	importFixture(t, s, "rnn", loadFixture(t, "rnn-isere.geojson"), nil)
	before := dumpDataset(t, s, "rnn")

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PATRIMAP_TEST_KILLED_IMPORT="+db)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "READY" {
		cmd.Process.Kill()
		t.Fatalf("child importer said %q", line)
	}
	// While the child holds its transaction, this process still reads version 1.
	if got := dumpDataset(t, s, "rnn"); got != before {
		t.Error("during the child's import, the dataset read differs")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s.Close()

	s, err = Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dumpDataset(t, s, "rnn"); got != before {
		t.Errorf("after kill -9 the dataset changed:\n%.300s\nwant\n%.300s", got, before)
	}
	var ok int
	s.db.QueryRow(`SELECT CheckSpatialIndex('rnn', 'geom')`).Scan(&ok)
	if ok != 1 {
		t.Errorf("spatial index inconsistent after kill -9 (CheckSpatialIndex = %d)", ok)
	}
}

// dumpDataset renders a dataset as of a new snapshot (see storetest.Dump).
func dumpDataset(t *testing.T, s *Store, id string) string {
	t.Helper()
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	return storetest.Dump(t, snap, id)
}
