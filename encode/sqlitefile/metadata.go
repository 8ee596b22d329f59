package sqlitefile

import (
	"context"
	"database/sql"
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/patrimap/patrimap/store"
)

// MetadataTable is the table, in a written file, that says what the dataset is and under which licence it
// may be used (GDAL and QGIS show it as a plain table beside the layer).
const MetadataTable = "dataset_metadata"

// MetadataTableName is the table, in a written file, that says what the dataset is and under which licence it
// may be used, one key and value per row: MetadataTable, unless the dataset's own table has that name.
func MetadataTableName(d store.Dataset) string {
	if strings.EqualFold(d.Table, MetadataTable) {
		return "patrimap_" + MetadataTable
	}
	return MetadataTable
}

// metadata is the catalogue entry of d as the keys and values a file carries, in a fixed order.
func metadata(d store.Dataset) [][2]string {
	return [][2]string{
		{"id", d.ID},
		{"title", d.Title},
		{"description", d.Description},
		{"theme", d.Theme},
		{"producer", d.Producer},
		{"licence", d.Licence},
		{"attribution", d.Attribution},
		{"source_url", d.Source.URL},
		{"source_file", d.Source.File},
		{"source_sha256", d.Source.SHA256},
		{"retrieved_at", d.Source.RetrievedAt.UTC().Format(time.RFC3339)},
		{"source_crs", d.SourceCRS},
		{"table", d.Table},
		{"feature_count", strconv.FormatInt(d.FeatureCount, 10)},
		{"version", strconv.FormatInt(d.Version, 10)},
		{"imported_at", d.ImportedAt.UTC().Format(time.RFC3339)},
		{"exported_by", "patrimap"},
	}
}

// writeMetadataTable creates and fills the metadata table; pk declares its fid column.
func writeMetadataTable(ctx context.Context, conn *sql.Conn, d store.Dataset, pk string) error {
	name := quoteIdent(MetadataTableName(d))
	if _, err := conn.ExecContext(ctx, `CREATE TABLE `+name+` (`+pk+`, key TEXT NOT NULL UNIQUE, value TEXT NOT NULL)`); err != nil {
		return err
	}
	stmt, err := conn.PrepareContext(ctx, `INSERT INTO `+name+` (key, value) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range metadata(d) {
		if _, err := stmt.ExecContext(ctx, r[0], r[1]); err != nil {
			return err
		}
	}
	return nil
}

// gdalMetadataXML is the catalogue entry as GDAL's metadata document, which GDAL and QGIS show as the layer's
// metadata when a GeoPackage's gpkg_metadata holds it for the table (md_standard_uri http://gdal.org).
func gdalMetadataXML(d store.Dataset) string {
	var b strings.Builder
	b.WriteString("<GDALMultiDomainMetadata>\n  <Metadata>\n")
	for _, r := range metadata(d) {
		if r[1] == "" {
			continue
		}
		b.WriteString(`    <MDI key="`)
		xmlEscape(&b, r[0])
		b.WriteString(`">`)
		xmlEscape(&b, r[1])
		b.WriteString("</MDI>\n")
	}
	b.WriteString("  </Metadata>\n</GDALMultiDomainMetadata>\n")
	return b.String()
}

// xmlEscape writes s as XML character data; characters XML cannot hold become U+FFFD.
func xmlEscape(b *strings.Builder, s string) { xml.EscapeText(b, []byte(s)) }
