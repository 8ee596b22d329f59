package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/patrimap/patrimap/store/teststores"
	"github.com/patrimap/patrimap/tiles"
)

// replicaBinary builds patrimap once per test, to run it as the processes a deployment runs.
func replicaBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "patrimap")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startReplica runs `patrimap serve --db dsn` on a free port until the test ends, and returns its address
// once /readyz answers 200.
func startReplica(t *testing.T, bin, dsn string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		serving := regexp.MustCompile(`msg=serving addr=(http://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case base := <-addr:
		if res, body := fetch(t, base+"/readyz"); res.StatusCode != 200 {
			t.Fatalf("%s/readyz: %d %s", base, res.StatusCode, body)
		}
		return base
	case <-time.After(30 * time.Second):
		t.Fatal("patrimap serve did not say where it listens within 30 s")
	}
	return ""
}

// servedDataset is what a replica says of a dataset: its catalogue entry and how many features its items match.
type servedDataset struct {
	Version, FeatureCount, Matched int64
}

func served(t *testing.T, base, id string) servedDataset {
	t.Helper()
	var meta struct {
		Version      int64 `json:"version"`
		FeatureCount int64 `json:"feature_count"`
	}
	if err := json.Unmarshal(getBody(t, base+"/datasets/"+id), &meta); err != nil {
		t.Fatal(err)
	}
	var page struct {
		NumberMatched int64 `json:"numberMatched"`
	}
	if err := json.Unmarshal(getBody(t, base+"/collections/"+id+"/items?limit=1"), &page); err != nil {
		t.Fatal(err)
	}
	return servedDataset{meta.Version, meta.FeatureCount, page.NumberMatched}
}

// Two `patrimap serve` on one PostGIS database: a re-import by `patrimap import` (another process again) is
// answered by both within a second: the catalogue, the items and a vector tile they had already served.
func TestReplicasSeeReimport(t *testing.T) {
	dsn := teststores.PostGISDSN(t)
	bin := replicaBinary(t)
	apb := []string{"import", "inpn", "--file", "../../testdata/inpn/apb/subset_isere_38/apb.shp", "--dataset", "sites", "--db", dsn}
	if out, err := exec.Command(bin, apb...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", apb, err, out)
	}
	a, b := startReplica(t, bin, dsn), startReplica(t, bin, dsn)
	haut := orb.Point{6.2792835, 44.940056} // a vertex of the Haut-Vénéon national nature reserve
	tile := tileURL("sites", maptile.At(haut, 12))
	hasHautVeneon := func(base string) bool {
		res, body := fetch(t, base+tile)
		if res.StatusCode == 204 { // an empty tile
			return false
		}
		ls, err := tiles.DecodeMVT(body)
		if res.StatusCode != 200 || err != nil {
			t.Fatalf("%s%s: %d %v", base, tile, res.StatusCode, err)
		}
		for _, l := range ls {
			for _, f := range l.Features {
				if f.Properties["NOM_SITE"] == "Haut-Vénéon" {
					return true
				}
			}
		}
		return false
	}
	for _, base := range []string{a, b} {
		if got := served(t, base, "sites"); got != (servedDataset{1, 84, 84}) {
			t.Fatalf("%s serves %+v, want version 1 with the 84 biotope orders of Isère", base, got)
		}
		if hasHautVeneon(base) {
			t.Fatalf("%s: a biotope orders' tile with a nature reserve in it", base)
		}
	}
	rnn := []string{"import", "geojson", rnnFile, "--dataset", "sites", "--producer", "INPN", "--db", dsn}
	if out, err := exec.Command(bin, rnn...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", rnn, err, out)
	}
	imported := time.Now()
	for _, base := range []string{a, b} {
		for {
			got := served(t, base, "sites")
			if got == (servedDataset{2, 15, 15}) && hasHautVeneon(base) {
				break
			}
			if time.Since(imported) > time.Second {
				t.Fatalf("%s still serves %+v (tile with Haut-Vénéon: %v) %v after the re-import, want version 2 with the 15 national nature reserves",
					base, got, hasHautVeneon(base), time.Since(imported).Round(time.Millisecond))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// killTries is how many times TestKilledImportChangesNothing kills an import: a handful in the tests,
// $PATRIMAP_KILL_TRIES in bench/postgis-kill.sh (50).
func killTries(t *testing.T) int {
	if v := os.Getenv("PATRIMAP_KILL_TRIES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("PATRIMAP_KILL_TRIES=%q: a number of tries", v)
		}
		return n
	}
	return 5
}

// An import into PostGIS killed (SIGKILL) at any moment leaves the previous version served, whole, and nothing
// of the new one: no table in the datasets' schema but the dataset's, no catalogue entry half written. An
// import that finished before the kill is served whole instead.
func TestKilledImportChangesNothing(t *testing.T) {
	dsn := teststores.PostGISDSN(t)
	bin := replicaBinary(t)
	small := []string{"import", "inpn", "--file", "../../testdata/inpn/apb/subset_isere_38/apb.shp", "--dataset", "apb", "--db", dsn}
	if out, err := exec.Command(bin, small...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", small, err, out)
	}
	base := startReplica(t, bin, dsn)
	// The national biotope orders (792) take a second or two to import: the kills land in every step of it.
	national := []string{"import", "inpn", "--file", "../../testdata/inpn/apb/apb.zip", "--dataset", "apb", "--db", dsn}
	tries := killTries(t)
	before := served(t, base, "apb")
	killed := 0
	for i := range tries {
		cmd := exec.Command(bin, national...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+i*1800/tries) * time.Millisecond)
		cmd.Process.Kill()
		err := cmd.Wait()
		finished := err == nil
		got := served(t, base, "apb")
		switch {
		case got == before:
			if finished {
				t.Fatalf("try %d: the import finished, yet %+v is served", i+1, got)
			}
			killed++
		case got == servedDataset{before.Version + 1, 792, 792}:
			before = got // it committed before the kill, or finished
		default:
			t.Fatalf("try %d (killed after %v, finished: %v): %+v served, the previous version was %+v",
				i+1, time.Duration(50+i*1800/tries)*time.Millisecond, finished, got, before)
		}
		checkNoHalfImport(t, dsn, "apb")
	}
	t.Logf("%d tries: %d imports killed before their commit, the previous version served each time", tries, killed)
	if killed == 0 {
		t.Errorf("no import was killed before its commit in %d tries: the test did not test anything", tries)
	}
}

// checkNoHalfImport checks in PostgreSQL itself that the datasets' schema holds the table of dataset id and
// nothing else, and that the catalogue names that very table.
func checkNoHalfImport(t *testing.T, dsn, id string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("schema")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, os.Getenv(teststores.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`, schema)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var inCatalogue string
	err = conn.QueryRow(ctx, `SELECT c.relname FROM `+pgx.Identifier{schema + "_internal", "datasets"}.Sanitize()+` AS d
		JOIN pg_class AS c ON c.oid = d.relid WHERE d.id = $1`, id).Scan(&inCatalogue)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tables) != fmt.Sprint([]string{id}) || inCatalogue != id {
		t.Errorf("schema %s holds tables %v, the catalogue names %q: want only %q", schema, tables, inCatalogue, id)
	}
}
