package limit

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSizeAndCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 4096: "4,096 bytes", 64 << 10: "64 KiB", 16 << 20: "16 MiB",
		3 << 29: "1.5 GiB", 256 << 20: "256 MiB", 1 << 30: "1 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 32765: "32,765", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReader(t *testing.T) {
	exact := &Reader{R: strings.NewReader("12345"), N: 5, What: "a response", Hint: "ask for less"}
	if b, err := io.ReadAll(exact); err != nil || string(b) != "12345" || exact.Exceeded() {
		t.Fatalf("exactly N bytes: %q, %v", b, err)
	}
	over := &Reader{R: strings.NewReader("123456"), N: 5, What: "a response", Hint: "ask for less"}
	b, err := io.ReadAll(over)
	if !errors.Is(err, ErrExceeded) || !over.Exceeded() || string(b) != "12345" {
		t.Fatalf("N+1 bytes: %q, %v", b, err)
	}
	if want := "a response larger than 5 bytes (limit 5 bytes; ask for less)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestSpan(t *testing.T) {
	records := strings.Repeat("a", 100) + "\n" + strings.Repeat("b", 300) + "\n"
	s := &Span{R: strings.NewReader(records), N: 200, What: "a record", Hint: "close the quote"}
	buf := make([]byte, 101)
	if _, err := io.ReadFull(s, buf); err != nil {
		t.Fatal(err)
	}
	s.Mark()
	_, err := io.ReadAll(s)
	if !errors.Is(err, ErrExceeded) || !strings.Contains(err.Error(), "a record longer than 200 bytes (limit 200 bytes; close the quote)") {
		t.Fatalf("second record of 300 bytes: %v", err)
	}
	if s.Offset() != int64(len(records)) {
		t.Errorf("offset %d, want %d", s.Offset(), len(records))
	}
}

// gzipOf compresses n bytes of white space after prefix, as the bomb of issue 17 did.
func gzipOf(t testing.TB, prefix string, n int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write([]byte(prefix))
	chunk := bytes.Repeat([]byte(" "), 1<<16)
	for i := 0; i < n; i += len(chunk) {
		zw.Write(chunk[:min(len(chunk), n-i)])
	}
	zw.Close()
	return b.Bytes()
}

func TestDecompressRefusesABomb(t *testing.T) {
	bomb := gzipOf(t, "<osm>", 8<<20) // 8 MiB of spaces in about 8 kB
	r, name, err := Decompress(bytes.NewReader(bomb), 100, 1<<20)
	if err != nil || name != "gzip" {
		t.Fatalf("Decompress: %q, %v", name, err)
	}
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, ErrExceeded) {
		t.Fatalf("the bomb inflated %d bytes with no error (%v)", n, err)
	}
	if n > 2<<20 {
		t.Errorf("%d bytes inflated before the refusal; the floor is 1 MiB", n)
	}
	for _, want := range []string{"the gzip stream inflates more than 100 times", "decompression bomb", "limit 100 times once past 1 MiB"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// Real OSM XML inflates about 13 times: far under the default ratio.
func TestDecompressReadsRealFiles(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "osm", "andorra-latest.osm.bz2")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, name, err := Decompress(f, 0, 0)
	if err != nil || name != "bzip2" {
		t.Fatalf("Decompress: %q, %v", name, err)
	}
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		t.Fatal(err)
	}
	// bzcat andorra-latest.osm.bz2 | wc -c
	if n != 39568753 {
		t.Errorf("%d bytes inflated, bzcat gives 39568753", n)
	}
	plain, name, err := Decompress(strings.NewReader("<osm/>"), 0, 0)
	if b, _ := io.ReadAll(plain); err != nil || name != "" || string(b) != "<osm/>" {
		t.Errorf("a plain stream: %q %q %v", b, name, err)
	}
	if _, _, err := Decompress(bytes.NewReader([]byte{0x1f, 0x8b, 9, 9}), 0, 0); err == nil {
		t.Error("a broken gzip header: no error")
	}
}

// The same bomb through gzip(1) and bzip2(1), as a user would make it.
func TestDecompressRefusesBombsMadeByTools(t *testing.T) {
	for _, tool := range []string{"gzip", "bzip2"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: apt-get install -y %s", tool, tool)
		}
		cmd := exec.Command(tool, "-c")
		cmd.Stdin = io.MultiReader(strings.NewReader("<osm>"), io.LimitReader(spaces{}, 16<<20))
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		r, name, err := Decompress(bytes.NewReader(out), 0, 1<<20)
		if err != nil || name != tool {
			t.Fatalf("%s: %q %v", tool, name, err)
		}
		if n, err := io.Copy(io.Discard, r); !errors.Is(err, ErrExceeded) || n > 2<<20 {
			t.Errorf("%s bomb of %d bytes: %d bytes inflated, error %v", tool, len(out), n, err)
		}
	}
}

type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name, in string
		l        JSONLimits
		want     string // "" for no error
	}{
		{"small values pass", `{"a":"xyz","b":[1,2,{"c":null}]}`, JSONLimits{Value: 4, Depth: 3}, ""},
		{"escapes stay inside the string", `{"a":"\"\\\"}"}`, JSONLimits{Value: 8, Depth: 1}, ""},
		{"long string", `{"name":"` + strings.Repeat("A", 20) + `"}`, JSONLimits{Value: 16}, "byte 9: a string longer than 16 bytes (limit 16 bytes;"},
		{"long number", `[` + strings.Repeat("1", 20) + `]`, JSONLimits{Value: 16}, "byte 1: a number or literal longer than 16 bytes"},
		{"white space", `[1,` + strings.Repeat(" ", Space+1) + `2]`, JSONLimits{}, "byte 3: a run of white space longer than 1 MiB (limit 1 MiB;"},
		{"white space between tokens of a string", `[1,` + strings.Repeat(" ", Space) + `"` + strings.Repeat(" ", Space+1) + `"]`, JSONLimits{Value: Space + 1}, ""},
		{"deep", strings.Repeat("[", 10) + strings.Repeat("]", 10), JSONLimits{Depth: 4}, "byte 4: arrays and objects nested more than 4 deep (limit 4 levels;"},
		{"brackets in strings do not nest", `["[[[[[[[["]`, JSONLimits{Depth: 2}, ""},
		{"span", `[` + strings.Repeat(`"ab",`, 10) + `1]`, JSONLimits{Span: 20, SpanWhat: "a feature", Hint: "split it"}, "a feature longer than 20 bytes (limit 20 bytes; split it)"},
	}
	for _, tt := range tests {
		b, err := io.ReadAll(NewJSON(strings.NewReader(tt.in), tt.l))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == "" && string(b) != tt.in:
			t.Errorf("%s: read %q", tt.name, b)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrExceeded)):
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}

// A decoder reading through JSON gets the limit's error, not a syntax error, and has not buffered the value.
func TestJSONStopsTheDecoder(t *testing.T) {
	in := `{"type":"Feature","properties":{"name":"` + strings.Repeat("é", 1<<20) + `"}}`
	var v any
	err := json.NewDecoder(NewJSON(strings.NewReader(in), JSONLimits{Value: 1 << 16})).Decode(&v)
	if !errors.Is(err, ErrExceeded) {
		t.Fatalf("decode: %v", err)
	}
}

// FuzzJSON: the reader passes every byte through unchanged until it fails, and fails only with its own error;
// on valid JSON it reports nesting as deep as the decoder finds it, never less deep.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c\"]"}]}`, `[[[[[]]]]]`, `"` + strings.Repeat("x", 40) + `"`, `{"k":  1e5 }`, "\"\\", `]]]][`} {
		f.Add([]byte(s), uint8(8), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, value, depth uint8) {
		l := JSONLimits{Value: int64(value) + 1, Depth: int64(depth) + 1}
		b, err := io.ReadAll(NewJSON(bytes.NewReader(in), l))
		if !bytes.HasPrefix(in, b) {
			t.Fatalf("read %q, not a prefix of %q", b, in)
		}
		if err == nil {
			if len(b) != len(in) {
				t.Fatalf("read %d of %d bytes with no error", len(b), len(in))
			}
			return
		}
		if !errors.Is(err, ErrExceeded) {
			t.Fatalf("error %v is not a limit", err)
		}
		if strings.Contains(err.Error(), "nested") && json.Valid(in) && jsonDepth(in) <= l.Depth {
			t.Fatalf("%q: %v, but the decoder finds %d levels", in, err, jsonDepth(in))
		}
	})
}

func jsonDepth(b []byte) int64 {
	dec := json.NewDecoder(bytes.NewReader(b))
	var depth, most int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return most
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			most = max(most, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}
