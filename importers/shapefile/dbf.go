package shapefile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Field is a DBF column as its header declares it.
type Field struct {
	Name     string
	Type     byte // 'C' text, 'N' and 'F' numbers, 'D' date, 'L' logical; others are read as text
	Length   int
	Decimals int
}

// dbfReader streams the records of a dBASE III/IV table, one at a time: memory is one record whatever the file.
type dbfReader struct {
	r          *bufio.Reader
	fields     []Field
	offsets    []int // start of each field in a record, after the deletion flag
	numRecords int   // what the header says; a file may hold fewer
	recordLen  int
	buf        []byte
	read       int
	text       textDecoder
}

const maxDBFHeader = 1 << 20 // 32,767 fields at most, far more than any real file

func newDBF(r io.Reader, cpg string) (*dbfReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var head [32]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fmt.Errorf("not a dBASE file: header shorter than 32 bytes")
	}
	d := &dbfReader{
		r:          br,
		numRecords: int(binary.LittleEndian.Uint32(head[4:8])),
		recordLen:  int(binary.LittleEndian.Uint16(head[10:12])),
	}
	headerLen := int(binary.LittleEndian.Uint16(head[8:10]))
	if headerLen < 33 || headerLen > maxDBFHeader {
		return nil, fmt.Errorf("not a dBASE file: header length %d", headerLen)
	}
	desc := make([]byte, headerLen-32)
	if _, err := io.ReadFull(br, desc); err != nil {
		return nil, fmt.Errorf("dBASE header truncated: %w", err)
	}
	d.text = newTextDecoder(cpg, head[29])
	seen := map[string]bool{}
	offset := 0
	for i := 0; i+32 <= len(desc) && desc[i] != 0x0D; i += 32 {
		fd := desc[i : i+32]
		raw := fd[:11]
		if k := indexByte(raw, 0); k >= 0 {
			raw = raw[:k]
		}
		name, _ := d.text.decode(raw)
		name = strings.TrimSpace(name)
		if name == "" {
			name = "FIELD_" + strconv.Itoa(len(d.fields)+1)
		}
		// Two columns of one name would collide in the store: number the second one as GDAL does.
		for base, n := name, 2; seen[strings.ToUpper(name)]; n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		seen[strings.ToUpper(name)] = true
		f := Field{Name: name, Type: fd[11], Length: int(fd[16]), Decimals: int(fd[17])}
		if f.Type == 'C' {
			// Clipper and FoxPro store text lengths over 255 in the decimals byte.
			f.Length += int(fd[17]) << 8
			f.Decimals = 0
		}
		d.fields = append(d.fields, f)
		d.offsets = append(d.offsets, offset)
		offset += f.Length
	}
	if len(d.fields) == 0 {
		return nil, errors.New("dBASE file declares no field")
	}
	if 1+offset > d.recordLen {
		return nil, fmt.Errorf("dBASE header inconsistent: fields take %d bytes but a record is %d", 1+offset, d.recordLen)
	}
	d.buf = make([]byte, d.recordLen)
	return d, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// next reads one record. It returns io.EOF after the last record; deleted reports the record's deletion flag.
func (d *dbfReader) next(issues *[]string) (values []any, deleted bool, err error) {
	if d.read >= d.numRecords {
		return nil, false, io.EOF
	}
	n, err := io.ReadFull(d.r, d.buf)
	if err != nil {
		if n == 0 || (n == 1 && d.buf[0] == 0x1A) {
			// Fewer records than the header says: the file ends here.
			return nil, false, io.EOF
		}
		return nil, false, fmt.Errorf("record %d truncated (%d of %d bytes)", d.read+1, n, d.recordLen)
	}
	if d.buf[0] == 0x1A {
		return nil, false, io.EOF
	}
	d.read++
	values = make([]any, len(d.fields))
	for i, f := range d.fields {
		raw := d.buf[1+d.offsets[i] : 1+d.offsets[i]+f.Length]
		values[i] = d.value(f, raw, issues)
	}
	return values, d.buf[0] == '*', nil
}

// Placeholder dates some producers write for "unknown" (Excel's and Access's day zero).
var placeholderDates = map[string]bool{"18991230": true, "18991231": true, "18991229": true, "00000000": true}

func (d *dbfReader) value(f Field, raw []byte, issues *[]string) any {
	switch f.Type {
	case 'N', 'F':
		return numberValue(f, raw, issues)
	case 'D':
		s := strings.TrimSpace(strings.Trim(string(raw), "\x00"))
		if s == "" {
			return nil
		}
		if placeholderDates[s] || strings.Trim(s, "0") == "" {
			note(issues, f, "placeholder date "+s+" read as unknown")
			return nil
		}
		if len(s) == 8 {
			y, e1 := strconv.Atoi(s[:4])
			m, e2 := strconv.Atoi(s[4:6])
			day, e3 := strconv.Atoi(s[6:])
			if e1 == nil && e2 == nil && e3 == nil && m >= 1 && m <= 12 && day >= 1 && day <= daysIn(y, m) {
				return s[:4] + "-" + s[4:6] + "-" + s[6:]
			}
		}
		note(issues, f, "unreadable date kept as text")
		text, _ := d.text.decode([]byte(s))
		return text
	case 'L':
		switch s := strings.TrimSpace(string(raw)); s {
		case "T", "t", "Y", "y":
			return true
		case "F", "f", "N", "n":
			return false
		case "", "?":
			return nil
		default:
			note(issues, f, "unreadable logical value read as unknown")
			return nil
		}
	case 'I':
		if len(raw) == 4 {
			return int64(int32(binary.LittleEndian.Uint32(raw)))
		}
	}
	raw = trimText(raw)
	if len(raw) == 0 {
		return nil
	}
	s, issue := d.text.decode(raw)
	if issue != "" {
		note(issues, f, issue)
	}
	return s
}

func note(issues *[]string, f Field, what string) {
	*issues = append(*issues, "field "+f.Name+": "+what)
}

// trimText drops the padding around a text value: spaces and the NUL bytes some writers pad with.
func trimText(b []byte) []byte {
	start, end := 0, len(b)
	for start < end && (b[start] == ' ' || b[start] == 0) {
		start++
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == 0) {
		end--
	}
	return b[start:end]
}

// numberValue reads an N or F value. Blank and '*' overflow markers are unknown; text a writer put in place of
// a number that did not fit (" 2.30e+005", "1,5") is read when it can be and counted.
func numberValue(f Field, raw []byte, issues *[]string) any {
	s := string(trimText(raw))
	if s == "" || strings.Trim(s, "*") == "" {
		if s != "" {
			note(issues, f, "overflowed number (asterisks) read as unknown")
		}
		return nil
	}
	if f.Decimals == 0 && f.Type == 'N' {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v
		}
	}
	t := s
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		note(issues, f, "unreadable number read as unknown")
		return nil
	}
	if t != s || strings.ContainsAny(s, "eE") {
		note(issues, f, "number written as text ("+describeNumberText(s)+") read")
	}
	if f.Decimals == 0 && f.Type == 'N' && v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return int64(v)
	}
	return v
}

func describeNumberText(s string) string {
	if strings.ContainsAny(s, "eE") {
		return "exponent notation"
	}
	return "decimal comma"
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
