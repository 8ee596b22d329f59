package charset

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		in      string
		cp      *charmap.Charmap
		want    string
		decoded bool
	}{
		{"Château", nil, "Château", false},
		{"Ch\xe2teau", nil, "Château", true},
		{"Ch\x8eteau", nil, "ChŽteau", true}, // issue 17's value: 0x8E is Ž in Windows-1252
		{"\x92uvre d\x92art \x9c", nil, "’uvre d’art œ", true},
		{"caf\xe9 \x81", nil, "café \uFFFD", true},    // 0x81 is undefined in Windows-1252
		{"\x82\x8a", charmap.CodePage850, "éè", true}, // a DBF that declares CP850
		{"d\xc3\xa9j\xe0", nil, "dÃ©jà", true},        // the rule is per value: one bad byte, the whole value in CP1252
		{"D\uFFFDcret", nil, "D\uFFFDcret", false},    // already damaged at the source: kept
		{"", nil, "", false},
	}
	for _, tt := range tests {
		got, decoded := Decode([]byte(tt.in), tt.cp)
		if got != tt.want || decoded != tt.decoded {
			t.Errorf("Decode(%q) = %q, %v; want %q, %v", tt.in, got, decoded, tt.want, tt.decoded)
		}
		if s, d := DecodeString(tt.in, tt.cp); s != got || d != decoded {
			t.Errorf("DecodeString(%q) = %q, %v; Decode gives %q, %v", tt.in, s, d, got, decoded)
		}
	}
	if r, ok := CP1252(0x9c); r != 'œ' || !ok {
		t.Errorf("CP1252(0x9C) = %q, %v", r, ok)
	}
	if _, ok := CP1252(0x8d); ok {
		t.Error("CP1252(0x8D) is undefined")
	}
}

func TestJSON(t *testing.T) {
	raw := []byte("{\"name\":\"Ch\xe2teau\",\"k\\\"\xe9\":[\"ok é\",\"\\u00e9\xe0\"],\"n\":1}")
	out, n := JSON(raw)
	if n != 3 {
		t.Errorf("%d strings decoded, want 3", n)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if v["name"] != "Château" || v[`k"é`] == nil {
		t.Errorf("decoded %v", v)
	}
	if l := v[`k"é`].([]any); l[0] != "ok é" || l[1] != "éà" {
		t.Errorf("list %v", l)
	}
	valid := []byte(`{"a":"é"}`)
	if out, n := JSON(valid); n != 0 || &out[0] != &valid[0] {
		t.Error("valid UTF-8 is copied or changed")
	}
}

// FuzzJSON: whatever the bytes, the result is valid UTF-8 and JSON where the input was JSON with only its
// strings' bytes wrong, and a valid input comes back unchanged.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"":"\x8e"}`, "{\"name\":\"Ch\x8eteau\"}", `["a\"\x92",1,{"\xe9":null}]`, `"\`, `{"a":"é"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, n := JSON(raw)
		if utf8.Valid(raw) {
			if n != 0 || string(out) != string(raw) {
				t.Fatalf("valid input %q changed to %q", raw, out)
			}
			return
		}
		// Bytes outside strings are left for the decoder to refuse; everything inside a string is repaired.
		if json.Valid(out) && !utf8.Valid(out) {
			t.Fatalf("%q -> %q: valid JSON that is not valid UTF-8", raw, out)
		}
		var asText any
		if json.Unmarshal(out, &asText) == nil && n == 0 {
			t.Fatalf("%q: invalid UTF-8 decoded as JSON with no string repaired", raw)
		}
	})
}
