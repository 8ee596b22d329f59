package inpn

import (
	"path"
	"strconv"
	"strings"
)

// Layer describes one kind of natural-heritage space as INPN (or, for ENS, the départements) publish it: how to
// recognise its files, which source columns hold the identifier, name, creation date and area, and where its
// sheet is on the INPN site.
type Layer struct {
	Key      string // the --layer value: znieff1, natura2000-sic, pn, ...
	Title    string // dataset title, before the territory: "ZNIEFF de type I"
	Kind     string // the normalised `kind` of its features
	Producer string

	IDFields      []string // first non-empty wins
	NameFields    []string
	CreatedFields []string
	AreaFields    []string // hectares in every known delivery
	// URL is the sheet URL with {id} for the identifier; empty when the layer has none.
	URL string
	// WFSType is the Géoplateforme WFS type name.
	WFSType string
	// FilePrefixes recognise the layer from a file name (lower case, without extension).
	FilePrefixes []string
	// Code is the CODE_R_ENP value (protected areas' COVADIS files) that identifies the layer.
	Code string
	// NamePrefixes are type prefixes older deliveries put before names ("APB ", "RNN ").
	NamePrefixes []string
}

const producer = "INPN – MNHN/PatriNat"

var protectedIDs = []string{"ID_MNHN", "id_mnhn", "ID_LOCAL", "id_local", "DRGP_C_COD"} // DRGP_*: the ministry's PNR file
var protectedNames = []string{"NOM_SITE", "nom_site", "NOMZONE", "NOM", "nom", "DRGP_L_LIB"}
var protectedCreated = []string{"DATE_CREA", "date_crea"}
var protectedArea = []string{"SURF_OFF", "surf_off"}

const protectedURL = "https://inpn.mnhn.fr/espace/protege/{id}"

// Layers lists every layer patrimap knows, in the order `--layer auto` tries them.
func Layers() []Layer {
	protected := func(key, code, title, kind, wfs string, prefixes ...string) Layer {
		return Layer{Key: key, Title: title, Kind: kind, Producer: producer, IDFields: protectedIDs, NameFields: protectedNames,
			CreatedFields: protectedCreated, AreaFields: protectedArea, URL: protectedURL, WFSType: wfs, Code: code,
			FilePrefixes: append([]string{"n_enp_" + code + "_s_000", key}, prefixes...),
			NamePrefixes: []string{strings.ToUpper(key) + " ", code + " "}}
	}
	znieff := func(key, title, kind, wfs string) Layer {
		return Layer{Key: key, Title: title, Kind: kind, Producer: producer, IDFields: []string{"ID_MNHN", "id_mnhn", "NM_SFFZN"},
			NameFields: []string{"NOM", "nom", "LB_ZN", "nom_site"}, URL: "https://inpn.mnhn.fr/zone/znieff/{id}", WFSType: wfs,
			FilePrefixes: []string{key + "_mer", key}}
	}
	natura := func(key, title, kind, wfs, short string) Layer {
		return Layer{Key: key, Title: title, Kind: kind, Producer: producer, IDFields: []string{"SITECODE", "sitecode"},
			NameFields: []string{"SITENAME", "sitename", "nom_site"}, URL: "https://inpn.mnhn.fr/site/natura2000/{id}", WFSType: wfs,
			FilePrefixes: []string{short, "natura2000_" + short, "n2000_" + short}}
	}
	return []Layer{
		znieff("znieff1", "ZNIEFF de type I", "ZNIEFF de type I", "patrinat_znieff1:znieff1"),
		znieff("znieff2", "ZNIEFF de type II", "ZNIEFF de type II", "patrinat_znieff2:znieff2"),
		natura("natura2000-sic", "Natura 2000 – Zones spéciales de conservation (directive Habitats)", "Natura 2000 ZSC/SIC", "patrinat_sic:sic", "sic"),
		natura("natura2000-zps", "Natura 2000 – Zones de protection spéciale (directive Oiseaux)", "Natura 2000 ZPS", "patrinat_zps:zps", "zps"),
		protected("apb", "apb", "Arrêtés de protection de biotope", "Arrêté de protection de biotope", "patrinat_apb:apb"),
		protected("rnn", "rnn", "Réserves naturelles nationales", "Réserve naturelle nationale", "patrinat_rnn:rnn"),
		protected("rnr", "rnr", "Réserves naturelles régionales", "Réserve naturelle régionale", "patrinat_rnr:rnr"),
		protected("pn", "pn", "Parcs nationaux", "Parc national", "patrinat_pn:pn"),
		protected("pnr", "pnr", "Parcs naturels régionaux", "Parc naturel régional", "patrinat_pnr:pnr"),
		protected("rb", "rb", "Réserves biologiques", "Réserve biologique", "patrinat_rb:rb"),
		protected("rnc", "rnc", "Réserves naturelles de Corse", "Réserve naturelle de Corse", "patrinat_rnc:rnc"),
		protected("rncfs", "rncfs", "Réserves nationales de chasse et de faune sauvage", "Réserve nationale de chasse et de faune sauvage", "patrinat_rncfs:rncfs"),
		protected("ramsar", "ramsar", "Sites Ramsar", "Site Ramsar", "patrinat_ramsar:ramsar"),
		protected("mab", "mab", "Réserves de biosphère", "Réserve de biosphère", "patrinat_bios:bios", "bios"),
		{Key: "cen", Title: "Sites des Conservatoires d'espaces naturels", Kind: "Site d'un Conservatoire d'espaces naturels", Producer: producer,
			IDFields: []string{"ID_MNHN", "id_mnhn", "ID_ORG"}, NameFields: []string{"NOM", "nom", "nom_site"}, CreatedFields: []string{"DATE_", "date_crea"},
			AreaFields: []string{"SUPERFICE", "surf_off"}, URL: protectedURL, WFSType: "patrinat_cen:cen", FilePrefixes: []string{"cen", "n_enp_cen_s_000"}},
		{Key: "cdl", Title: "Terrains du Conservatoire du littoral", Kind: "Terrain du Conservatoire du littoral", Producer: producer,
			IDFields: []string{"ID_MNHN", "id_mnhn", "ID_ZONE", "ID_LOCAL"}, NameFields: []string{"NOM_SITE", "nom_site", "NOMZONE", "NOM"},
			CreatedFields: protectedCreated, AreaFields: protectedArea, URL: protectedURL, WFSType: "patrinat_cdl:conservatoire_littoral",
			FilePrefixes: []string{"cdl", "n_enp_cdl_s_000", "conservatoire_littoral"}, NamePrefixes: []string{"CDL "}},
		{Key: "ens", Title: "Espaces naturels sensibles", Kind: "Espace naturel sensible", Producer: "Département",
			IDFields: []string{"identifiant", "IDENTIFIANT", "id_ens", "gid"}, NameFields: []string{"nom", "NOM", "site", "nom_site"},
			CreatedFields: []string{"date_delib", "DATE_DELIB"}, AreaFields: []string{"surface_off", "SURFACE_OFF", "surface_hectare"},
			FilePrefixes: []string{"ens"}},
		{Key: "inpg", Title: "Inventaire du patrimoine géologique", Kind: "Site du patrimoine géologique", Producer: producer,
			IDFields: []string{"id_site", "ID_SITE", "identifiant", "id"}, NameFields: []string{"nom_site", "NOM_SITE", "nom", "NOM"},
			URL: "https://inpn.mnhn.fr/site/inpg/{id}", WFSType: "patrinat_inpg:inpg", FilePrefixes: []string{"inpg"}},
	}
}

// LayerByKey returns the layer with key k.
func LayerByKey(k string) (Layer, bool) {
	for _, l := range Layers() {
		if l.Key == k {
			return l, true
		}
	}
	return Layer{}, false
}

// Keys lists the --layer values.
func Keys() []string {
	var ks []string
	for _, l := range Layers() {
		ks = append(ks, l.Key)
	}
	return ks
}

// Recognise guesses the layer of a file from its name and fields, and says why. codes are the CODE_R_ENP values
// seen in the first records (COVADIS files say their type in every record).
// fileWords are words of file names that name a layer other than by its key.
var fileWords = map[string]string{"zsc": "natura2000-sic", "sic": "natura2000-sic", "zps": "natura2000-zps",
	"bios": "mab", "biosphere": "mab", "geologique": "inpg"}

func Recognise(fileName string, fields []string, codes []string) (Layer, string, bool) {
	base := strings.ToLower(strings.TrimSuffix(path.Base(fileName), path.Ext(fileName)))
	has := func(name string) bool {
		for _, f := range fields {
			if strings.EqualFold(f, name) {
				return true
			}
		}
		return false
	}
	for _, c := range codes {
		for _, l := range Layers() {
			if l.Code != "" && strings.EqualFold(l.Code, c) || (l.Key == "pn" && (c == "CPN" || c == "AAPN")) {
				return l, "CODE_R_ENP = " + c, true
			}
		}
	}
	for _, l := range Layers() {
		for _, p := range l.FilePrefixes {
			if base == p || strings.HasPrefix(base, p+"_") || strings.HasPrefix(base, p+"20") || strings.HasPrefix(base, p+"-") {
				return l, "file name " + path.Base(fileName), true
			}
		}
	}
	// Then a word of the file name: "oise60_natura_zps", "metropole_lyon69_ens_metro", "france_PNR_2020".
	words := strings.FieldsFunc(base, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })
	for _, w := range words {
		key := fileWords[w]
		if key == "" {
			if _, ok := LayerByKey(w); ok {
				key = w
			}
		}
		if l, ok := LayerByKey(key); ok && key != "" {
			return l, "word " + strconv.Quote(w) + " in the file name " + path.Base(fileName), true
		}
	}
	switch {
	case has("SITECODE") && strings.Contains(base, "zps"):
		l, _ := LayerByKey("natura2000-zps")
		return l, "field SITECODE and file name", true
	case has("SITECODE"):
		l, _ := LayerByKey("natura2000-sic")
		return l, "field SITECODE (Natura 2000; say --layer natura2000-zps for a ZPS file)", true
	case has("identifiant") && has("date_delib"):
		l, _ := LayerByKey("ens")
		return l, "fields identifiant and date_delib (AURA ENS exchange schema)", true
	}
	return Layer{}, "", false
}
