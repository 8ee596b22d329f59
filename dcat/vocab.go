package dcat

import (
	"github.com/patrimap/patrimap/rdf"
)

// Namespaces of DCAT-AP 3.0 and GeoDCAT-AP.
const (
	DCAT   = "http://www.w3.org/ns/dcat#"
	DCT    = "http://purl.org/dc/terms/"
	DCATAP = "http://data.europa.eu/r5r/"
	FOAF   = "http://xmlns.com/foaf/0.1/"
	VCARD  = "http://www.w3.org/2006/vcard/ns#"
	SKOS   = "http://www.w3.org/2004/02/skos/core#"
	LOCN   = "http://www.w3.org/ns/locn#"
	GSP    = "http://www.opengis.net/ont/geosparql#"
	HYDRA  = "http://www.w3.org/ns/hydra/core#"
	ADMS   = "http://www.w3.org/ns/adms#"
	PROV   = "http://www.w3.org/ns/prov#"
)

var prefixes = []rdf.Prefix{
	{Name: "dcat", IRI: DCAT}, {Name: "dct", IRI: DCT}, {Name: "dcatap", IRI: DCATAP}, {Name: "foaf", IRI: FOAF},
	{Name: "vcard", IRI: VCARD}, {Name: "skos", IRI: SKOS}, {Name: "locn", IRI: LOCN}, {Name: "gsp", IRI: GSP},
	{Name: "hydra", IRI: HYDRA}, {Name: "adms", IRI: ADMS},
}

// Vocabularies the distributions use.
const (
	fileTypeScheme     = "http://publications.europa.eu/resource/authority/file-type"
	availabilityScheme = "http://publications.europa.eu/resource/authority/planned-availability"
	// IANA is where media types are registered; data.gouv.fr's harvester reads its https form.
	IANA = "https://www.iana.org/assignments/media-types/"
)

// fileTypes are the EU file types of patrimap's downloads, by suffix (none exists for SpatiaLite).
var fileTypes = map[string]string{
	".geojson": "GEOJSON", ".csv": "CSV", ".kml": "KML", ".gpkg": "GPKG", ".datapackage.zip": "ZIP",
}

// Standards the data services and the data conform to.
const (
	ogcFeaturesCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	ogcFeaturesGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	tileJSONSpec       = "https://github.com/mapbox/tilejson-spec/tree/master/3.0.0"
	mvtSpec            = "https://github.com/mapbox/vector-tile-spec/tree/master/2.1"
	mvtMediaType       = "application/vnd.mapbox-vector-tile"
)
