package culture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/charset"
	"github.com/patrimap/patrimap/importers/limit"
)

// table is an export's header and its rows of text cells, whatever the format. A CSV file (the national
// lists: tens of MB) is streamed from disk at each pass, one row in memory at a time; a JSON export is held.
type table struct {
	name     string // file name, for messages
	path     string
	format   string // "CSV (;)", "JSON", "GeoJSON"
	encoding string // "" for UTF-8; what was converted otherwise
	bom      bool
	// compression is "gzip" or "bzip2" for a compressed export, read decompressed.
	compression string
	sep         rune // CSV separator
	columns     []string
	rows        []row // JSON only
	csvRows     int   // CSV rows with a value, counted when the file is opened
	// empty counts the rows with no value at all, skipped by the reader (blank lines and separators only).
	empty []string
}

// row is one record of the file.
type row struct {
	ref   string // "line 12", "record 3"
	cells []string
	// point is the GeoJSON geometry of the feature, [lon, lat], when there is one.
	point *[2]float64
	// notUTF8 counts the cells that were not UTF-8, read as Windows-1252.
	notUTF8 int
}

// readTable opens a CSV, JSON or GeoJSON export: it reads the header and checks every row once, keeping
// only the JSON rows (CSV rows are read again, streamed, by each).
func readTable(path string) (*table, error) {
	t := &table{name: filepath.Base(path), path: path}
	if err := t.checkText(); err != nil {
		return nil, err
	}
	r, err := t.open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	start, err := firstByte(br)
	if err != nil {
		return nil, fmt.Errorf("%w: culture: %s: the file is empty", importers.ErrBadInput, t.name)
	}
	notUTF8 := 0
	if start == '[' || start == '{' {
		// A JSON export is held in memory: bounded whole, and value by value.
		data, err := io.ReadAll(&limit.Reader{R: limit.NewJSON(br, limit.JSONLimits{SpanWhat: "a JSON export"}), N: maxJSONExport,
			What: "a JSON export (held in memory)", Hint: "download the list as CSV, which is read as a stream"})
		if errors.Is(err, limit.ErrExceeded) {
			return nil, fmt.Errorf("%w: culture: %s: %w", importers.ErrBadInput, t.name, err)
		}
		if err != nil {
			return nil, err
		}
		err = t.readJSON(bytes.TrimLeft(data, " \t\r\n"))
		t.format += compressed(t.compression)
		for _, r := range t.rows {
			notUTF8 += r.notUTF8
		}
		t.noteEncoding(notUTF8)
		return t, err
	}
	head, _ := br.Peek(64 << 10)
	t.sep = sniffSeparator(string(head))
	t.format = "CSV (" + map[rune]string{';': ";", ',': ",", '|': "|", '\t': "tab"}[t.sep] + " separated)" + compressed(t.compression)
	err = t.readCSV(br, func(r *row) error {
		t.csvRows++
		notUTF8 += r.notUTF8
		return nil
	}, true)
	t.noteEncoding(notUTF8)
	return t, err
}

// maxJSONExport bounds a JSON export, held in memory with its rows (the national Mérimée list, the largest, is
// about 100 MB as JSON).
const maxJSONExport = 512 << 20

// textFix is the report's line for a cell that was not UTF-8 (charset's rule).
const textFix = "text not valid UTF-8 read as Windows-1252"

// noteEncoding says in the report how text was read, when some was not UTF-8: the 2013 data.gouv.fr exports
// are in Windows-1252; a few bytes of it in a UTF-8 export must not turn every accent into mojibake.
func (t *table) noteEncoding(notUTF8 int) {
	if notUTF8 > 0 {
		t.encoding = fmt.Sprintf("Windows-1252 where a value is not valid UTF-8 (%d values), converted to UTF-8", notUTF8)
	}
}

// compressed is what a format's name says of its compression: " (gzip)", or nothing.
func compressed(compression string) string {
	if compression == "" {
		return ""
	}
	return " (" + compression + ")"
}

// open returns the file's text, decompressed when it is gzip or bzip2 (within limit.Expansion), without its
// byte-order mark.
func (t *table) open() (io.ReadCloser, error) {
	f, err := os.Open(t.path)
	if err != nil {
		return nil, err
	}
	r, compression, err := limit.Decompress(f, 0, 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: culture: %s: %v", importers.ErrBadInput, t.name, err)
	}
	t.compression = compression
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
		t.bom = true
	}
	return struct {
		io.Reader
		io.Closer
	}{br, f}, nil
}

// each calls fn with every row that has a value, in file order.
func (t *table) each(fn func(*row) error) error {
	if t.format == "JSON" || t.format == "GeoJSON" {
		for i := range t.rows {
			if err := fn(&t.rows[i]); err != nil {
				return err
			}
		}
		return nil
	}
	r, err := t.open()
	if err != nil {
		return err
	}
	defer r.Close()
	return t.readCSV(r, fn, false)
}

// checkText refuses a file that is not text (a zip, a shapefile, a spreadsheet): text exports hold no NUL byte.
func (t *table) checkText() error {
	r, err := t.open()
	if err != nil {
		return err
	}
	defer r.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(r, head)
	if errors.Is(err, limit.ErrExceeded) {
		return fmt.Errorf("%w: culture: %s: %w", importers.ErrBadInput, t.name, err)
	}
	head = head[:n]
	if bytes.IndexByte(head, 0) < 0 {
		return nil
	}
	what := "a binary file"
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		what = "a zip (or an .xlsx/.ods spreadsheet)"
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		what = "an .xls spreadsheet"
	}
	return fmt.Errorf("%w: culture: %s: this is %s, not a CSV, JSON or GeoJSON export: download the list as CSV (or unzip it, or save the sheet as CSV) and give that file",
		importers.ErrBadInput, t.name, what)
}

// firstByte is the first byte that is not white space, left unread.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}

// sniffSeparator picks ';', ',', '|' or tab: the one that occurs most in the header line, outside quotes.
func sniffSeparator(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (r == '\n' || r == '\r') {
			break
		}
		if !quoted && (r == ';' || r == ',' || r == '|' || r == '\t') {
			counts[r]++
		}
	}
	best, n := ';', 0
	for _, r := range []rune{';', ',', '|', '\t'} {
		if counts[r] > n {
			best, n = r, counts[r]
		}
	}
	return best
}

// readCSV reads the CSV text of r: its header (into t.columns when check is set), then fn for every row with a
// value; check also notes the empty rows and stops at the first malformed line with its number. Cells that are
// not UTF-8 are read as Windows-1252, one by one.
func (t *table) readCSV(r io.Reader, fn func(*row) error, check bool) error {
	cr := limit.NewCSV(r)
	cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord, cr.ReuseRecord = t.sep, true, -1, false
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%w: culture: %s: cannot read the header line: %w", importers.ErrBadInput, t.name, err)
	}
	if check {
		decodeCells(header)
		t.columns = header
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, limit.ErrExceeded) {
			return fmt.Errorf("%w: culture: %s: %w", importers.ErrBadInput, t.name, err)
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%w: culture: %s: line %d: %v", importers.ErrBadInput, t.name, line, err)
		}
		ref := "line " + strconv.Itoa(line)
		if allEmpty(rec) {
			if check {
				t.empty = append(t.empty, ref)
			}
			continue
		}
		if check {
			if err := t.checkQuotes(cr, rec, len(header)); err != nil {
				return err
			}
		}
		if err := fn(&row{ref: ref, cells: rec, notUTF8: decodeCells(rec)}); err != nil {
			return err
		}
	}
}

// decodeCells reads the cells that are not UTF-8 as Windows-1252, and returns how many were.
func decodeCells(cells []string) int {
	n := 0
	for i, c := range cells {
		if s, decoded := charset.DecodeString(c, nil); decoded {
			cells[i] = s
			n++
		}
	}
	return n
}

// checkQuotes refuses a record where a quote opened and never closed: with lazy quotes (which real exports
// need, for the inch sign of `5" pipe`), the rest of the file becomes one cell. Such a cell spans lines that
// look like rows of their own, with as many separators as the header; a real multi-line cell (a notice's
// history) holds prose.
func (t *table) checkQuotes(cr *limit.CSV, rec []string, columns int) error {
	if columns < 6 {
		return nil
	}
	for i, c := range rec {
		if !strings.Contains(c, "\n") {
			continue
		}
		lines := strings.Split(c, "\n")
		for k, l := range lines[1:] {
			if strings.Count(l, string(t.sep)) >= columns-1 {
				opened, _ := cr.FieldPos(i)
				return fmt.Errorf("%w: culture: %s: line %d: a quote opens a cell that runs over the next lines, and line %d of it holds %d separators "+
					"like a row of its own: the quote is probably never closed; close it, or remove it", importers.ErrBadInput, t.name, opened, opened+k+1,
					strings.Count(l, string(t.sep)))
			}
		}
	}
	return nil
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readJSON reads an array of records (data.culture.gouv.fr "json" export), a records API page
// ({"results": [...]}, {"records": [{"fields": ...}]}) or a GeoJSON FeatureCollection. Keys keep the file's
// order; nested values (lists, {lat, lon}) become cells holding their JSON text.
func (t *table) readJSON(data []byte) error {
	bad := func(err error) error {
		return fmt.Errorf("%w: culture: %s: not a JSON export of records: %v", importers.ErrBadInput, t.name, err)
	}
	var items []json.RawMessage
	kind := "record"
	t.format = "JSON"
	if data[0] == '[' {
		if err := json.Unmarshal(data, &items); err != nil {
			return bad(err)
		}
	} else {
		var top struct {
			Type     string            `json:"type"`
			Features []json.RawMessage `json:"features"`
			Results  []json.RawMessage `json:"results"`
			Records  []json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(data, &top); err != nil {
			return bad(err)
		}
		switch {
		case top.Type == "FeatureCollection" || top.Features != nil:
			items, kind, t.format = top.Features, "feature", "GeoJSON"
		case top.Results != nil:
			items = top.Results
		case top.Records != nil:
			items = top.Records
		default:
			return bad(errors.New(`want an array of records, {"results": [...]} or a GeoJSON FeatureCollection`))
		}
	}
	index := map[string]int{}
	for i, it := range items {
		ref := kind + " " + strconv.Itoa(i+1)
		it, notUTF8 := charset.JSON(it)
		var wrapper struct {
			Properties json.RawMessage `json:"properties"`
			Fields     json.RawMessage `json:"fields"`
			Geometry   *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		}
		obj := it
		var point *[2]float64
		if kind == "feature" || bytes.Contains(it, []byte(`"fields"`)) {
			if err := json.Unmarshal(it, &wrapper); err != nil {
				return fmt.Errorf("%w: culture: %s: %s: %v", importers.ErrBadInput, t.name, ref, err)
			}
			switch {
			case wrapper.Properties != nil:
				obj = wrapper.Properties
			case wrapper.Fields != nil:
				obj = wrapper.Fields
			}
			if g := wrapper.Geometry; g != nil && g.Type == "Point" {
				var c []float64
				if json.Unmarshal(g.Coordinates, &c) == nil && len(c) >= 2 {
					point = &[2]float64{c[0], c[1]}
				}
			}
		}
		kvs, err := orderedObject(obj)
		if err != nil {
			return fmt.Errorf("%w: culture: %s: %s: %v", importers.ErrBadInput, t.name, ref, err)
		}
		cells := make([]string, len(t.columns))
		for _, kv := range kvs {
			j, ok := index[kv.key]
			if !ok {
				j = len(t.columns)
				index[kv.key] = j
				t.columns = append(t.columns, kv.key)
			}
			for len(cells) <= j {
				cells = append(cells, "")
			}
			cells[j] = kv.value
		}
		if allEmpty(cells) && point == nil {
			t.empty = append(t.empty, ref)
			continue
		}
		t.rows = append(t.rows, row{ref: ref, cells: cells, point: point, notUTF8: notUTF8})
	}
	return nil
}

type keyValue struct{ key, value string }

// orderedObject reads a JSON object keeping its keys' order; values become cell text: strings as they are,
// numbers as written, null as "", lists and objects as compact JSON.
func orderedObject(raw json.RawMessage) ([]keyValue, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("a record is not a JSON object")
	}
	var out []keyValue
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, keyValue{key, jsonCell(v)})
	}
	return out, nil
}

func jsonCell(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	case 'n':
		return ""
	case '[', '{':
		var b bytes.Buffer
		if json.Compact(&b, v) == nil {
			return b.String()
		}
	}
	return string(v)
}
