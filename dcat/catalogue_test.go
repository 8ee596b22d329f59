package dcat

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/sheet"
	"github.com/patrimap/patrimap/store"
)

func entry(id string) Entry {
	d := store.Dataset{DatasetInfo: store.DatasetInfo{ID: id, Title: "Aires de jeux", Theme: store.ThemeOSM,
		Producer: "Contributeurs OpenStreetMap", Licence: "ODbL 1.0 (Open Database Licence)"},
		FeatureCount: 18, GeometryType: "Point", Version: 2, ImportedAt: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
		BBox: &orb.Bound{Min: orb.Point{1.4, 42.4}, Max: orb.Point{1.7, 42.6}}}
	return Entry{Dataset: d, Sheet: sheet.Compose(d, sheet.Record{}, sheet.Written{})}
}

func turtle(t *testing.T, o Options, entries []Entry, p Page) string {
	t.Helper()
	var b bytes.Buffer
	if err := Catalogue(o, entries, p).WriteTurtle(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The middle page links to the first, the last and both neighbours; the last has no next page.
func TestPaging(t *testing.T) {
	o := Options{Base: "https://p.example.org"}
	url := func(n int) string { return fmt.Sprintf("https://p.example.org/catalog.ttl?page=%d&page_size=1", n) }
	mid := turtle(t, o, []Entry{entry("b")}, Page{Number: 2, Size: 1, Total: 3, URL: url})
	for _, want := range []string{
		`hydra:totalItems "3"^^xsd:integer`,
		"<https://p.example.org/catalog.ttl?page=2&page_size=1> a hydra:PartialCollectionView ;",
		"hydra:first <https://p.example.org/catalog.ttl?page=1&page_size=1> ;",
		"hydra:last <https://p.example.org/catalog.ttl?page=3&page_size=1> ;",
		"hydra:previous <https://p.example.org/catalog.ttl?page=1&page_size=1> ;",
		"hydra:next <https://p.example.org/catalog.ttl?page=3&page_size=1> ;",
	} {
		if !strings.Contains(mid, want) {
			t.Errorf("page 2 lacks %q", want)
		}
	}
	last := turtle(t, o, []Entry{entry("c")}, Page{Number: 3, Size: 1, Total: 3, URL: url})
	if strings.Contains(last, "hydra:next") || !strings.Contains(last, "hydra:previous") {
		t.Errorf("last page:\n%s", last)
	}
}

// A dataset nobody described still has what DCAT-AP requires: a description made of what patrimap knows, a
// publisher, the licence on each distribution.
func TestUndescribedDataset(t *testing.T) {
	out := turtle(t, Options{Base: "https://p.example.org", Downloads: []Download{{".csv", "CSV", "text/csv"}}},
		[]Entry{entry("osm-playground")}, Page{Number: 1, Size: 100, Total: 1})
	for _, want := range []string{
		`dct:description "Aires de jeux : 18 objets (Point), source Contributeurs OpenStreetMap."@fr`,
		`dct:publisher <https://p.example.org/catalog#agent-contributeurs-openstreetmap>`,
		"<https://p.example.org/datasets/osm-playground.csv#distribution> a dcat:Distribution",
		"dct:license <http://opendatacommons.org/licenses/odbl/1-0/>",
		`dct:title "Open Data Commons Open Database License (ODbL)"`,
		"dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv>",
		"dct:format <http://publications.europa.eu/resource/authority/file-type/CSV>",
		`dcat:bbox "POLYGON((1.4 42.4,1.7 42.4,1.7 42.6,1.4 42.6,1.4 42.4))"^^gsp:wktLiteral`,
		`dct:modified "2026-11-30T10:00:00Z"^^xsd:dateTime`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if strings.Contains(out, "dcat:contactPoint") || strings.Contains(out, "dct:accrualPeriodicity") {
		t.Error("a contact or a frequency nobody gave")
	}
}

func TestDatesAndSlugs(t *testing.T) {
	for in, want := range map[string]string{"1961": "gYear", "2024-03": "gYearMonth", "2024-03-01": "date"} {
		if got := date(in).Datatype; !strings.HasSuffix(got, "#"+want) {
			t.Errorf("%s: %s", in, got)
		}
	}
	if s := slug("Département de l'Isère"); s != "departement-de-l-isere" {
		t.Errorf("slug %q", s)
	}
}
