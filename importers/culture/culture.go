// Package culture imports the Ministère de la Culture heritage inventories (Mérimée monuments historiques,
// musées de France, jardins remarquables, architecture contemporaine remarquable, maisons des Illustres) from the
// CSV, JSON and GeoJSON exports of data.culture.gouv.fr, data.gouv.fr and POP.
//
// It repairs what those files break (renamed columns, lost leading zeros, mojibake, swapped, shared or missing
// positions, protection histories packed in one cell) and keeps every row: an inventory entry without a
// position is still an entry. It reads the file it is given and nothing else: no HTTP, no store.
package culture

import (
	"sort"
	"strings"
)

// List is one of the ministry's inventories, with the column names its exports have used since 2019.
type List struct {
	Key      string // "merimee": the --list value and the start of dataset ids
	Title    string // "Monuments historiques (Mérimée)"
	Kind     string // what one row is, used when the file has no kind column: "musée de France"
	Producer string // « Ministère de la Culture », « Ministère de la Culture – Muséofile »
	// NoticeBase is the POP notice address the row's identifier is appended to; "" when the list has no
	// POP notices (jardins, maisons des Illustres).
	NoticeBase string
	// Aliases gives, for each role, the normalised header names that may hold it, best first. A row takes the
	// first non-empty cell among them that can be read.
	Aliases map[Role][]string
}

// Role is what a column means for the normalised output.
type Role int

// The roles a column can play.
const (
	RoleID             Role = iota // notice reference / identifier
	RoleName                       // title or official name
	RoleKind                       // dénomination, types
	RoleCommune                    // commune name(s)
	RoleINSEE                      // INSEE code(s) of the commune(s)
	RoleDepsRef                    // Muséofile ref_deps: INSEE code + 2-digit rank ("3854403")
	RoleDepartement                // département code or name
	RolePostcode                   // code postal
	RoleRegion                     // région code or name
	RolePosition                   // "lat,lon", "lat, lon", {lat, lon}, [lat, lon]
	RoleLatitude                   // separate latitude column
	RoleLongitude                  // separate longitude column
	RoleProtection                 // Mérimée protection history: "1862 : classé MH ; 1989/10/03 : inscrit MH partiellement"
	RoleProtectionType             // typologie de la protection
	RoleProtectionText             // précision de la protection (prose: "inscription par arrêté du 28 janvier 1975")
	roleCount
)

var roleNames = [...]string{"identifier", "name", "kind", "commune", "INSEE code", "ref_deps", "département",
	"postcode", "région", "position", "latitude", "longitude", "protection history", "protection type",
	"protection details"}

func (r Role) String() string { return roleNames[r] }

// Shared alias sets: the same words recur across lists.
var (
	positionAliases = []string{"coordonnees_au_format_wgs84", "p_coordonnees", "coordonnees_wgs84", "coordonnees",
		"coordonnees_geographiques", "geolocalisation", "geolocalisation_latlong", "geo_point_2d", "geo_point",
		"pop_coordonnees", "coor", "coordonnees_gps", "location", "wgs84", "geo"}
	latAliases = []string{"latitude", "lat", "pop_coordonnees_lat", "coordonnees_lat", "location_lat", "y"}
	lonAliases = []string{"longitude", "lon", "lng", "long", "pop_coordonnees_lon", "coordonnees_lon", "location_lon", "x"}
	regAliases = []string{"code_insee_region", "code_region", "region", "reg", "region_administrative"}
	depAliases = []string{"departement_format_numerique", "code_departement", "code_insee_departement",
		"numero_departement", "dpt", "dep", "departement", "departement_en_lettres"}
)

// labelLists are the lists of the DEPS "labels" schema (jardins remarquables, maisons des Illustres), which
// share their columns.
func labelAliases(names ...string) map[Role][]string {
	return map[Role][]string{
		RoleID:          {"identifiant_deps", "identifiant_origine", "identifiant", "id", "reference"},
		RoleName:        names,
		RoleKind:        {"types", "type", "typologie"},
		RoleCommune:     {"commune", "nom_de_la_commune", "ville"},
		RoleINSEE:       {"code_insee", "insee", "code_insee_commune", "code_commune"},
		RoleDepartement: depAliases,
		RolePostcode:    {"code_postal", "cp"},
		RoleRegion:      regAliases,
		RolePosition:    positionAliases,
		RoleLatitude:    latAliases,
		RoleLongitude:   lonAliases,
	}
}

var lists = []List{
	{
		Key: "merimee", Title: "Monuments historiques (Mérimée)", Kind: "monument historique",
		Producer: "Ministère de la Culture", NoticeBase: "https://www.pop.culture.gouv.fr/notice/merimee/",
		Aliases: map[Role][]string{
			RoleID: {"reference", "ref", "reference_de_la_notice", "reference_merimee", "identifiant"},
			RoleName: {"titre_editorial_de_la_notice", "appellation_courante", "tico", "titre_courant", "titre",
				"denomination_de_l_edifice", "denomination"},
			RoleKind: {"denomination_de_l_edifice", "denomination", "deno"},
			RoleCommune: {"commune_forme_editoriale", "commune", "commune_forme_index", "com", "commune0",
				"communes"},
			RoleINSEE: {"cog_insee_lors_de_la_protection", "insee", "code_insee", "cog_insee",
				"code_insee_commune"},
			RoleDepartement:    depAliases,
			RoleRegion:         regAliases,
			RolePosition:       positionAliases,
			RoleLatitude:       latAliases,
			RoleLongitude:      lonAliases,
			RoleProtection:     {"date_et_typologie_de_la_protection", "date_de_protection", "dpro", "date_protection"},
			RoleProtectionType: {"typologie_de_la_protection", "nature_de_la_protection", "protection"},
			RoleProtectionText: {"precision_de_la_protection", "precision_protection", "ppro"},
		},
	},
	{
		Key: "musees", Title: "Musées de France", Kind: "musée de France",
		Producer: "Ministère de la Culture – Muséofile", NoticeBase: "https://www.pop.culture.gouv.fr/notice/museo/",
		Aliases: map[Role][]string{
			RoleID: {"identifiant_museofile", "identifiant", "ref", "reference", "museofile", "ref_museofile",
				"identifiant_du_musee"},
			RoleName: {"nom_officiel_du_musee", "nom_officiel", "nomoff", "nom_du_musee", "nom_usage", "nomusage",
				"nom"},
			RoleCommune:     {"commune", "ville", "ville_m", "commune_m"},
			RoleINSEE:       {"code_insee", "insee", "code_insee_commune", "code_commune"},
			RoleDepsRef:     {"ref_deps"},
			RoleDepartement: depAliases,
			RolePostcode:    {"code_postal", "cp_m", "cp"},
			RoleRegion:      regAliases,
			RolePosition:    positionAliases,
			RoleLatitude:    latAliases,
			RoleLongitude:   lonAliases,
		},
	},
	{
		Key: "jardins", Title: "Jardins remarquables", Kind: "jardin remarquable",
		Producer: "Ministère de la Culture",
		Aliases:  labelAliases("nom_du_jardin", "nom", "denomination", "titre"),
	},
	{
		Key: "acr", Title: "Architecture contemporaine remarquable", Kind: "architecture contemporaine remarquable",
		Producer: "Ministère de la Culture", NoticeBase: "https://www.pop.culture.gouv.fr/notice/merimee/",
		Aliases: map[Role][]string{
			RoleID: {"reference_de_la_notice", "reference", "ref", "identifiant"},
			RoleName: {"titre_courant", "titre_editorial_de_la_notice", "appellation_courante", "titre",
				"denomination_de_l_edifice", "denomination"},
			RoleKind:        {"denomination_de_l_edifice", "denomination"},
			RoleCommune:     {"commune_forme_editoriale", "commune", "commune_forme_index"},
			RoleINSEE:       {"insee", "code_insee", "cog_insee", "cog_insee_lors_de_la_protection"},
			RoleDepartement: depAliases,
			RoleRegion:      regAliases,
			RolePosition:    positionAliases,
			RoleLatitude:    latAliases,
			RoleLongitude:   lonAliases,
		},
	},
	{
		Key: "illustres", Title: "Maisons des Illustres", Kind: "maison des Illustres",
		Producer: "Ministère de la Culture",
		Aliases:  labelAliases("nom_de_la_maison", "nom", "nom_du_lieu", "denomination", "titre", "nom_du_jardin"),
	},
}

// Lists returns the inventories, in a stable order.
func Lists() []List { return append([]List(nil), lists...) }

// Keys returns the --list values.
func Keys() []string {
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = l.Key
	}
	return out
}

// ListByKey returns the list with this key ("merimee", "musees", "jardins", "acr", "illustres"); a few
// spellings users type are accepted ("mh", "musées").
func ListByKey(key string) (List, bool) {
	k := strings.ToLower(strings.TrimSpace(key))
	switch k {
	case "mh", "monuments", "monuments-historiques":
		k = "merimee"
	case "musées", "museo", "museofile", "musees-de-france":
		k = "musees"
	case "jardins-remarquables":
		k = "jardins"
	case "maisons-des-illustres":
		k = "illustres"
	}
	for _, l := range lists {
		if l.Key == k {
			return l, true
		}
	}
	return List{}, false
}

// noticeURL is the POP notice of a row, or "" when the list has none or the identifier is not a POP one.
func (l List) noticeURL(id string) string {
	if l.NoticeBase == "" || id == "" || strings.ContainsAny(id, " /?#;") {
		return ""
	}
	return l.NoticeBase + id
}

// expected describes the headers a list needs, for the unknown-layout message.
func (l List) expected() string {
	var parts []string
	for _, r := range []Role{RoleID, RoleName, RoleINSEE, RoleCommune, RolePosition} {
		if a := l.Aliases[r]; len(a) > 0 {
			n := min(len(a), 4)
			parts = append(parts, r.String()+" ("+strings.Join(a[:n], " | ")+")")
		}
	}
	sort.Strings(parts[2:])
	return strings.Join(parts, "; ")
}
