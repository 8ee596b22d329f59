package dossier

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// words are the page's words in each language; French is the default, as on the map.
var words = map[string]map[string]string{
	"fr": {
		"title": "Dossier patrimonial", "territories": "Territoires", "map": "Carte", "other": "English", "otherLang": "en",
		"otherLabel": "Read this dossier in English", "print": "Imprimer ou enregistrer en PDF", "json": "Données JSON",
		"skip":      "Aller au contenu",
		"kind.epci": "Intercommunalité (EPCI)", "kind.dep": "Département", "kind.commune": "Commune(s)",
		"communes": "communes", "commune": "commune", "area": "superficie", "dataDate": "Données importées jusqu'au",
		"generated": "Dossier produit le", "summary": "Synthèse", "inventory": "Inventaire", "producer": "Producteur",
		"count": "Nombre", "noPosition": "Sans position", "areaHa": "Surface (ha)", "share": "Part du territoire",
		"countedBy.commune": "par code commune", "countedBy.intersection": "par intersection", "countedBy.not-counted": "non compté",
		"method": "Méthode", "territoryArea": "Superficie du territoire",
		"naturalUnion": "Couvert par au moins un zonage du patrimoine naturel",
		"naturalSum":   "Somme des surfaces par statut (chevauchements comptés plusieurs fois)",
		"monuments":    "Monuments historiques", "monumentsTotal": "monuments historiques", "classe": "classés",
		"inscrit": "inscrits", "both": "classés et inscrits", "unknownProtection": "protection non précisée",
		"byCommune": "Monuments historiques par commune", "protections": "Les protections dans le temps",
		"byDecade": "Première protection par décennie", "oldest": "Les plus anciennes protections",
		"recent": "Les plus récentes", "date": "Date", "name": "Nom", "type": "Protection",
		"undated": "sans date de première protection", "natural": "Patrimoine naturel",
		"byStatus": "Surface par statut", "naturalByCommune": "Part de chaque commune couverte par le patrimoine naturel",
		"sites": "Sites", "coveredHa": "Couvert (ha)", "communeHa": "Superficie (ha)",
		"museums": "Musées de France", "museum": "Musée", "hours": "Horaires (OpenStreetMap opening_hours)",
		"hoursText": "Horaires tels qu'écrits par la source", "notRead": "non lus (voir le texte)",
		"noHours": "pas d'horaires dans les sources", "lists": "Jardins, architecture, maisons",
		"maps": "Cartes", "legend": "Légende", "outline": "Limite du territoire", "showOnMap": "Voir sur la carte",
		"unplaced": "Ce qui n'a pas pu être placé", "sources": "Sources et licences", "licence": "Licence",
		"retrieved": "Récupéré le", "imported": "Importé le", "version": "Version", "file": "Fichier",
		"csv": "Télécharger les données (CSV)", "dataTable": "Données du graphique", "textAlt": "Description",
		"notes": "Limites de ce dossier", "none": "aucun", "noData": "Aucune donnée de ce type dans la base pour ce territoire.",
		"hoursFrom": "horaires de la liste", "total": "Total", "rows": "lignes",
		"mapAlt": "Carte", "communeCol": "Commune", "kindCol": "Nature",
		// The singulars of the nouns that follow a count (see noun).
		"communes.one": "commune", "monumentsTotal.one": "monument historique", "classe.one": "classé", "inscrit.one": "inscrit",
		"both.one": "classé et inscrit", "rows.one": "ligne",
		"museumsOf": "musées", "museumsOf.one": "musée",
	},
	"en": {
		"title": "Heritage dossier", "territories": "Territories", "map": "Map", "other": "Français", "otherLang": "fr",
		"otherLabel": "Lire ce dossier en français", "print": "Print or save as PDF", "json": "JSON data",
		"skip":      "Skip to content",
		"kind.epci": "Intercommunal body (EPCI)", "kind.dep": "Département", "kind.commune": "Commune(s)",
		"communes": "communes", "commune": "commune", "area": "area", "dataDate": "Data imported up to",
		"generated": "Dossier made on", "summary": "Summary", "inventory": "Inventory", "producer": "Producer",
		"count": "Count", "noPosition": "Without position", "areaHa": "Area (ha)", "share": "Share of the territory",
		"countedBy.commune": "by commune code", "countedBy.intersection": "by intersection", "countedBy.not-counted": "not counted",
		"method": "Method", "territoryArea": "Area of the territory",
		"naturalUnion": "Covered by at least one natural-heritage designation",
		"naturalSum":   "Areas per status added up (overlaps counted more than once)",
		"monuments":    "Monuments historiques", "monumentsTotal": "monuments historiques", "classe": "classé",
		"inscrit": "inscrit", "both": "classé and inscrit", "unknownProtection": "protection not stated",
		"byCommune": "Monuments historiques per commune", "protections": "Protections through time",
		"byDecade": "First protection per decade", "oldest": "The oldest protections",
		"recent": "The most recent", "date": "Date", "name": "Name", "type": "Protection",
		"undated": "without a date of first protection", "natural": "Natural heritage",
		"byStatus": "Area per status", "naturalByCommune": "Share of each commune covered by natural heritage",
		"sites": "Sites", "coveredHa": "Covered (ha)", "communeHa": "Area (ha)",
		"museums": "Musées de France", "museum": "Museum", "hours": "Opening hours (OpenStreetMap opening_hours)",
		"hoursText": "Hours as written by the source", "notRead": "not read (see the text)",
		"noHours": "no hours in the sources", "lists": "Gardens, architecture, houses",
		"maps": "Maps", "legend": "Legend", "outline": "Boundary of the territory", "showOnMap": "Show on the map",
		"unplaced": "What could not be placed", "sources": "Sources and licences", "licence": "Licence",
		"retrieved": "Retrieved", "imported": "Imported", "version": "Version", "file": "File",
		"csv": "Download the data (CSV)", "dataTable": "Chart data", "textAlt": "Description",
		"notes": "Limits of this dossier", "none": "none", "noData": "No data of this kind in the store for this territory.",
		"hoursFrom": "hours from the list", "total": "Total", "rows": "rows",
		"mapAlt": "Map", "communeCol": "Commune", "kindCol": "Kind",
		"communes.one": "commune", "monumentsTotal.one": "monument historique", "rows.one": "row",
		"museumsOf": "museums", "museumsOf.one": "museum",
	},
}

// lang is a page language: "fr" unless "en".
func lang(l string) string {
	if l == "en" {
		return "en"
	}
	return "fr"
}

// noun is the word of words[l] named key that follows a count of n: its singular (key+".one") when the
// language takes one, "1 monument historique", "2 monuments historiques"; French also for 0 ("0 classé").
func noun(l string, n int64, key string) string {
	w := words[lang(l)]
	if one, ok := w[key+".one"]; ok && singular(l, n) {
		return one
	}
	return w[key]
}

// singular says whether a count of n takes the singular: in French under two (0 and 1), in English for one.
func singular(l string, n int64) bool {
	if lang(l) == "en" {
		return n == 1 || n == -1
	}
	return n > -2 && n < 2
}

// counted writes a count and its noun: "1 commune", "12\u202f345 communes".
func counted(l string, n int64, key string) string { return number(l, n) + " " + noun(l, n, key) }

// number writes an integer the way the language does: "12 345" (a narrow no-break space) or "12,345".
func number(l string, n int64) string {
	s := strconv.FormatInt(abs64(n), 10)
	sep := "\u202f"
	if l == "en" {
		sep = ","
	}
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// hectares writes an area in whole hectares, or with one decimal under 10 ha.
func hectares(l string, ha float64) string {
	if ha < 10 {
		return decimal(l, ha, 1)
	}
	return number(l, int64(math.Round(ha)))
}

// percent writes a share (0..1) as a percentage with one decimal ("4,3 %", "4.3%").
func percent(l string, share float64) string {
	s := decimal(l, share*100, 1)
	if l == "en" {
		return s + "%"
	}
	return s + "\u202f%"
}

func decimal(l string, x float64, places int) string {
	// Half away from zero, as people (and JavaScript's Math.round) round: 6.25 → 6.3, where FormatFloat
	// alone would round to even.
	p := math.Pow10(places)
	s := strconv.FormatFloat(math.Round(x*p)/p, 'f', places, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := number(l, n)
	if strings.HasPrefix(whole, "-") && n == 0 {
		out = "-0"
	}
	if frac == "" {
		return out
	}
	if l == "en" {
		return out + "." + frac
	}
	return out + "," + frac
}

var monthsFR = [...]string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// day writes a date: "2 décembre 2026", "2 December 2026".
func day(l string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	if l == "en" {
		return t.Format("2 January 2006")
	}
	return fmt.Sprintf("%d %s %d", t.Day(), monthsFR[t.Month()], t.Year())
}
