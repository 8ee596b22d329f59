package umap

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/culture"
	gj "github.com/patrimap/patrimap/importers/geojson"
	"github.com/patrimap/patrimap/store"
	"github.com/patrimap/patrimap/store/spatialite"
)

// isereFixture is a store of two real Isère fixtures: the national nature reserves from their GeoJSON (every
// INPN column, SURF_OFF numeric, PRN_ASSO empty) and the Mérimée list of Isère (329 monuments around Grenoble,
// 4 rows without a position, 2 without a protection).
type isereFixture struct {
	st  *spatialite.Store
	sn  store.Snapshot
	all []store.Dataset
}

func newIsereFixture(t *testing.T) *isereFixture {
	t.Helper()
	ctx := context.Background()
	st, err := spatialite.Open(ctx, filepath.Join(t.TempDir(), "isere.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rnn, err := gj.Open("../testdata/rnn-isere.geojson", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rnn.Close()
	src, _, _ := importers.DescribeFile("../testdata/rnn-isere.geojson")
	if _, err := importers.Run(ctx, st, importers.Job{
		Info: store.DatasetInfo{ID: "rnn-isere", Title: "Réserves naturelles nationales", Producer: "INPN – MNHN/PatriNat",
			Theme: store.ThemeNatural, Licence: "Licence Ouverte 2.0", Source: src, Description: "Imported from rnn-isere.geojson (GeoJSON)."},
		Source: rnn, Report: &importers.Report{Source: "rnn-isere.geojson", Format: "GeoJSON"},
	}); err != nil {
		t.Fatal(err)
	}
	list, _ := culture.ListByKey("merimee")
	const csv = "../testdata/culture/merimee-isere-camlebrun.csv"
	f, err := culture.Open(csv, list)
	if err != nil {
		t.Fatal(err)
	}
	src, _, _ = importers.DescribeFile(csv)
	if _, err := importers.Run(ctx, st, importers.Job{
		Info: store.DatasetInfo{ID: "merimee-isere", Title: "Monuments historiques (Isère)", Theme: store.ThemeCultural,
			Producer: list.Producer, Licence: "Licence Ouverte 2.0", Source: src,
			Description: list.Title + ", imported from " + src.File + " (" + f.Format() + ")."},
		Fields: f.Fields(), Report: &importers.Report{Source: src.File, Format: f.Format()}, Source: &culture.Source{File: f},
	}); err != nil {
		t.Fatal(err)
	}
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sn.Close() })
	all, err := sn.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &isereFixture{st: st, sn: sn, all: all}
}

func (fx *isereFixture) build(t *testing.T, doc string, opt Options) (*Backup, Report, error) {
	t.Helper()
	m, err := ParseMap("test", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := m.Resolve(fx.all)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	}
	return Build(context.Background(), fx.sn, m, ds, opt)
}

func layerNamed(t *testing.T, b *Backup, name string) Layer {
	t.Helper()
	for _, l := range b.Layers {
		if l.Properties.Name == name {
			return l
		}
	}
	t.Fatalf("no layer %q", name)
	return Layer{}
}

func TestPopupTemplateNamesFilledColumnsOnly(t *testing.T) {
	d := store.Dataset{DatasetInfo: store.DatasetInfo{Theme: store.ThemeNatural}}
	for _, tc := range []struct {
		name      string
		fill      ColumnFill
		want, not []string
	}{
		{"created empty in every feature (APB, CEN)", ColumnFill{84, map[string]int{"name": 84, "kind": 84, "url": 84, "area_ha": 84, "id": 84}},
			[]string{"# {name}", "*{kind}*", "Surface : {area_ha} ha", "[[{url}|Fiche INPN]]"}, []string{"created", "Créé"}},
		{"created in every feature (RNN)", ColumnFill{15, map[string]int{"name": 15, "created": 15}},
			[]string{"Créé le : {created}"}, []string{"|"}},
		{"protection in 323 of 325 monuments", ColumnFill{325, map[string]int{"name": 325, "protection": 323, "url": 300}},
			[]string{`Protection : {protection|"non renseignée"}`, `Fiche INPN : {url|"non renseignée"}`}, []string{"[["}},
		{"no name, kind nor url: uMap's table", ColumnFill{3, map[string]int{"id": 3}}, nil, []string{"{"}},
	} {
		got := PopupTemplate(d, tc.fill)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q has %q", tc.name, got, n)
			}
		}
	}
}

// Every feature of a snapshot has a value for each key its layer's popup names without a fallback: uMap's
// rendering (greedyTemplate) prints nothing for a missing key, which leaves "Label : " on its own.
func TestSnapshotPopupsHaveNoEmptyLine(t *testing.T) {
	fx := newIsereFixture(t)
	b, _, err := fx.build(t, `{"name":"Isère","datasets":["rnn-isere","merimee-isere"]}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain := regexp.MustCompile(`\{ *([^{}/|-]+?) *\}`)
	for _, l := range b.Layers {
		tpl := l.Properties.PopupContentTemplate
		if l.Properties.PopupTemplate == "Table" {
			continue // uMap's table lists the properties a feature has
		}
		for i, raw := range l.Features {
			var f struct{ Properties map[string]any }
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			for _, m := range plain.FindAllStringSubmatch(tpl, -1) {
				if _, ok := f.Properties[m[1]]; !ok && m[1] != "name" {
					t.Errorf("%s: feature %d has no %q: its popup would show an empty line in %q", l.Properties.Name, i, m[1], tpl)
				}
			}
		}
	}
	mer := layerNamed(t, b, "Monuments historiques (Isère)")
	if !strings.Contains(mer.Properties.PopupContentTemplate, `{protection|"non renseignée"}`) {
		t.Errorf("2 monuments have no protection: %q", mer.Properties.PopupContentTemplate)
	}
}

// Layer descriptions and the caption are French and count what the layers hold: the Mérimée file has 329 rows,
// 4 of them without a position, so its layer holds 325.
func TestDescriptionsCountWhatLayersHold(t *testing.T) {
	fx := newIsereFixture(t)
	for _, mode := range []Mode{Snapshot, Live} {
		b, rep, err := fx.build(t, `{"name":"Isère","datasets":["rnn-isere","merimee-isere"]}`, Options{Mode: mode, BaseURL: "https://patrimap.example.org"})
		if err != nil {
			t.Fatal(err)
		}
		mer := layerNamed(t, b, "Monuments historiques (Isère)")
		for _, text := range []string{b.Properties.Description, mer.Properties.Description} {
			if !strings.Contains(text, "325 objets ; 4 lignes sans position, absentes de la carte") || strings.Contains(text, "329") {
				t.Errorf("mode %d: %q", mode, text)
			}
		}
		for _, l := range b.Layers {
			if strings.Contains(strings.ToLower(l.Properties.Description), "imported") || !strings.Contains(l.Properties.Description, "Importé par patrimap le 2026-") {
				t.Errorf("mode %d: layer %s: description %q", mode, l.Properties.Name, l.Properties.Description)
			}
		}
		if !strings.Contains(mer.Properties.Description, "Nature : monument historique") {
			t.Errorf("kind: %q", mer.Properties.Description)
		}
		if rep.Layers[1].Features != 325 || mode == Snapshot && len(mer.Features) != 325 {
			t.Errorf("mode %d: report %+v, %d features", mode, rep.Layers[1], len(mer.Features))
		}
		// uMap's Save of a new map records the view on screen: the map opens on its data instead.
		if b.Properties.DefaultView != "data" {
			t.Errorf("default view %q", b.Properties.DefaultView)
		}
	}
	b, _, err := fx.build(t, `{"name":"Isère","datasets":["rnn-isere"],"zoom":9,"center":[5.7,45.2]}`, Options{})
	if err != nil || b.Properties.DefaultView != "center" || b.Properties.Zoom != 9 || b.Geometry.Coordinates != [2]float64{5.7, 45.2} {
		t.Errorf("a map file's own view: %v %+v %v", err, b.Properties, b.Geometry)
	}
}

// A live layer of 329 monuments (about 100 kB) is fetched whole, once: not per view.
func TestSmallLiveLayersAreFetchedWhole(t *testing.T) {
	fx := newIsereFixture(t)
	b, rep, err := fx.build(t, `{"name":"Isère","datasets":["rnn-isere","merimee-isere"]}`, Options{Mode: Live, BaseURL: "https://patrimap.example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range b.Layers {
		r := l.Properties.RemoteData
		if r.Dynamic == nil || *r.Dynamic || strings.Contains(r.URL, "{bbox}") || l.Properties.FromZoom != 0 || rep.Layers[i].Dynamic ||
			!strings.HasPrefix(r.URL, "https://patrimap.example.org/umap/data/") || len(l.Features) != 0 {
			t.Errorf("layer %s: %+v", l.Properties.Name, l.Properties)
		}
	}
}

// Over the cap, a live layer is dynamic and hidden below the zoom from which no 2560×1600 px view holds more
// than the cap: checked here by counting what the remote endpoint would (the store's bbox query) in views
// centred on every monument and on a grid, at every zoom from fromZoom on.
func TestLiveFromZoomComesFromTheDensestPart(t *testing.T) {
	fx := newIsereFixture(t)
	ctx := context.Background()
	const cap = 40
	b, rep, err := fx.build(t, `{"name":"Isère","datasets":["merimee-isere"]}`, Options{Mode: Live, BaseURL: "https://p.example.org", FeatureCap: cap})
	if err != nil {
		t.Fatal(err)
	}
	l := b.Layers[0].Properties
	from := l.FromZoom
	if !*l.RemoteData.Dynamic || !strings.HasSuffix(l.RemoteData.URL, "?bbox={bbox}&zoom={zoom}") || from == 0 || rep.Layers[0].FromZoom != from {
		t.Fatalf("layer %+v, report %+v", l, rep.Layers[0])
	}
	d := fx.all[0]
	if d.ID != "merimee-isere" {
		d = fx.all[1]
	}
	var centres []orb.Point
	if err := fx.sn.Features(ctx, d, store.Query{Select: []string{}}, func(f *store.Feature) error {
		if f.Geometry != nil {
			centres = append(centres, f.Geometry.Bound().Center())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for x := d.BBox.Min[0]; x <= d.BBox.Max[0]; x += 0.05 {
		for y := d.BBox.Min[1]; y <= d.BBox.Max[1]; y += 0.05 {
			centres = append(centres, orb.Point{x, y})
		}
	}
	worst := func(z int) int64 {
		var most int64
		for _, c := range centres {
			v := viewAround(c, z)
			n, err := fx.sn.Count(ctx, d, store.Query{BBox: &v})
			if err != nil {
				t.Fatal(err)
			}
			most = max(most, n)
		}
		return most
	}
	for z := from; z <= from+3; z++ {
		if n := worst(z); n > cap {
			t.Errorf("zoom %d (fromZoom %d): a view holds %d features, more than the cap %d: uMap would get 413", z, from, n, cap)
		}
	}
	// Not needlessly high: two zooms out, a view over Grenoble holds more than the cap.
	if n := worst(from - 2); n <= cap {
		t.Errorf("zoom %d: the densest view holds %d ≤ %d, yet the layer is hidden below zoom %d", from-2, n, cap, from)
	}
	t.Logf("329 monuments, cap %d: fromZoom %d (densest view at zoom %d: %d features)", cap, from, from-1, worst(from-1))
}

// viewAround is the bbox of a ViewWidth×ViewHeight view centred on c at zoom z, as Leaflet's getBounds gives it.
func viewAround(c orb.Point, z int) orb.Bound {
	e := extentOf(orb.Bound{Min: c, Max: c})
	n := float64(int64(256) << z)
	hw, hh := float64(ViewWidth)/2/n, float64(ViewHeight)/2/n
	lon := func(x float64) float64 { return x*360 - 180 }
	lat := func(y float64) float64 { return 180 / math.Pi * math.Atan(math.Sinh(math.Pi*(1-2*y))) }
	x, y := float64(e[0]), float64(e[1])
	return orb.Bound{Min: orb.Point{lon(x - hw), lat(y + hh)}, Max: orb.Point{lon(x + hw), lat(y - hh)}}
}

func TestMaxWindow(t *testing.T) {
	cells := map[[2]int32]int64{{0, 0}: 1, {1, 1}: 2, {5, 5}: 4, {6, 7}: 8, {7, 6}: 16, {20, 0}: 3}
	for _, tc := range []struct {
		w, h int32
		want int64
	}{{1, 1, 16}, {2, 2, 24}, {3, 3, 28}, {8, 8, 31}, {21, 1, 16}, {21, 2, 24}, {100, 100, 34}} {
		if got := maxWindow(cells, tc.w, tc.h); got != tc.want {
			t.Errorf("%d×%d: %d, want %d", tc.w, tc.h, got, tc.want)
		}
	}
}

func TestThematicLayers(t *testing.T) {
	fx := newIsereFixture(t)
	const rnn, mer = `"rnn-isere"`, `"merimee-isere"`
	doc := func(id, style string) string {
		return `{"name":"t","datasets":[` + id + `],"styles":{` + id + `:` + style + `}}`
	}
	for _, tc := range []struct {
		name, doc string
		opt       Options
		check     func(t *testing.T, l LayerOptions)
		err       string
	}{
		{"choropleth of the official area", doc(rnn, `{"type":"Choropleth","choropleth":{"property":"SURF_OFF","mode":"quantiles","classes":4,"brewer":"Greens"}}`), Options{},
			func(t *testing.T, l LayerOptions) {
				if l.Type != "Choropleth" || *l.Choropleth != (Choropleth{Property: "SURF_OFF", Mode: "quantiles", Classes: 4, Brewer: "Greens"}) || l.Categorized != nil {
					t.Errorf("%+v", l)
				}
			}, ""},
		{"monuments by protection, not clustered", doc(mer, `{"type":"Categorized","categorized":{"property":"protection","brewer":"Set1"}}`), Options{},
			func(t *testing.T, l LayerOptions) {
				if l.Type != "Categorized" || l.Cluster != nil || l.Categorized.Property != "protection" {
					t.Errorf("%+v", l)
				}
			}, ""},
		{"live, by a column the popups do not carry", doc(mer, `{"type":"Categorized","categorized":{"property":"siecle"}}`), Options{Mode: Live, BaseURL: "https://p.example.org"},
			func(t *testing.T, l LayerOptions) {
				if !strings.Contains(l.RemoteData.URL, "fields=id,name,kind,commune,insee,url,protection,first_protected,first_protected_date,siecle") {
					t.Errorf("remote URL %s", l.RemoteData.URL)
				}
			}, ""},
		{"circles", doc(rnn, `{"type":"Circles","circles":{"property":"SURF_OFF","radius":{"min":3,"max":30}}}`), Options{},
			func(t *testing.T, l LayerOptions) {
				if l.Circles.Property != "SURF_OFF" || l.Circles.Radius.Max != 30 {
					t.Errorf("%+v", l.Circles)
				}
			}, ""},
		{"choropleth without its column", doc(rnn, `{"type":"Choropleth"}`), Options{}, nil,
			`type Choropleth needs "choropleth": {"property": COLUMN}, a numeric column uMap draws (rnn-isere: SURF_OFF)`},
		{"choropleth of text", doc(rnn, `{"type":"Choropleth","choropleth":{"property":"NOM_SITE"}}`), Options{}, nil, `"NOM_SITE" is text, and uMap's Choropleth needs numbers`},
		{"categories of a missing column", doc(mer, `{"type":"Categorized","categorized":{"property":"statut juridique"}}`), Options{}, nil, `merimee-isere has no such column`},
		{"categories of an empty column", doc(rnn, `{"type":"Categorized","categorized":{"property":"PRN_ASSO"}}`), Options{}, nil, `has no value in rnn-isere's 15 features`},
		{"circles of text", doc(mer, `{"type":"Circles","circles":{"property":"id"}}`), Options{}, nil,
			`circles.property "id" is text, and uMap's Circles needs numbers (merimee-isere: first_protected)`},
		{"monuments by the year of their first protection", doc(mer, `{"type":"Choropleth","choropleth":{"property":"first_protected","mode":"manual","breaks":"1840,1900,1950,2000,2030","classes":4}}`), Options{},
			func(t *testing.T, l LayerOptions) {
				if l.Type != "Choropleth" || l.Choropleth.Property != "first_protected" || l.Choropleth.Breaks != "1840,1900,1950,2000,2030" {
					t.Errorf("%+v", l)
				}
			}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _, err := fx.build(t, tc.doc, tc.opt)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := b.Marshal()
			for _, p := range Validate(data) {
				t.Error(p)
			}
			tc.check(t, b.Layers[0].Properties)
		})
	}
	// A choropleth's automatic breaks need a value in every feature.
	ld := &layerData{d: store.Dataset{DatasetInfo: store.DatasetInfo{ID: "x"}, Fields: []store.Field{{Name: "n", Type: store.FieldReal}}},
		placed: 10, filled: map[string]int{"n": 7}}
	st := Style{Type: "Choropleth", Choropleth: &Choropleth{Property: "n"}}
	if err := checkThematic(st, ld); err == nil || !strings.Contains(err.Error(), `no value in 3 of x's 10 features`) || !strings.Contains(err.Error(), "NaN - NaN") {
		t.Errorf("partial column: %v", err)
	}
	st.Choropleth.Mode, st.Choropleth.Breaks = "manual", "0,10,100"
	if err := checkThematic(st, ld); err != nil {
		t.Errorf("manual breaks: %v", err)
	}
}

func TestThematicSettingsInMapFiles(t *testing.T) {
	for _, tc := range []struct{ style, want string }{
		{`{"type":"Choropleth","choropleth":{"property":"a","mode":"natural"}}`, `mode "natural": uMap knows kmeans, equidistant`},
		{`{"type":"Choropleth","choropleth":{"property":"a","brewer":"Bleus"}}`, `brewer "Bleus": uMap's palettes are`},
		{`{"type":"Choropleth","choropleth":{"property":"a","classes":12}}`, `classes 12: uMap's range is 3..9`},
		{`{"type":"Choropleth","choropleth":{"property":"a","mode":"manual"}}`, `breaks "": "" is not a number`},
		{`{"type":"Choropleth","choropleth":{"property":"a","mode":"manual","breaks":"0,100,50"}}`, `must ascend`},
		{`{"type":"Choropleth","choropleth":{"property":"a","breaks":"0,100"}}`, `only read with "mode": "manual"`},
		{`{"type":"Categorized","choropleth":{"property":"a"}}`, `"choropleth" settings are for type Choropleth`},
		{`{"type":"Categorized","categorized":{"property":"a","mode":"manual"}}`, `needs "categories"`},
		{`{"type":"Circles","circles":{"property":"a","radius":{"min":30,"max":10}}}`, `radius min 30 must be below max 10`},
		{`{"type":"Categorized","categorized":{"property":"a","colour":"x"}}`, `unknown field "colour"`},
	} {
		_, err := ParseMap("t", []byte(`{"datasets":["a"],"styles":{"a":`+tc.style+`}}`))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.style, err, tc.want)
		}
	}
}

// The shipped Isère map lists the datasets `make demo` creates, each once, and no other id.
func TestShippedIsereMapMatchesTheDemo(t *testing.T) {
	demo := []string{"merimee-isere", "musees-isere", "apb-isere", "cen-isere", "pn-isere-aire-adhesion", "pn-isere-coeur", "rb-isere", "rnn-isere", "rnr-isere"}
	var all []store.Dataset
	for _, id := range demo {
		all = append(all, store.Dataset{DatasetInfo: store.DatasetInfo{ID: id}})
	}
	m, err := FindMap("isere", all)
	if err != nil {
		t.Fatal(err)
	}
	ds, warnings, err := m.Resolve(all)
	if err != nil || len(warnings) > 0 || len(ds) != len(demo) {
		t.Fatalf("%d layers, warnings %v, %v", len(ds), warnings, err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.ID)
	}
	want := "pn-isere-aire-adhesion pn-isere-coeur rnn-isere rnr-isere rb-isere apb-isere cen-isere merimee-isere musees-isere"
	if strings.Join(got, " ") != want {
		t.Errorf("layer order %v", got)
	}
}

// A dataset without a numeric column gets no list of columns to choose from, but the advice to choose another
// type.
func TestThematicWithoutNumbers(t *testing.T) {
	ld := &layerData{d: store.Dataset{DatasetInfo: store.DatasetInfo{ID: "textual"},
		Fields: []store.Field{{Name: "id", Type: store.FieldText}, {Name: "events", Type: store.FieldJSON}}}}
	err := checkThematic(Style{Type: "Circles", Circles: &Circles{Property: "id"}}, ld)
	if err == nil || !strings.Contains(err.Error(), `circles.property "id" is text, and uMap's Circles needs numbers; textual has no such column: choose another type`) {
		t.Errorf("error %v", err)
	}
}
