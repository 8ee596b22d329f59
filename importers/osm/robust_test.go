package osm

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/osm"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/limit"
)

const oneNode = `<?xml version="1.0" encoding="UTF-8"?><osm version="0.6" generator="test">` +
	`<node id="1" version="1" lat="42.5" lon="1.5"><tag k="leisure" v="playground"/></node>`

// compressed writes content (head, then n bytes of filler, then tail) through the tool (gzip or bzip2) into a
// file of the test's folder.
func compressed(t *testing.T, tool, name, head string, filler []byte, n int, tail string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is needed: apt-get install -y %s", tool, tool)
	}
	p := filepath.Join(t.TempDir(), name)
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(tool, "-c")
	cmd.Stdout = out
	cmd.Stdin = io.MultiReader(strings.NewReader(head), io.LimitReader(&cycle{b: filler}, int64(n)), strings.NewReader(tail))
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return p
}

// cycle repeats b forever.
type cycle struct {
	b []byte
	i int
}

func (c *cycle) Read(p []byte) (int, error) {
	for k := range p {
		p[k] = c.b[c.i]
		c.i = (c.i + 1) % len(c.b)
	}
	return len(p), nil
}

// Issue 17: a 2 MB .osm.gz of one node and 2 GiB of white space imported with 8.4 GB of peak memory (4.3 GB
// here), the .bz2 the same. The same files, smaller, are refused early with the limit and little memory.
func TestDecompressionBombsRefused(t *testing.T) {
	th := mustTheme(t, "playground")
	tests := []struct {
		tool, name string
		filler     []byte
		n          int
		want       string
		heap       uint64 // the most the read may hold
	}{
		// White space between two elements: one XML token that encoding/xml would hold whole.
		{"gzip", "space.osm.gz", []byte(" "), 64 << 20, "osm: space.osm.gz: byte 160: a run of text between two tags longer than 16 MiB (limit 16 MiB;", 64 << 20},
		{"bzip2", "space.osm.bz2", []byte(" "), 64 << 20, "osm: space.osm.bz2: byte 160: a run of text between two tags longer than 16 MiB (limit 16 MiB;", 64 << 20},
		// Valid elements repeated: the expansion gives it away, once the file has inflated beyond what is decoded
		// in memory (xmlInMemory of dense nodes: about 430 MB of objects).
		{"gzip", "nodes.osm.gz", []byte(`<node id="2" version="1" lat="42.5" lon="1.5"/>` + "\n"), 80 << 20, "osm: nodes.osm.gz: the gzip stream inflates more than 100 times", 512 << 20},
		{"bzip2", "nodes.osm.bz2", []byte(`<node id="2" version="1" lat="42.5" lon="1.5"/>` + "\n"), 80 << 20, "osm: nodes.osm.bz2: the bzip2 stream inflates more than 100 times", 512 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compressed(t, tt.tool, tt.name, oneNode, tt.filler, tt.n, "</osm>\n")
			runtime.GC()
			stop := peakHeap()
			_, _, err := readAll(t, p, th, false)
			peak := stop()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, limit.ErrExceeded) || !errors.Is(err, importers.ErrBadInput) {
				t.Errorf("error %v\nwant one saying %q", err, tt.want)
			}
			if peak > tt.heap {
				t.Errorf("peak heap %d MiB reading a bomb, more than %d MiB", peak>>20, tt.heap>>20)
			}
		})
	}
}

// A compressed file small on disk but over xmlInMemory once inflated is read in streamed passes, with the
// same result as in memory.
func TestInMemoryRuleLooksAtTheInflatedSize(t *testing.T) {
	th := mustTheme(t, "heritage")
	b, err := os.ReadFile(testdata + "bleruais.osm")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "bleruais.osm.gz")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	os.WriteFile(p, z.Bytes(), 0o644)
	read := func(inMemory int64) []string {
		f, err := Open(p, Options{Theme: th})
		if err != nil {
			t.Fatal(err)
		}
		f.inMemory = inMemory
		var refs []string
		err = f.Records(context.Background(), &importers.Report{}, func(r importers.Record) error {
			refs = append(refs, r.Ref+" "+r.Geometry.GeoJSONType())
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return refs
	}
	whole, passes := read(xmlInMemory), read(1<<20)
	if len(whole) == 0 || strings.Join(whole, ",") != strings.Join(passes, ",") {
		t.Errorf("in memory: %d features, in passes: %d\n%v\n%v", len(whole), len(passes), whole, passes)
	}
}

// pbfOf writes the elements of an OSM XML file as PBF.
func pbfOf(t testing.TB, xmlPath string) []byte {
	t.Helper()
	var objs []osm.Object
	err := (&fileSource{f: &File{Path: xmlPath, Format: FormatOSMXML}}).scanAll(context.Background(), func(o osm.Object) error {
		objs = append(objs, o)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	pw, err := newPBFWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if err := pw.Write(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Issue 17: a truncated PBF said only "unexpected EOF". Wherever it is cut, the error names the file, the blob
// and its offset.
func TestTruncatedPBF(t *testing.T) {
	full := pbfOf(t, testdata+"bleruais.osm")
	th := mustTheme(t, "heritage")
	// Under 21 bytes the file is not recognised as PBF at all (it says so).
	for _, cut := range []int{21, 50, 200, len(full) / 2, len(full) - 1} {
		p := filepath.Join(t.TempDir(), "cut.osm.pbf")
		os.WriteFile(p, full[:cut], 0o644)
		_, _, err := readAll(t, p, th, false)
		if err == nil || !strings.Contains(err.Error(), "osm: cut.osm.pbf: blob ") || !strings.Contains(err.Error(), "it is truncated, download it again") {
			t.Errorf("cut at %d of %d bytes: %v", cut, len(full), err)
		}
	}
	if n := strings.Count(string(full), "OSMData"); n < 2 {
		t.Fatalf("the PBF has %d data blobs", n)
	}
}

// A blob of zeros that declares 1,000 bytes inflated without bound (four of them took 13 GB); one that
// declares more than the format allows is refused before anything is inflated.
func TestPBFBlobBombs(t *testing.T) {
	th := mustTheme(t, "playground")
	zeros := func(declared, inflated int) []byte {
		var b bytes.Buffer
		pw, err := newPBFWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		if err := pw.writeBlobDeclaring("OSMData", make([]byte, inflated), declared); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, tt := range []struct {
		name string
		pbf  []byte
		want string
	}{
		{"inflates beyond what it declares", zeros(1000, 64<<20), "blob 2 at byte 78: a blob that inflates beyond the 1,000 bytes it declares (limit the declared size;"},
		{"declares more than the format allows", zeros(100<<20, 1000), "blob 2 at byte 78: a blob that declares 100 MiB once inflated (limit 32 MiB;"},
		{"inflates to less than it declares", zeros(5000, 1000), "blob 2 at byte 78: its zlib data inflates to 1,000 bytes where it declares 5,000 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "bomb.osm.pbf")
			os.WriteFile(p, tt.pbf, 0o644)
			runtime.GC()
			stop := peakHeap()
			_, _, err := readAll(t, p, th, false)
			if peak := stop(); peak > 200<<20 {
				t.Errorf("peak heap %d MiB", peak>>20)
			}
			if err == nil || !strings.Contains(err.Error(), "osm: bomb.osm.pbf: "+tt.want) {
				t.Errorf("error %v\nwant one saying %q", err, tt.want)
			}
		})
	}
}

// A PBF's strings and a CSV export's cells may hold any bytes: tags that are not UTF-8 are read as
// Windows-1252 and counted.
func TestTagsNotUTF8(t *testing.T) {
	var b bytes.Buffer
	pw, err := newPBFWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(&osm.Node{ID: 1, Lat: 42.5, Lon: 1.5, Version: 1, Tags: osm.Tags{{Key: "leisure", Value: "playground"}, {Key: "name", Value: "Parc de l'\xc9glise"}}})
	if err := pw.Flush(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "latin.osm.pbf")
	os.WriteFile(p, b.Bytes(), 0o644)
	recs, _, err := readAll(t, p, mustTheme(t, "playground"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || prop(recs[0], "name") != "Parc de l'Église" {
		t.Fatalf("records %v", recs)
	}
	if rep, _, err := importFile(t, p, mustTheme(t, "playground"), false); err != nil || !strings.Contains(reportText(rep), textFix) {
		t.Errorf("%v, report:\n%s", err, reportText(rep))
	}
	js := writeTemp(t, "latin.json", "{\"version\":0.6,\"generator\":\"Overpass API\",\"elements\":["+
		"{\"type\":\"node\",\"id\":1,\"lat\":42.5,\"lon\":1.5,\"tags\":{\"leisure\":\"playground\",\"name\":\"Aire de l'\xe9cole\"}}]}")
	recs, _, err = readAll(t, js, mustTheme(t, "playground"), false)
	if err != nil || len(recs) != 1 || prop(recs[0], "name") != "Aire de l'école" {
		t.Errorf("Overpass JSON: %v %v", recs, err)
	}
	if rep, _, err := importFile(t, js, mustTheme(t, "playground"), false); err != nil || !strings.Contains(reportText(rep), textFix) {
		t.Errorf("%v, report:\n%s", err, reportText(rep))
	}
}

// Overpass responses, decoded whole, are bounded per element and per value; CSV exports per record, with the
// line where an unterminated quote opened.
func TestOversizedResponsesAndExports(t *testing.T) {
	th := mustTheme(t, "playground")
	big := strings.Repeat("A", limit.Value+1)
	tests := []struct {
		name, content, want string
	}{
		{"overpass.json", `{"version":0.6,"generator":"Overpass API","elements":[{"type":"node","id":1,"lat":1,"lon":2},` +
			`{"type":"node","id":2,"lat":1,"lon":2,"tags":{"name":"` + big + `"}}]}`,
			"osm: overpass.json: bad input: element 2: byte 147: a string longer than 16 MiB (limit 16 MiB;"},
		{"overpass.xml", `<?xml version="1.0"?><osm version="0.6" generator="Overpass API"><node id="1" lat="1" lon="2"><tag k="name" v="` + big + `"/></node></osm>`,
			"osm: overpass.xml: bad input: byte 94: a tag longer than 16 MiB (limit 16 MiB;"},
		{"deep.osm", `<?xml version="1.0"?><osm version="0.6">` + strings.Repeat("<a>", 100),
			"osm: deep.osm: byte 231: elements nested more than 64 deep (limit 64 levels;"},
		{"export.csv", "X,Y,osm_id,name\n1.5,42.5,node/1,Parc\n1.5,42.5,node/2,\"Parc \n" + strings.Repeat("1.5,42.5,node/3,Aire\n", limit.Value/20+1000),
			"osm: export.csv: line 3: a record longer than 16 MiB (limit 16 MiB; a quote opened there is probably never closed: close it, or remove it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, writeTemp(t, tt.name, tt.content), th, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, limit.ErrExceeded) {
				t.Errorf("error %v\nwant one saying %q", err, tt.want)
			}
		})
	}
}

// Found by fuzzing OSM XML: an id too large for paulmach/osm's ObjectID (whose type bits it overwrites) made
// ObjectID().Type() panic. Elements are told apart by their Go type; the file reads as it would with sane ids.
func TestHugeIDsDoNotPanic(t *testing.T) {
	orig, err := os.ReadFile(testdata + "sample.osm")
	if err != nil {
		t.Fatal(err)
	}
	huge := strings.ReplaceAll(strings.ReplaceAll(string(orig), `id="1831881213"`, `id="183188121300000000"`), `id="26659127"`, `id="2665912700000000000"`)
	if huge == string(orig) {
		t.Fatal("the ids to change are not in sample.osm")
	}
	th, err := ParseTheme([]byte(`{"name":"named","title":"Named","match":["name"],"geometry":"any","columns":[{"name":"nom","tags":["name"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	refs := func(path string) string {
		recs, _, err := readAll(t, path, th, false)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs {
			out = append(out, r.Ref+"="+fmt.Sprint(prop(r, "nom")))
		}
		sort.Strings(out) // osmgeojson orders by id
		return strings.Join(out, " ")
	}
	want, got := refs(testdata+"sample.osm"), refs(writeTemp(t, "huge.osm", huge))
	want = strings.ReplaceAll(strings.ReplaceAll(want, "node/1831881213=", "node/183188121300000000="), "way/26659127=", "way/2665912700000000000=")
	if !strings.Contains(want, "node/183188121300000000=Neu Broderstorf") || got != want {
		t.Errorf("with huge ids: %q\nwant %q", got, want)
	}
}
