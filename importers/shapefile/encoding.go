package shapefile

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/patrimap/patrimap/importers/charset"
)

// textDecoder turns DBF text into UTF-8. The declared encoding comes from the .cpg, else from the language
// driver byte; but real files lie (a .cpg saying UTF-8 over a few CP1252 bytes), so each value is checked:
// valid UTF-8 is taken as UTF-8, anything else is decoded with the declared single-byte code page, or CP1252
// (importers/charset's rule, shared by every family).
type textDecoder struct {
	name      string           // "UTF-8", "CP1252", ... or "" when nothing declares it
	from      string           // where the declaration comes from, for the report
	charmap   *charmap.Charmap // the single-byte code page to fall back on
	declared8 bool             // the file declares a single-byte code page
}

func newTextDecoder(cpg string, ldid byte) textDecoder {
	if cpg = strings.TrimSpace(cpg); cpg != "" {
		if name, cm, ok := codePageFromCPG(cpg); ok {
			return textDecoder{name: name, from: fmt.Sprintf(".cpg says %q", cpg), charmap: cm, declared8: name != "UTF-8"}
		}
		return textDecoder{from: fmt.Sprintf(".cpg says %q, not understood", cpg), charmap: charmap.Windows1252}
	}
	if name, cm, ok := codePageFromLDID(ldid); ok {
		return textDecoder{name: name, from: fmt.Sprintf("language driver byte 0x%02X", ldid), charmap: cm, declared8: true}
	}
	return textDecoder{from: "no .cpg, no language driver byte", charmap: charmap.Windows1252}
}

// Describe says which encoding was used, and why, for the import report.
func (d textDecoder) Describe() string {
	fallback := "CP1252"
	if d.declared8 {
		fallback = d.name
	}
	if d.name == "" {
		return "UTF-8 where valid, else CP1252 (" + d.from + ")"
	}
	if d.name == "UTF-8" {
		return "UTF-8 (" + d.from + "), CP1252 for values that are not valid UTF-8"
	}
	return fallback + " (" + d.from + "), UTF-8 for values that are valid UTF-8"
}

// decode returns the value as UTF-8 and, when the value did not follow the file's declaration, what was done.
func (d textDecoder) decode(b []byte) (string, string) {
	s, decoded := charset.Decode(b, d.charmap)
	switch {
	case decoded && d.name == "UTF-8":
		return s, "bytes not valid UTF-8 decoded as CP1252"
	case decoded:
		return s, ""
	case strings.ContainsRune(s, utf8.RuneError):
		return s, "replacement character (U+FFFD) already in the source, kept"
	case d.declared8 && !isASCII(b):
		// Text in a single-byte code page almost never forms valid multi-byte UTF-8 by chance.
		return s, "text in UTF-8 although the file declares " + d.name + ", read as UTF-8"
	}
	return s, ""
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func codePageFromCPG(cpg string) (string, *charmap.Charmap, bool) {
	k := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, strings.ToUpper(cpg))
	switch {
	case k == "UTF8" || k == "65001":
		return "UTF-8", charmap.Windows1252, true
	case strings.Contains(k, "1252"):
		return "CP1252", charmap.Windows1252, true
	case strings.Contains(k, "885915") || k == "LATIN9" || k == "28605":
		return "ISO-8859-15", charmap.ISO8859_15, true
	case strings.Contains(k, "88591") || k == "LATIN1" || k == "28591":
		return "ISO-8859-1", charmap.ISO8859_1, true
	case strings.HasSuffix(k, "850"):
		return "CP850", charmap.CodePage850, true
	case strings.HasSuffix(k, "437"):
		return "CP437", charmap.CodePage437, true
	}
	return "", nil, false
}

// codePageFromLDID reads the language driver byte of the DBF header (offset 29), as ArcGIS and shapelib write it.
func codePageFromLDID(b byte) (string, *charmap.Charmap, bool) {
	switch b {
	case 0x01:
		return "CP437", charmap.CodePage437, true
	case 0x02, 0x37, 0x40:
		return "CP850", charmap.CodePage850, true
	case 0x03, 0x57, 0x58, 0x59:
		return "CP1252", charmap.Windows1252, true
	}
	return "", nil, false
}
