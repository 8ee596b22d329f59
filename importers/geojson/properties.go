package geojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/patrimap/patrimap/importers/charset"
	"github.com/patrimap/patrimap/store"
)

// properties reads a GeoJSON "properties" object keeping its keys in order (the column order users expect).
// raw has already been checked as JSON by the decoder. Keys and strings that are not valid UTF-8 are read as
// Windows-1252 (importers/charset's rule); decoded says how many were.
func properties(raw json.RawMessage) (props []store.Property, decoded int, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, 0, nil
	}
	if raw[0] != '{' {
		return nil, 0, fmt.Errorf("must be an object, not %.20q", raw)
	}
	raw, decoded = charset.JSON(raw)
	// One allocation for the properties of most records: at most one member per comma, and a bound so that a
	// long text full of commas does not reserve more than it needs.
	props = make([]store.Property, 0, min(bytes.Count(raw, []byte{','})+1, 64))
	err = eachMember(raw, func(rawKey, rawValue []byte) error {
		key, err := jsonString(rawKey)
		if err != nil {
			return fmt.Errorf("key: %v", err)
		}
		v, err := value(rawValue)
		if err != nil {
			return fmt.Errorf("property %q: %v", key, err)
		}
		props = append(props, store.Property{Key: key, Value: v})
		return nil
	})
	return props, decoded, err
}

// jsonString reads a JSON string (checked by the decoder): its bytes as they are when no escape is in them,
// which is nearly always (json.Unmarshal costs a decoder's state for each, a third of what a point's import
// allocated when it read every name and type).
func jsonString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) { // as encoding/json reads it
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// eachMember calls fn with the raw key (quoted) and value of each member of the JSON object raw, in order.
func eachMember(raw []byte, fn func(key, value []byte) error) error {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return errors.New("must be an object")
	}
	i++
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return errors.New("unterminated object")
		}
		if raw[i] == '}' {
			return nil
		}
		if raw[i] == ',' {
			i++
			continue
		}
		end, err := valueEnd(raw, i)
		if err != nil {
			return err
		}
		key := raw[i:end]
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return fmt.Errorf("member %s: missing ':'", key)
		}
		i = skipSpace(raw, i+1)
		end, err = valueEnd(raw, i)
		if err != nil {
			return fmt.Errorf("member %s: %v", key, err)
		}
		if err := fn(key, raw[i:end]); err != nil {
			return err
		}
		i = end
	}
}

// value converts one JSON value to what the store takes: string, int64, float64, bool, nil, or
// json.RawMessage for objects and arrays. Integers too large for int64 stay text, so no digit is lost.
func value(raw []byte) (any, error) {
	switch raw[0] {
	case '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1]), nil
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case 'n':
		return nil, nil
	case '{', '[':
		return json.RawMessage(bytes.Clone(raw)), nil
	}
	if bytes.ContainsAny(raw, ".eE") {
		return strconv.ParseFloat(string(raw), 64)
	}
	if v, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return v, nil
	}
	return string(raw), nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errors.New("unterminated string")
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := valueEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("unterminated object or array")
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	if j == i {
		return 0, fmt.Errorf("unexpected %q", b[i])
	}
	return j, nil
}
