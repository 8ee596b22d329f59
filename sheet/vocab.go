package sheet

import (
	"sort"
	"strings"
)

// Concept is one entry of a controlled vocabulary: the URI portals and validators expect, and its labels.
type Concept struct {
	Code   string // what a person types: ENVI, ps, ANNUAL
	URI    string
	Scheme string // the vocabulary's URI (skos:inScheme)
	FR, EN string // labels
}

// Label is the French label, else the English one.
func (c Concept) Label() string {
	if c.FR != "" {
		return c.FR
	}
	return c.EN
}

// Vocabularies of the EU Publications Office (the ones DCAT-AP's SHACL shapes check against) and INSPIRE.
const (
	DataThemeScheme     = "http://publications.europa.eu/resource/authority/data-theme"
	FrequencyScheme     = "http://publications.europa.eu/resource/authority/frequency"
	AccessRightScheme   = "http://publications.europa.eu/resource/authority/access-right"
	LanguageScheme      = "http://publications.europa.eu/resource/authority/language"
	CountryScheme       = "http://publications.europa.eu/resource/authority/country"
	InspireThemeScheme  = "http://inspire.ec.europa.eu/theme"
	PublisherTypeScheme = "http://purl.org/adms/publishertype/1.0"
	LicenceTypeScheme   = "http://purl.org/adms/licencetype/1.0"
)

// SchemeTitles are the vocabularies' titles, for the catalogue.
var SchemeTitles = map[string]string{
	DataThemeScheme:     "Data theme",
	FrequencyScheme:     "Frequency",
	AccessRightScheme:   "Access right",
	LanguageScheme:      "Language",
	CountryScheme:       "Country",
	InspireThemeScheme:  "GEMET - INSPIRE themes, version 1.0",
	PublisherTypeScheme: "Publisher type",
	LicenceTypeScheme:   "Licence type",
}

func concepts(scheme, base string, rows [][3]string) map[string]Concept {
	m := make(map[string]Concept, len(rows))
	for _, r := range rows {
		m[r[0]] = Concept{Code: r[0], URI: base + r[0], Scheme: scheme, EN: r[1], FR: r[2]}
	}
	return m
}

// dataThemes are the EU data themes (code, English, French).
var dataThemes = concepts(DataThemeScheme, DataThemeScheme+"/", [][3]string{
	{"AGRI", "Agriculture, fisheries, forestry and food", "Agriculture, pêche, sylviculture et alimentation"},
	{"ECON", "Economy and finance", "Économie et finances"},
	{"EDUC", "Education, culture and sport", "Éducation, culture et sport"},
	{"ENER", "Energy", "Énergie"},
	{"ENVI", "Environment", "Environnement"},
	{"GOVE", "Government and public sector", "Gouvernement et secteur public"},
	{"HEAL", "Health", "Santé"},
	{"INTR", "International issues", "Questions internationales"},
	{"JUST", "Justice, legal system and public safety", "Justice, système juridique et sécurité publique"},
	{"REGI", "Regions and cities", "Régions et villes"},
	{"SOCI", "Population and society", "Population et société"},
	{"TECH", "Science and technology", "Science et technologie"},
	{"TRAN", "Transport", "Transports"},
})

// inspireThemes are the 34 INSPIRE themes (code, English, French).
var inspireThemes = concepts(InspireThemeScheme, InspireThemeScheme+"/", [][3]string{
	{"ac", "Atmospheric conditions", "Conditions atmosphériques"},
	{"ad", "Addresses", "Adresses"},
	{"af", "Agricultural and aquaculture facilities", "Installations agricoles et aquacoles"},
	{"am", "Area management/restriction/regulation zones and reporting units", "Zones de gestion, de restriction ou de réglementation et unités de déclaration"},
	{"au", "Administrative units", "Unités administratives"},
	{"br", "Bio-geographical regions", "Régions biogéographiques"},
	{"bu", "Buildings", "Bâtiments"},
	{"cp", "Cadastral parcels", "Parcelles cadastrales"},
	{"ef", "Environmental monitoring facilities", "Installations de suivi environnemental"},
	{"el", "Elevation", "Altitude"},
	{"er", "Energy resources", "Sources d'énergie"},
	{"ge", "Geology", "Géologie"},
	{"gg", "Geographical grid systems", "Systèmes de maillage géographique"},
	{"gn", "Geographical names", "Dénominations géographiques"},
	{"hb", "Habitats and biotopes", "Habitats et biotopes"},
	{"hh", "Human health and safety", "Santé et sécurité des personnes"},
	{"hy", "Hydrography", "Hydrographie"},
	{"lc", "Land cover", "Occupation des terres"},
	{"lu", "Land use", "Usage des sols"},
	{"mf", "Meteorological geographical features", "Caractéristiques géographiques météorologiques"},
	{"mr", "Mineral resources", "Ressources minérales"},
	{"nz", "Natural risk zones", "Zones à risque naturel"},
	{"of", "Oceanographic geographical features", "Caractéristiques géographiques océanographiques"},
	{"oi", "Orthoimagery", "Ortho-imagerie"},
	{"pd", "Population distribution — demography", "Répartition de la population — démographie"},
	{"pf", "Production and industrial facilities", "Lieux de production et sites industriels"},
	{"ps", "Protected sites", "Sites protégés"},
	{"rs", "Coordinate reference systems", "Référentiels de coordonnées"},
	{"sd", "Species distribution", "Répartition des espèces"},
	{"so", "Soil", "Sols"},
	{"sr", "Sea regions", "Régions maritimes"},
	{"su", "Statistical units", "Unités statistiques"},
	{"tn", "Transport networks", "Réseaux de transport"},
	{"us", "Utility and governmental services", "Services d'utilité publique et services publics"},
})

// frequencies are the EU frequencies data.gouv.fr's harvester maps to its own (code, English, French).
var frequencies = concepts(FrequencyScheme, FrequencyScheme+"/", [][3]string{
	{"UPDATE_CONT", "continuously updated", "mise à jour continue"},
	{"HOURLY", "hourly", "toutes les heures"},
	{"DAILY", "daily", "quotidienne"},
	{"WEEKLY", "weekly", "hebdomadaire"},
	{"BIWEEKLY", "biweekly", "toutes les deux semaines"},
	{"MONTHLY", "monthly", "mensuelle"},
	{"BIMONTHLY", "bimonthly", "bimestrielle"},
	{"QUARTERLY", "quarterly", "trimestrielle"},
	{"ANNUAL_2", "semiannual", "semestrielle"},
	{"ANNUAL", "annual", "annuelle"},
	{"BIENNIAL", "biennial", "biennale"},
	{"TRIENNIAL", "triennial", "triennale"},
	{"QUINQUENNIAL", "quinquennial", "quinquennale"},
	{"DECENNIAL", "decennial", "décennale"},
	{"AS_NEEDED", "as needed", "ponctuelle"},
	{"IRREG", "irregular", "irrégulière"},
	{"NEVER", "never", "jamais"},
	{"NOT_PLANNED", "not planned", "non planifiée"},
	{"OTHER", "other", "autre"},
	{"UNKNOWN", "unknown", "inconnue"},
})

// frequencyWords are what people type for a frequency, in French and English.
var frequencyWords = map[string]string{
	"continue": "UPDATE_CONT", "continuous": "UPDATE_CONT", "temps-reel": "UPDATE_CONT",
	"horaire": "HOURLY", "quotidien": "DAILY", "quotidienne": "DAILY", "journaliere": "DAILY",
	"hebdomadaire": "WEEKLY", "mensuel": "MONTHLY", "mensuelle": "MONTHLY", "bimestriel": "BIMONTHLY",
	"bimestrielle": "BIMONTHLY", "trimestriel": "QUARTERLY", "trimestrielle": "QUARTERLY",
	"semestriel": "ANNUAL_2", "semestrielle": "ANNUAL_2", "semiannual": "ANNUAL_2",
	"annuel": "ANNUAL", "annuelle": "ANNUAL", "yearly": "ANNUAL", "biennal": "BIENNIAL", "biennale": "BIENNIAL",
	"triennal": "TRIENNIAL", "triennale": "TRIENNIAL", "ponctuel": "AS_NEEDED", "ponctuelle": "AS_NEEDED",
	"punctual": "AS_NEEDED", "irregulier": "IRREG", "irreguliere": "IRREG", "irregular": "IRREG",
	"jamais": "NEVER", "inconnue": "UNKNOWN", "inconnu": "UNKNOWN",
}

var accessRights = concepts(AccessRightScheme, AccessRightScheme+"/", [][3]string{
	{"PUBLIC", "public", "public"},
	{"RESTRICTED", "restricted", "restreint"},
	{"NON_PUBLIC", "non-public", "non public"},
})

// languages are the EU language codes of the languages a French heritage dataset is written in.
var languages = concepts(LanguageScheme, LanguageScheme+"/", [][3]string{
	{"FRA", "French", "français"},
	{"ENG", "English", "anglais"},
	{"BRE", "Breton", "breton"},
	{"OCI", "Occitan", "occitan"},
	{"COS", "Corsican", "corse"},
	{"EUS", "Basque", "basque"},
	{"CAT", "Catalan", "catalan"},
	{"DEU", "German", "allemand"},
})

var languageCodes = map[string]string{"fr": "FRA", "en": "ENG", "br": "BRE", "oc": "OCI", "co": "COS", "eu": "EUS", "ca": "CAT", "de": "DEU"}

// France is the country every dataset of patrimap lies in.
var France = Concept{Code: "FRA", URI: CountryScheme + "/FRA", Scheme: CountryScheme, EN: "France", FR: "France"}

// publisherTypes are ADMS publisher types (code, English, French).
var publisherTypes = concepts(PublisherTypeScheme, "http://purl.org/adms/publishertype/", [][3]string{
	{"Academia-ScientificOrganisation", "Academia/Scientific organisation", "Organisme scientifique"},
	{"Company", "Company", "Entreprise"},
	{"IndustryConsortium", "Industry consortium", "Consortium industriel"},
	{"LocalAuthority", "Local authority", "Collectivité locale"},
	{"NationalAuthority", "National authority", "Autorité nationale"},
	{"NonGovernmentalOrganisation", "Non-governmental organisation", "Organisation non gouvernementale"},
	{"NonProfitOrganisation", "Non-profit organisation", "Organisation à but non lucratif"},
	{"PrivateIndividual(s)", "Private individual(s)", "Particuliers"},
	{"RegionalAuthority", "Regional authority", "Autorité régionale"},
	{"StandardisationBody", "Standardisation body", "Organisme de normalisation"},
	{"SupraNationalAuthority", "Supra-national authority", "Autorité supranationale"},
})

// Licence is a licence as portals recognise it: its URI, and the title data.gouv.fr and CKAN match it by.
type Licence struct {
	URI   string
	Title string   // the portals' title: data.gouv.fr guesses a licence from it
	Short string   // what the sheet shows
	Types []string // ADMS licence types (Attribution, ShareAlike...)
	Names []string // what people and importers write for it
}

// Licences patrimap's sources use. data.gouv.fr matches the Licence Ouverte by URL and both by title; CKAN by
// title (its ODbL entry is titled so).
var Licences = []Licence{
	{URI: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/", Title: "Licence Ouverte / Open Licence version 2.0",
		Short: "Licence Ouverte 2.0", Types: []string{"Attribution"},
		Names: []string{"licence ouverte 2.0", "licence ouverte", "etalab-2.0", "lov2", "lo 2.0", "open licence 2.0", "licence ouverte / open licence version 2.0"}},
	{URI: "http://opendatacommons.org/licenses/odbl/1-0/", Title: "Open Data Commons Open Database License (ODbL)",
		Short: "ODbL 1.0", Types: []string{"Attribution", "ShareAlike"},
		Names: []string{"odbl", "odbl 1.0", "odbl-1.0", "odc-odbl", "odbl 1.0 (open database licence)", "open database license", "open database licence"}},
	{URI: "https://creativecommons.org/licenses/by/4.0/", Title: "Creative Commons Attribution",
		Short: "CC BY 4.0", Types: []string{"Attribution"}, Names: []string{"cc-by", "cc-by-4.0", "cc by 4.0"}},
	{URI: "https://creativecommons.org/licenses/by-sa/4.0/", Title: "Creative Commons Attribution Share-Alike",
		Short: "CC BY-SA 4.0", Types: []string{"Attribution", "ShareAlike"}, Names: []string{"cc-by-sa", "cc-by-sa-4.0", "cc by-sa 4.0"}},
	{URI: "https://creativecommons.org/publicdomain/zero/1.0/", Title: "Creative Commons CCZero",
		Short: "CC0 1.0", Types: []string{"PublicDomain"}, Names: []string{"cc0", "cc-zero", "cc0-1.0"}},
}

// LicenceTypeURI is an ADMS licence type's URI.
func LicenceTypeURI(t string) string { return "http://purl.org/adms/licencetype/" + t }

// LicenceByName finds a licence from a URI or a name people write ("Licence Ouverte 2.0", "ODbL").
func LicenceByName(s string) (Licence, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	for _, l := range Licences {
		if strings.TrimSuffix(k, "/") == strings.ToLower(strings.TrimSuffix(l.URI, "/")) {
			return l, true
		}
		for _, n := range l.Names {
			if k == n {
				return l, true
			}
		}
	}
	return Licence{}, false
}

// DataTheme, InspireTheme, Frequency, AccessRight, Language and PublisherType look a code up in its vocabulary.
func DataTheme(code string) (Concept, bool) { c, ok := dataThemes[strings.ToUpper(code)]; return c, ok }

// InspireTheme looks up an INSPIRE theme code (ps).
func InspireTheme(code string) (Concept, bool) {
	c, ok := inspireThemes[strings.ToLower(code)]
	return c, ok
}

// Frequency looks up an EU frequency code (ANNUAL) or a word people use for it (annuelle, yearly).
func Frequency(code string) (Concept, bool) {
	k := strings.TrimSpace(code)
	if c, ok := frequencies[strings.ToUpper(k)]; ok {
		return c, true
	}
	if c, ok := frequencies[frequencyWords[strings.ToLower(foldAccents(k))]]; ok {
		return c, true
	}
	return Concept{}, false
}

// AccessRight looks up an EU access right code (PUBLIC).
func AccessRight(code string) (Concept, bool) {
	c, ok := accessRights[strings.ToUpper(code)]
	return c, ok
}

// Language looks up a language by its EU code (FRA) or its ISO 639-1 code (fr).
func Language(code string) (Concept, bool) {
	k := strings.ToUpper(strings.TrimSpace(code))
	if c, ok := languages[k]; ok {
		return c, true
	}
	c, ok := languages[languageCodes[strings.ToLower(k)]]
	return c, ok
}

// PublisherType looks up an ADMS publisher type (LocalAuthority).
func PublisherType(code string) (Concept, bool) { c, ok := publisherTypes[code]; return c, ok }

func codes(m map[string]Concept) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

var accentFolder = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
	"ô", "o", "û", "u", "ù", "u", "ç", "c", " ", "-")

func foldAccents(s string) string { return accentFolder.Replace(strings.ToLower(s)) }

// FoldAccents lower-cases s and strips French accents (Département → departement).
func FoldAccents(s string) string { return foldAccents(s) }
