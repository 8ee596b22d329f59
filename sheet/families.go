package sheet

import (
	"strings"

	"github.com/patrimap/patrimap/store"
)

// family is what patrimap knows of the datasets of one source family, whatever the dataset: who makes them,
// under which licence, in which themes. It is derived from the catalogue entry (theme, producer, licence), so
// that the importers need not know about publication.
type family struct {
	name      string
	match     func(d store.Dataset) bool
	themes    []string // EU data themes
	inspireOn func(d store.Dataset) []string
	licence   string // URI used when the entry's licence text is not recognised
	words     []string
	maker     Agent // the producer's URL and type; its name is the entry's producer
}

var (
	licenceOuverte = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
	odbl           = "http://opendatacommons.org/licenses/odbl/1-0/"
)

// families, tried in order; the last matches every dataset.
var families = []family{
	{
		name: "inpn",
		match: func(d store.Dataset) bool {
			return d.Theme == store.ThemeNatural && (strings.Contains(d.Producer, "PatriNat") || strings.Contains(d.Producer, "INPN"))
		},
		themes: []string{"ENVI"}, inspireOn: always("ps"), licence: licenceOuverte,
		words: []string{"patrimoine naturel", "biodiversité", "espaces naturels", "INPN"},
		maker: Agent{URL: "https://inpn.mnhn.fr", Type: "NationalAuthority"},
	},
	{
		name:   "natural",
		match:  func(d store.Dataset) bool { return d.Theme == store.ThemeNatural },
		themes: []string{"ENVI"}, inspireOn: always("ps"), licence: licenceOuverte,
		words: []string{"patrimoine naturel", "espaces naturels"},
		maker: Agent{Type: "LocalAuthority"},
	},
	{
		name:   "culture",
		match:  func(d store.Dataset) bool { return d.Theme == store.ThemeCultural },
		themes: []string{"EDUC"},
		// A list of protected buildings (monuments historiques) is a list of protected sites in INSPIRE's sense;
		// museums and labels are not.
		inspireOn: func(d store.Dataset) []string {
			if _, ok := d.Field("protection"); ok {
				return []string{"ps"}
			}
			return nil
		},
		licence: licenceOuverte,
		words:   []string{"patrimoine culturel", "Ministère de la Culture"},
		maker:   Agent{URL: "https://www.culture.gouv.fr", Type: "NationalAuthority"},
	},
	{
		name:   "osm",
		match:  func(d store.Dataset) bool { return d.Theme == store.ThemeOSM },
		themes: []string{"REGI"}, inspireOn: always(), licence: odbl,
		words: []string{"OpenStreetMap"},
		maker: Agent{URL: "https://www.openstreetmap.org", Type: "NonProfitOrganisation"},
	},
	{
		name: "other", match: func(store.Dataset) bool { return true }, inspireOn: always(),
	},
}

func always(codes ...string) func(store.Dataset) []string {
	return func(store.Dataset) []string { return codes }
}

func familyOf(d store.Dataset) family {
	for _, f := range families {
		if f.match(d) {
			return f
		}
	}
	return families[len(families)-1]
}

func (f family) inspire(d store.Dataset) []string { return f.inspireOn(d) }

func (f family) creator(d store.Dataset) Agent {
	a := f.maker
	a.Name = d.Producer
	return a
}

// keywords are the family's words, then the kind of feature the title names ("Réserves naturelles
// nationales (Isère)" gives "Réserves naturelles nationales").
func (f family) keywords(d store.Dataset) []string {
	out := append([]string(nil), f.words...)
	if t, _, _ := strings.Cut(d.Title, " ("); t != "" && t != d.ID {
		out = appendNew(out, t)
	}
	return out
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return list
		}
	}
	return append(list, v)
}
