package culture

import (
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

// table is a file read into memory: its header and its rows of text cells, whatever the format.
type table struct {
	name     string // file name, for messages
	format   string // "CSV (;)", "JSON", "GeoJSON"
	encoding string // "" for UTF-8; what was converted otherwise
	bom      bool
	columns  []string
	rows     []row
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

// readTable reads a CSV, JSON or GeoJSON export.
func readTable(path string) (*table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := &table{name: filepath.Base(path)}
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		data, t.bom = data[3:], true
	}
	var text string
	if utf8.Valid(data) {
		text = string(data)
	} else {
		// The 2013 data.gouv.fr exports are in Windows-1252.
		text, t.encoding = decodeCP1252(data), "Windows-1252, converted to UTF-8"
	}
	start := strings.TrimLeft(text, " \t\r\n")
	if start == "" {
		return nil, fmt.Errorf("%w: culture: %s: the file is empty", importers.ErrBadInput, t.name)
	}
	if start[0] == '[' || start[0] == '{' {
		err = t.readJSON([]byte(start))
	} else {
		err = t.readCSV(text)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
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

func (t *table) readCSV(text string) error {
	sep := sniffSeparator(text)
	t.format = "CSV (" + map[rune]string{';': ";", ',': ",", '|': "|", '\t': "tab"}[sep] + " separated)"
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord, r.ReuseRecord = sep, true, -1, false
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%w: culture: %s: cannot read the header line: %v", importers.ErrBadInput, t.name, err)
	}
	t.columns = header
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%w: culture: %s: line %d: %v", importers.ErrBadInput, t.name, line, err)
		}
		ref := "line " + strconv.Itoa(line)
		if allEmpty(rec) {
			t.empty = append(t.empty, ref)
			continue
		}
		t.rows = append(t.rows, row{ref: ref, cells: rec})
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
