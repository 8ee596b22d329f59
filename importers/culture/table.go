package culture

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/patrimap/patrimap/importers"
)

// table is an export's header and its rows of text cells, whatever the format. A CSV file (the national
// lists: tens of MB) is streamed from disk at each pass, one row in memory at a time; a JSON export is held.
type table struct {
	name     string // file name, for messages
	path     string
	format   string // "CSV (;)", "JSON", "GeoJSON"
	encoding string // "" for UTF-8; what was converted otherwise
	bom      bool
	cp1252   bool // the file is Windows-1252: converted as it is read
	sep      rune // CSV separator
	columns  []string
	rows     []row // JSON only
	csvRows  int   // CSV rows with a value, counted when the file is opened
	// empty counts the rows with no value at all, skipped by the reader (blank lines and separators only).
	empty []string
}

// row is one record of the file.
type row struct {
	ref   string // "line 12", "record 3"
	cells []string
	// point is the GeoJSON geometry of the feature, [lon, lat], when there is one.
	point *[2]float64
}

// readTable opens a CSV, JSON or GeoJSON export: it reads the header and checks every row once, keeping
// only the JSON rows (CSV rows are read again, streamed, by each).
func readTable(path string) (*table, error) {
	t := &table{name: filepath.Base(path), path: path}
	if err := checkText(path); err != nil {
		return nil, fmt.Errorf("%w: culture: %s: %v", importers.ErrBadInput, t.name, err)
	}
	utf8OK, err := isUTF8File(path)
	if err != nil {
		return nil, err
	}
	t.cp1252 = !utf8OK
	if t.cp1252 {
		// The 2013 data.gouv.fr exports are in Windows-1252.
		t.encoding = "Windows-1252, converted to UTF-8"
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
	if start == '[' || start == '{' {
		data, err := io.ReadAll(br)
		if err != nil {
			return nil, err
		}
		err = t.readJSON(bytes.TrimLeft(data, " \t\r\n"))
		return t, err
	}
	head, _ := br.Peek(64 << 10)
	t.sep = sniffSeparator(string(head))
	t.format = "CSV (" + map[rune]string{';': ";", ',': ",", '|': "|", '\t': "tab"}[t.sep] + " separated)"
	err = t.readCSV(br, func(*row) error { t.csvRows++; return nil }, true)
	return t, err
}

// open returns the file's text as UTF-8, without its byte-order mark.
func (t *table) open() (io.ReadCloser, error) {
	f, err := os.Open(t.path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
		t.bom = true
	}
	var r io.Reader = br
	if t.cp1252 {
		r = &cp1252Reader{r: br}
	}
	return struct {
		io.Reader
		io.Closer
	}{r, f}, nil
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
func checkText(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
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
	return fmt.Errorf("this is %s, not a CSV, JSON or GeoJSON export: download the list as CSV (or unzip it, or save the sheet as CSV) and give that file", what)
}

// isUTF8File tells whether the whole file is valid UTF-8, reading it in chunks.
func isUTF8File(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, 256<<10)
	carry := 0
	for {
		n, err := f.Read(buf[carry:])
		n += carry
		// Keep an incomplete rune at the end of the chunk for the next one.
		end := n
		for k := 1; k <= 3 && end-k >= 0; k++ {
			if b := buf[end-k]; b >= 0xC0 {
				if !utf8.FullRune(buf[end-k : n]) {
					end -= k
				}
				break
			} else if b < 0x80 {
				break
			}
		}
		if err == io.EOF {
			end = n
		}
		if !utf8.Valid(buf[:end]) {
			return false, nil
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
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

// cp1252Reader converts Windows-1252 to UTF-8 as it is read; every byte maps on its own, so chunks can be
// converted independently.
type cp1252Reader struct {
	r       io.Reader
	in      []byte
	pending string // converted text that did not fit in the caller's buffer
}

func (c *cp1252Reader) Read(p []byte) (int, error) {
	if c.pending == "" {
		if c.in == nil {
			c.in = make([]byte, 32<<10)
		}
		n, err := c.r.Read(c.in)
		c.pending = decodeCP1252(c.in[:n])
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
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
// value; check also notes the empty rows and stops at the first malformed line with its number.
func (t *table) readCSV(r io.Reader, fn func(*row) error, check bool) error {
	cr := csv.NewReader(r)
	cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord, cr.ReuseRecord = t.sep, true, -1, false
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%w: culture: %s: cannot read the header line: %v", importers.ErrBadInput, t.name, err)
	}
	if check {
		t.columns = header
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
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
		if err := fn(&row{ref: ref, cells: rec}); err != nil {
			return err
		}
	}
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
		t.rows = append(t.rows, row{ref: ref, cells: cells, point: point})
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
