package dossier

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/importers/territory"
)

//go:embed page.html
var pageSource string

var pageTemplate = template.Must(template.New("dossier").Funcs(template.FuncMap{
	"num": func(l string, n int64) string { return number(l, n) },
	// noun is the word that follows a count: {{noun $.L .Total "monumentsTotal"}}.
	"noun": func(l string, n any, key string) (string, error) {
		switch n := n.(type) {
		case int:
			return noun(l, int64(n), key), nil
		case int64:
			return noun(l, n, key), nil
		}
		return "", fmt.Errorf("noun %s: a count, not %T", key, n)
	},
	"ha":  func(l string, x float64) string { return hectares(l, x) },
	"pct": func(l string, x float64) string { return percent(l, x) },
	"day": day,
	// fig writes a figure with its key and raw value, for the tests (and scripts) that check it against the store.
	"fig": func(key string, value any, text string) template.HTML {
		raw := fmt.Sprint(value)
		if f, ok := value.(float64); ok {
			raw = strconv.FormatFloat(f, 'f', -1, 64)
		}
		return template.HTML(`<span class="fig" data-figure="` + template.HTMLEscapeString(key) + `" data-value="` +
			template.HTMLEscapeString(raw) + `">` + template.HTMLEscapeString(text) + `</span>`)
	},
	"deref": deref,
	"int64": func(n int) int64 { return int64(n) },
	// dict hands a sub-template the page and one value.
	"dict": func(p pageView, v any) struct {
		P pageView
		V any
	} {
		return struct {
			P pageView
			V any
		}{p, v}
	},
	"add": func(a, b int64) int64 { return a + b },
}).Parse(pageSource))

// Page says how to write a dossier's page.
type Page struct {
	Lang string // "fr" (default) or "en"
	// Inline, when set, reads the page's scripts and styles (by their /static/ path) to write them into the
	// page: a file that opens without the server. The maps need the server's tiles: such a page has none.
	Inline func(path string) ([]byte, error)
}

// pageView is what the template sees.
type pageView struct {
	L, Other   string
	T          map[string]string
	D          *Dossier
	Path       string // /territories/{spec}
	Standalone bool
	Data       template.JS // the dossier and the words the script needs, as JSON
	Charts     map[string]chartView
	MapLinks   map[string]string
	Assets     map[string]template.HTML
	Kind       string
	CountedBy  map[string]string
}

type chartView struct {
	ID, Title, Alt, CSVName string
	CSV                     template.URL
}

// Path is the address of a territory's dossier on the server.
func Path(spec string) string { return "/territories/" + url.PathEscape(spec) }

// HTML writes the dossier's page.
func (d *Dossier) HTML(w io.Writer, p Page) error {
	l := lang(p.Lang)
	v := pageView{L: l, Other: words[l]["otherLang"], T: words[l], D: d, Path: Path(d.Territory.Spec), Standalone: p.Inline != nil,
		Charts: map[string]chartView{}, MapLinks: map[string]string{}, Assets: map[string]template.HTML{}}
	v.Kind = words[l]["kind."+d.Territory.Kind]
	slug := territory.Slug(d.Territory.Name)
	titles := map[string]string{ChartMonumentsByCommune: v.T["byCommune"], ChartProtectionsByDecade: v.T["byDecade"],
		ChartNaturalByStatus: v.T["byStatus"], ChartNaturalByCommune: v.T["naturalByCommune"]}
	for _, c := range d.Charts {
		v.Charts[c.ID] = chartView{ID: c.ID, Title: titles[c.ID], Alt: d.textAlternative(l, c.ID), CSVName: slug + "-" + c.ID + ".csv",
			CSV: template.URL("data:text/csv;charset=utf-8;base64," + base64.StdEncoding.EncodeToString(c.CSV()))}
	}
	for _, m := range d.Maps {
		link := "/?" + (map[bool]string{true: "lang=en&", false: ""}[l == "en"]) + "#layers=" + strings.Join(m.Datasets, ",")
		if bb := d.Territory.BBox; bb != nil {
			link += fmt.Sprintf("&bbox=%s,%s,%s,%s", coord(bb[0]), coord(bb[1]), coord(bb[2]), coord(bb[3]))
		}
		v.MapLinks[m.Theme] = link
	}
	data, err := json.Marshal(struct {
		Lang    string            `json:"lang"`
		Words   map[string]string `json:"words"`
		Top     int               `json:"top"`
		Dossier *Dossier          `json:"dossier"`
	}{l, words[l], chartTop, d})
	if err != nil {
		return fmt.Errorf("dossier page: %w", err)
	}
	// JSON inside a <script>: "</" and "<!--" must not end or open anything.
	v.Data = template.JS(strings.NewReplacer("</", `<\/`, "<!--", `<\!--`).Replace(string(data)))
	for _, a := range []string{"/static/vendor/maplibre-gl.css", "/static/style.css", "/static/dossier.css",
		"/static/vendor/d3.min.js", "/static/vendor/plot.umd.min.js", "/static/layerstyle.js", "/static/dossier.js", "/static/vendor/maplibre-gl.js"} {
		v.Assets[a], err = asset(a, p.Inline)
		if err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, v); err != nil {
		return fmt.Errorf("dossier page: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// asset links a script or style, or writes it into the page when inline is set (and leaves MapLibre out: a
// page without the server has no tiles to draw).
func asset(path string, inline func(string) ([]byte, error)) (template.HTML, error) {
	css := strings.HasSuffix(path, ".css")
	if inline == nil {
		if css {
			return template.HTML(`<link rel="stylesheet" href="` + path + `">`), nil
		}
		return template.HTML(`<script src="` + path + `"></script>`), nil
	}
	if strings.Contains(path, "maplibre") {
		return "", nil
	}
	b, err := inline(path)
	if err != nil {
		return "", fmt.Errorf("dossier page: %s: %w", path, err)
	}
	if css {
		return template.HTML("<style>\n" + strings.ReplaceAll(string(b), "</style", `<\/style`) + "\n</style>"), nil
	}
	return template.HTML("<script>\n" + strings.ReplaceAll(string(b), "</script", `<\/script`) + "\n</script>"), nil
}

// coord writes a longitude or latitude with six decimals, without trailing zeros.
func coord(v float64) string {
	return strconv.FormatFloat(float64(int64(v*1e6+0.5*sign(v)))/1e6, 'f', -1, 64)
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// JSON writes the dossier's figures.
func (d *Dossier) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(d)
}
