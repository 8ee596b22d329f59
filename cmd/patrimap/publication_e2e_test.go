package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/wkt"

	"github.com/patrimap/patrimap/server"
	"github.com/patrimap/patrimap/static"
	"github.com/patrimap/patrimap/store/spatialite"
)

// publicationStore imports an INPN layer, a Mérimée list and an OpenStreetMap theme (the bundled real files),
// describes the catalogue and one dataset as a heritage officer would, and leaves the others as imported.
func publicationStore(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "pub.db")
	for _, args := range [][]string{
		{"import", "inpn", "--file", "../../testdata/inpn/rnn/subset_isere_38/N_ENP_RNN_S_000.shp", "--dataset", "rnn-isere"},
		{"import", "culture", "--list", "merimee", "--file", "../../testdata/culture/merimee-isere-camlebrun.csv", "--dataset", "merimee-isere"},
		{"import", "osm", "--theme", "playground", "--file", osmTestdata + "andorra-latest.osm.bz2"},
		{"describe", "--catalogue", "--title", "Patrimoine naturel et culturel de l'Isère", "--publisher-name", "Département de l'Isère",
			"--publisher-url", "https://www.isere.fr", "--publisher-type", "LocalAuthority", "--contact-name", "Service patrimoine",
			"--contact-email", "patrimoine@example.org"},
		{"describe", "rnn-isere", "--description", "Les réserves naturelles nationales de l'Isère, d'après l'INPN (PatriNat).",
			"--keywords", "réserve naturelle,biodiversité", "--contact-name", "Service patrimoine naturel", "--contact-email", "nature@example.org",
			"--periodicity", "annuelle", "--territory", "dep:38", "--issued", "2024-03-01"},
	} {
		if out, err := patrimap(t, append(args, "--db", db)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	from := filepath.Join(t.TempDir(), "rnn.yaml")
	os.WriteFile(from, []byte("temporal:\n  start: \"1961\"\n  end: \"2024-12-31\"\n"), 0o644)
	if out, err := patrimap(t, "describe", "rnn-isere", "--from", from, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return db
}

// publicationServer serves db at a public base URL that is its own address, so that every URI of the
// catalogue can be fetched; without base, the server knows no public address.
func publicationServer(t *testing.T, db string, base bool) string {
	t.Helper()
	st, err := spatialite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	var opts []server.Option
	if base {
		opts = append(opts, server.WithBaseURL(u))
	}
	srv := httptest.NewUnstartedServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), static.Files, opts...).Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); st.Close() })
	return u
}

func fetch(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// node runs a script of test/dcat with Node.js and decodes its JSON output into v.
func node(t *testing.T, v any, script string, args ...string) {
	t.Helper()
	bin, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: the publication tests run test/dcat/*.mjs with Node.js ≥ 20 (apt-get install nodejs, then npm ci at the repository root)")
	}
	for _, pkg := range []string{"rdf-validate-shacl", "@zazuko/env-node", "datapackage", "tableschema"} {
		if _, err := os.Stat("../../node_modules/" + pkg + "/package.json"); err != nil {
			t.Fatalf("%s is not installed: run npm ci at the repository root (package.json pins it)", pkg)
		}
	}
	cmd := exec.Command(bin, append([]string{"../../test/dcat/" + script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("node %s: %v\n%.500s", script, err, out)
	}
}

// Publication end to end, on one store holding INPN, culture and OpenStreetMap datasets served at its own
// public address: the catalogue against SEMIC's shapes, as harvesters read it, the schemas and data packages
// against Frictionless' validators, the sheet page. (One store: imports cost more than the checks.)
func TestPublication(t *testing.T) {
	db := publicationStore(t)
	base := publicationServer(t, db, true)
	t.Run("SEMIC shapes", func(t *testing.T) { testSEMICShapes(t, base) })
	t.Run("harvesters", func(t *testing.T) { testHarvesters(t, db, base) })
	t.Run("schema and data package", func(t *testing.T) { testSchemaAndDataPackage(t, base) })
	t.Run("sheet page", func(t *testing.T) { testSheetPage(t, db, base) }) // last: it describes again
}

type shaclOut struct {
	Documents []struct {
		Path        string
		Triples     int
		NTriples    []string
		Validations []struct {
			Shapes           []string
			Conforms         bool
			ImportsNotLoaded []string
			Results          []struct {
				Severity, Component, Path, Message string
				Count                              int
				Focus                              []string
			}
		}
	}
}

// The catalogue of a store holding INPN, culture and OpenStreetMap datasets, in Turtle, JSON-LD and RDF/XML,
// has no violation of SEMIC's DCAT-AP 3.0.1 shapes (mandatory, ranges, controlled vocabularies, deprecated
// URIs); what the shapes warn about, and the recommended shapes' results, are printed.
func testSEMICShapes(t *testing.T, base string) {
	dir := t.TempDir()
	var docs []string
	for _, f := range []struct{ ext, accept, mediaType string }{
		{".ttl", "text/turtle", "text/turtle"},
		{".jsonld", "application/ld+json", "application/ld+json"},
		{".rdf", "application/rdf+xml", "application/rdf+xml"},
	} {
		res, body := fetch(t, base+"/catalog"+f.ext)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), f.mediaType) {
			t.Fatalf("/catalog%s: %d %s", f.ext, res.StatusCode, res.Header.Get("Content-Type"))
		}
		// Content negotiation on /catalog gives the same document, with its own page links.
		res, neg := fetch(t, base+"/catalog", "Accept", f.accept+", */*;q=0.1")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), f.mediaType) || !bytes.Equal(neg, body) {
			t.Errorf("/catalog with Accept %s: %d %s", f.accept, res.StatusCode, res.Header.Get("Content-Type"))
		}
		p := filepath.Join(dir, "catalog"+f.ext)
		os.WriteFile(p, body, 0o644)
		docs = append(docs, p+":"+f.mediaType)
	}
	shapes := "../../testdata/dcat-ap-3.0.1/shacl/"
	var out shaclOut
	node(t, &out, "shacl.mjs", append([]string{
		"--shapes", shapes + "shapes.ttl," + shapes + "range.ttl," + shapes + "mdr-vocabularies.shape.ttl," + shapes + "deprecateduris.ttl",
		"--shapes", shapes + "shapes_recommended.ttl"}, docs...)...)
	pageLink := regexp.MustCompile(`/catalog\.(ttl|jsonld|rdf)\?`)
	var reference []string
	for i, doc := range out.Documents {
		if doc.Triples < 300 {
			t.Errorf("%s: %d triples", doc.Path, doc.Triples)
		}
		// The three syntaxes say the same thing (but for each page's link to itself).
		norm := make([]string, len(doc.NTriples))
		for j, tr := range doc.NTriples {
			norm[j] = pageLink.ReplaceAllString(tr, "/catalog.EXT?")
		}
		sort.Strings(norm)
		if i == 0 {
			reference = norm
		} else if !reflect.DeepEqual(norm, reference) {
			t.Errorf("%s says something else than the Turtle (%d and %d triples)", filepath.Base(doc.Path), len(norm), len(reference))
		}
		for _, v := range doc.Validations {
			violations := 0
			for _, r := range v.Results {
				if r.Severity == "sh:Violation" {
					violations += r.Count
					t.Errorf("%s, %v: VIOLATION %s %s: %s (%d, e.g. %v)", filepath.Base(doc.Path), v.Shapes, r.Component, r.Path, r.Message, r.Count, r.Focus)
				} else if i == 0 {
					t.Logf("%v: %s %s %s: %s (%d, e.g. %v)", v.Shapes, r.Severity, r.Component, r.Path, r.Message, r.Count, r.Focus)
				}
			}
			if i == 0 && len(v.ImportsNotLoaded) > 0 {
				t.Logf("%v: owl:imports not loaded (offline; the catalogue states the code-list memberships): %v", v.Shapes, v.ImportsNotLoaded)
			}
			t.Logf("%s against %v: %d violations", filepath.Base(doc.Path), v.Shapes, violations)
		}
	}
	if len(out.Documents) != 3 {
		t.Fatalf("%d documents read", len(out.Documents))
	}
}

// ldNode is a node of an expanded-enough JSON-LD document: patrimap's, with compact IRIs as keys.
type ldNode map[string]any

func ldGraph(t *testing.T, body []byte) map[string]ldNode {
	t.Helper()
	var doc struct {
		Graph []ldNode `json:"@graph"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]ldNode{}
	for _, n := range doc.Graph {
		out[n["@id"].(string)] = n
	}
	return out
}

func (n ldNode) values(key, kind string) []string {
	var out []string
	list, _ := n[key].([]any)
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			if s, ok := m[kind].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func (n ldNode) ids(key string) []string  { return n.values(key, "@id") }
func (n ldNode) vals(key string) []string { return n.values(key, "@value") }
func (n ldNode) is(class string) bool {
	types, _ := n["@type"].([]any)
	for _, c := range types {
		if c == class {
			return true
		}
	}
	return false
}

// The catalogue as data.gouv.fr's harvester and ckanext-dcat read it: pages followed by hydra:next, every
// property they map present, every URL answering.
func testHarvesters(t *testing.T, db, base string) {

	// udata's DcatBackend.walk_graph: a page, its hydra:PartialCollectionView, its hydra:next, until none.
	graph := map[string]ldNode{}
	seen := map[string]int{}
	pages := 0
	for next := base + "/catalog.jsonld?page_size=1"; next != ""; pages++ {
		res, body := fetch(t, next)
		if res.StatusCode != 200 || pages > 5 {
			t.Fatalf("%s: %d (page %d)", next, res.StatusCode, pages+1)
		}
		next = ""
		for id, n := range ldGraph(t, body) {
			graph[id] = n
			if n.is("hydra:PartialCollectionView") {
				if nx := n.ids("hydra:next"); len(nx) == 1 {
					next = nx[0]
				}
				if pages == 0 && len(n.ids("hydra:previous")) != 0 {
					t.Errorf("the first page has a previous one")
				}
			}
			if n.is("dcat:Dataset") {
				seen[n.vals("dct:identifier")[0]]++
			}
		}
	}
	if pages != 3 || !reflect.DeepEqual(seen, map[string]int{"rnn-isere": 1, "merimee-isere": 1, "osm-playground": 1}) {
		t.Fatalf("%d pages, datasets %v", pages, seen)
	}
	if res, _ := fetch(t, base+"/catalog.ttl?page=4&page_size=1"); res.StatusCode != 404 {
		t.Errorf("page 4 of 3: %d", res.StatusCode)
	}
	if res, _ := fetch(t, base+"/catalog.ttl?page_size=0"); res.StatusCode != 400 {
		t.Errorf("page_size=0: %d", res.StatusCode)
	}

	var urls []string
	for _, id := range []string{"rnn-isere", "merimee-isere", "osm-playground"} {
		d := graph[base+"/datasets/"+id+"#dataset"]
		if d == nil {
			t.Fatalf("no dataset %s", id)
		}
		// What both harvesters map to a dataset.
		for _, key := range []string{"dct:title", "dct:description", "dcat:keyword", "dct:identifier", "dct:modified", "dcat:version"} {
			if len(d.vals(key)) == 0 {
				t.Errorf("%s: no %s", id, key)
			}
		}
		for _, key := range []string{"dcat:theme", "dct:publisher", "dct:creator", "dcat:landingPage", "dct:spatial", "dct:accessRights", "dct:language", "dct:conformsTo", "dct:provenance"} {
			if len(d.ids(key)) == 0 {
				t.Errorf("%s: no %s", id, key)
			}
		}
		// Themes carry the labels udata turns into tags.
		for _, th := range d.ids("dcat:theme") {
			if len(graph[th].vals("skos:prefLabel")) == 0 {
				t.Errorf("%s: theme %s without skos:prefLabel", id, th)
			}
		}
		if name := graph[d.ids("dct:publisher")[0]].vals("foaf:name"); len(name) != 1 || name[0] != "Département de l'Isère" {
			t.Errorf("%s: publisher %v", id, name)
		}
		// GeoDCAT-AP: a Location with WKT geometry and bbox, as udata's spatial_from_rdf and ckanext-dcat read them.
		var loc ldNode
		for _, sp := range d.ids("dct:spatial") {
			if n := graph[sp]; n.is("dct:Location") && len(n.vals("locn:geometry")) > 0 {
				loc = n
			}
		}
		if loc == nil {
			t.Fatalf("%s: no spatial Location with locn:geometry", id)
		}
		for _, key := range []string{"locn:geometry", "dcat:bbox", "dcat:centroid"} {
			v := loc.values(key, "@value")
			typ := loc.values(key, "@type")
			if len(v) != 1 || typ[0] != "http://www.opengis.net/ont/geosparql#wktLiteral" {
				t.Fatalf("%s: %s %v %v", id, key, v, typ)
			}
			if _, err := wkt.Unmarshal(strings.ToUpper(v[0])); err != nil {
				t.Errorf("%s: %s %q: %v", id, key, v[0], err)
			}
		}
		dists := d.ids("dcat:distribution")
		if len(dists) != 8 {
			t.Errorf("%s: %d distributions", id, len(dists))
		}
		for _, du := range dists {
			dist := graph[du]
			lic := dist.ids("dct:license")
			if len(lic) != 1 || len(graph[lic[0]].vals("rdfs:label")) != 1 || len(graph[lic[0]].vals("dct:title")) != 1 {
				t.Errorf("%s: licence %v", du, lic)
			}
			if len(dist.ids("dcat:accessURL")) != 1 || len(dist.ids("dcat:mediaType")) != 1 || len(dist.vals("dct:title")) != 1 {
				t.Errorf("%s: accessURL, mediaType or title missing", du)
			}
			urls = append(urls, dist.ids("dcat:accessURL")...)
			urls = append(urls, dist.ids("dcat:downloadURL")...)
			for _, svc := range dist.ids("dcat:accessService") {
				urls = append(urls, graph[svc].ids("dcat:endpointURL")...)
				urls = append(urls, graph[svc].ids("dcat:endpointDescription")...)
			}
		}
		urls = append(urls, d.ids("dcat:landingPage")...)
		urls = append(urls, d.ids("dct:conformsTo")...)
	}
	// What the heritage officer wrote is there.
	rnn := graph[base+"/datasets/rnn-isere#dataset"]
	cp := graph[rnn.ids("dcat:contactPoint")[0]]
	freq := rnn.ids("dct:accrualPeriodicity")
	pt := graph[rnn.ids("dct:temporal")[0]]
	if cp.vals("vcard:fn")[0] != "Service patrimoine naturel" || cp.ids("vcard:hasEmail")[0] != "mailto:nature@example.org" ||
		len(freq) != 1 || freq[0] != "http://publications.europa.eu/resource/authority/frequency/ANNUAL" ||
		pt.vals("dcat:startDate")[0] != "1961" || pt.vals("dcat:endDate")[0] != "2024-12-31" || rnn.vals("dct:issued")[0] != "2024-03-01" {
		t.Errorf("the sheet written with describe: contact %v, frequency %v, temporal %v, issued %v", cp, freq, pt, rnn.vals("dct:issued"))
	}

	// Every URL of the catalogue answers.
	sort.Strings(urls)
	checked := 0
	for i, u := range urls {
		if i > 0 && urls[i-1] == u {
			continue
		}
		if !strings.HasPrefix(u, base) {
			t.Errorf("a URI is not under the base URL: %s", u)
			continue
		}
		res, _ := fetch(t, u)
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", u, res.StatusCode)
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("only %d URLs checked", checked)
	}
	t.Logf("%d distinct URLs of the catalogue answer 200", checked)

	// One dataset's entry, by itself.
	res, body := fetch(t, base+"/datasets/rnn-isere.ttl")
	if res.StatusCode != 200 || !bytes.Contains(body, []byte("<"+base+"/datasets/rnn-isere#dataset> a dcat:Dataset")) {
		t.Errorf("/datasets/rnn-isere.ttl: %d\n%.300s", res.StatusCode, body)
	}

	// Without --base-url the catalogue refuses rather than mint URIs from the request.
	noBase := publicationServer(t, db, false)
	if res, body := fetch(t, noBase+"/catalog.ttl"); res.StatusCode != 503 || !bytes.Contains(body, []byte("--base-url")) {
		t.Errorf("no base URL: %d %s", res.StatusCode, body)
	}
}

// Each dataset's Table Schema names the columns of its CSV download, in order; its data package reads with
// Frictionless' validators (descriptor, schema, integrity, every row cast and checked), and a package whose
// rows break its schema does not.
func testSchemaAndDataPackage(t *testing.T, base string) {
	dir := t.TempDir()
	var zips []string
	want := map[string]int64{}
	for _, id := range []string{"rnn-isere", "merimee-isere", "osm-playground"} {
		_, sj := fetch(t, base+"/datasets/"+id+"/schema.json")
		var schema struct {
			Fields []struct{ Name string }
		}
		if err := json.Unmarshal(sj, &schema); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range schema.Fields {
			names = append(names, f.Name)
		}
		res, body := fetch(t, base+"/datasets/"+id+".csv")
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || res.StatusCode != 200 {
			t.Fatal(res.StatusCode, err)
		}
		if !reflect.DeepEqual(names, rows[0]) {
			t.Errorf("%s: schema fields %v\nCSV header %v", id, names, rows[0])
		}
		want[id] = int64(len(rows) - 1)
		res, zb := fetch(t, base+"/datasets/"+id+".datapackage.zip")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("%s data package: %d %s", id, res.StatusCode, res.Header.Get("Content-Type"))
		}
		p := filepath.Join(dir, id+".zip")
		os.WriteFile(p, zb, 0o644)
		zips = append(zips, p)
	}
	// The descriptor carries the sheet: licences, sources, contributors.
	zr, err := zip.OpenReader(zips[0])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var desc struct {
		Licenses     []struct{ Name, Path, Title string }
		Sources      []struct{ Title, Path string }
		Contributors []struct{ Title, Role, Email string }
		Sheet        struct{ Periodicity string }
	}
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "datapackage.json" {
			r, _ := f.Open()
			json.NewDecoder(r).Decode(&desc)
			r.Close()
		}
	}
	zr.Close()
	if !reflect.DeepEqual(names, []string{"rnn-isere.csv", "schema.json", "datapackage.json"}) || len(desc.Licenses) != 1 ||
		desc.Licenses[0].Path != "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" || desc.Licenses[0].Name != "etalab-2.0" ||
		len(desc.Sources) != 1 || desc.Sources[0].Title != "INPN – MNHN/PatriNat" || desc.Sheet.Periodicity != "ANNUAL" {
		t.Errorf("package %v: %+v", names, desc)
	}
	roles := map[string]string{}
	for _, c := range desc.Contributors {
		roles[c.Role] = c.Title
	}
	if roles["author"] != "INPN – MNHN/PatriNat" || roles["publisher"] != "Département de l'Isère" || roles["maintainer"] != "Service patrimoine naturel" {
		t.Errorf("contributors %+v", desc.Contributors)
	}

	// The negative control: the Mérimée package with a schema its identifiers break.
	broken := filepath.Join(dir, "broken.zip")
	rewriteZip(t, zips[1], broken, "schema.json", func(b []byte) []byte {
		var s map[string]any
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		id := s["fields"].([]any)[1].(map[string]any)
		id["constraints"].(map[string]any)["pattern"] = `^PA\d{3}$` // Mérimée references have 8 digits
		out, _ := json.Marshal(s)
		return out
	})
	var out []struct {
		Path      string
		Valid     bool
		Errors    []string
		Resources []struct {
			Name string
			Rows int64
		}
	}
	node(t, &out, "datapackage.mjs", append(zips, broken)...)
	for _, p := range out[:3] {
		if !p.Valid || len(p.Resources) != 1 {
			t.Errorf("%s: invalid: %v", filepath.Base(p.Path), p.Errors)
			continue
		}
		if r := p.Resources[0]; r.Rows != want[r.Name] {
			t.Errorf("%s: %d rows read, the CSV has %d", r.Name, r.Rows, want[r.Name])
		}
	}
	if b := out[3]; b.Valid || len(b.Errors) == 0 || !strings.Contains(strings.Join(b.Errors, " "), "pattern") {
		t.Errorf("a package whose identifiers break its schema passes: %+v", b)
	}
}

// rewriteZip copies a zip, changing one member.
func rewriteZip(t *testing.T, from, to, member string, change func([]byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if f.Name == member {
			b = change(b)
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	os.WriteFile(to, buf.Bytes(), 0o644)
}

// The dataset's sheet page shows the fiche descriptive, what is missing, the last validation and the links to
// publish; a describe changes the page at once.
func testSheetPage(t *testing.T, db, base string) {
	res, body := fetch(t, base+"/datasets/rnn-isere", "Accept", "text/html")
	page := string(body)
	for _, want := range []string{"Fiche descriptive", "Service patrimoine naturel", "nature@example.org", "annuelle", "Isère (dep:38)",
		"Sites protégés", "Manque pour publier", "Rien ne manque pour publier", `href="/datasets/rnn-isere/schema.json"`,
		`href="/datasets/rnn-isere.datapackage.zip"`, `href="/datasets/rnn-isere.ttl"`, "Pas encore validé"} {
		if !strings.Contains(page, want) {
			t.Errorf("sheet page lacks %q", want)
		}
	}
	etag := res.Header.Get("ETag")
	if res, _ := fetch(t, base+"/datasets/rnn-isere", "Accept", "text/html", "If-None-Match", etag); res.StatusCode != 304 {
		t.Errorf("revalidation: %d", res.StatusCode)
	}
	if out, err := patrimap(t, "describe", "rnn-isere", "--title", "Réserves naturelles nationales de l'Isère", "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	res, body = fetch(t, base+"/datasets/rnn-isere", "Accept", "text/html", "If-None-Match", etag)
	if res.StatusCode != 200 || !strings.Contains(string(body), "<dt>Titre</dt><dd>Réserves naturelles nationales de l&#39;Isère</dd>") {
		t.Errorf("after describe: %d", res.StatusCode)
	}
	_, body = fetch(t, base+"/datasets/osm-playground?f=html&lang=en")
	if !strings.Contains(string(body), "Missing for publication") || !strings.Contains(string(body), "ODbL") {
		t.Errorf("English sheet of the OSM dataset lacks the missing list or its licence")
	}
}
