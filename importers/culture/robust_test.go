package culture

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/limit"
	"github.com/patrimap/patrimap/importers/territory"
)

// realLines returns the first n lines of a bundled export.
func realLines(t testing.TB, file string, n int) []string {
	t.Helper()
	b, err := os.ReadFile(data + file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitN(string(b), "\n", n+1)[:n]
}

func writeCSV(t *testing.T, name string, parts ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(strings.Join(parts, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func merimee(t *testing.T) List {
	l, ok := ListByKey("merimee")
	if !ok {
		t.Fatal("no merimee list")
	}
	return l
}

// Issue 17: an unterminated quote of 100 MB took 927 MB and became one row. Past the record limit the file is
// refused with the line where the record starts; a smaller one is refused too when the cell it opens swallows
// lines that look like rows.
func TestUnterminatedQuote(t *testing.T) {
	lines := realLines(t, "merimee-isere-camlebrun.csv", 3) // the header, La Tronche, Septème
	head := lines[0] + "\n" + lines[1] + "\n"
	// Septème's row with a quote opening its seventh cell, never closed.
	bad := strings.Replace(lines[2], ";Mosaïque", `;"Mosaïque`, 1) + "\n"
	if bad == lines[2]+"\n" {
		t.Fatal("no Mosaïque in Septème's row")
	}
	t.Run("100 MB: the record limit", func(t *testing.T) {
		filler := strings.Repeat(strings.Repeat("x", 99)+"\n", limit.Value/100+1000) // past the limit and what a reader buffers ahead
		_, err := Open(writeCSV(t, "quote.csv", head, bad, filler), merimee(t))
		want := "culture: quote.csv: line 3: a record longer than 16 MiB (limit 16 MiB; a quote opened there is probably never closed: close it, or remove it)"
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, importers.ErrBadInput) || !errors.Is(err, limit.ErrExceeded) {
			t.Errorf("error %v\nwant one saying %q", err, want)
		}
	})
	t.Run("a few rows swallowed", func(t *testing.T) {
		_, err := Open(writeCSV(t, "quote.csv", head, bad, strings.Repeat(lines[2]+"\n", 4)), merimee(t))
		want := "culture: quote.csv: line 3: a quote opens a cell that runs over the next lines, and line 4 of it holds 21 separators like a row of its own"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant one saying %q", err, want)
		}
	})
	t.Run("real multi-line cells pass", func(t *testing.T) {
		for _, tt := range [][2]string{{"musees", "musees-victorianed-extract.csv"}, {"merimee", "merimee-isere-camlebrun.csv"}} {
			list, _ := ListByKey(tt[0])
			if _, err := Open(data+tt[1], list); err != nil {
				t.Error(err)
			}
		}
	})
}

// One value in Windows-1252 in a UTF-8 export: that value is decoded, the others keep their accents (the whole
// file used to be decoded as Windows-1252 once one byte was not UTF-8: every é became Ã©).
func TestTextNotUTF8DecodedPerValue(t *testing.T) {
	lines := realLines(t, "merimee-isere-camlebrun.csv", 3)
	// Septème's name in Windows-1252, its commune and département still in UTF-8.
	row := strings.Replace(lines[2], ";Mosaïque gallo-romaine;", ";Mosa\xefque gallo-romaine;", 1)
	if !strings.Contains(row, "\xef") || !strings.Contains(row, "Isère") {
		t.Fatalf("no Mosaïque in Septème's row: %q", row)
	}
	p := writeCSV(t, "mixed.csv", lines[0]+"\n"+lines[1]+"\n"+row+"\n")
	f, err := Open(p, merimee(t))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := territory.LoadReference()
	if err != nil {
		t.Fatal(err)
	}
	rep := &importers.Report{}
	var names []string
	err = (&Source{File: f, Reference: ref}).Records(context.Background(), rep, func(r importers.Record) error {
		for _, p := range r.Properties {
			if s, ok := p.Value.(string); ok && !utf8.ValidString(s) {
				t.Errorf("%s: %s = %q is not UTF-8", r.Ref, p.Key, s)
			}
			if s, ok := p.Value.(string); ok && strings.Contains(s, "Ã") {
				t.Errorf("%s: %s = %q: mojibake", r.Ref, p.Key, s)
			}
			if p.Key == "name" {
				names = append(names, p.Value.(string))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[1] != "Mosaïque gallo-romaine" {
		t.Errorf("names %q", names)
	}
	if !strings.HasPrefix(f.table.encoding, "Windows-1252 where a value is not valid UTF-8 (") {
		t.Errorf("encoding %q", f.table.encoding)
	}
}

// A JSON export is held in memory: its values and nesting are bounded.
func TestJSONExportBounded(t *testing.T) {
	p := writeCSV(t, "big.json", `[{"reference":"PA1","appellation_courante":"`, strings.Repeat("a", limit.Value+1), `"}]`)
	_, err := Open(p, merimee(t))
	want := "culture: big.json: byte 44: a string longer than 16 MiB (limit 16 MiB;"
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, limit.ErrExceeded) {
		t.Errorf("error %v\nwant one saying %q", err, want)
	}
}

// FuzzTable feeds arbitrary bytes as an export of the Mérimée list: Open may refuse them, never panic; the rows
// it normalises hold only valid UTF-8.
func FuzzTable(f *testing.F) {
	for _, file := range []string{"merimee-isere-camlebrun.csv", "merimee-aube-2013-jeanfred.csv", "merimee-isere-derived.json", "merimee-isere-derived.geojson"} {
		b, err := os.ReadFile(data + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 3000)])
	}
	lines := realLines(f, "merimee-isere-camlebrun.csv", 6)
	f.Add([]byte(strings.Join(lines[:3], "\n") + "\n\"" + strings.Join(lines[3:], "\n")))
	f.Add([]byte("reference;appellation_courante;commune\nPA1;Ch\xe2teau;Vizille\n"))
	ref, err := territory.LoadReference()
	if err != nil {
		f.Fatal(err)
	}
	list, _ := ListByKey("merimee")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "fuzz.csv")
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) || bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
			p = filepath.Join(dir, "fuzz.json")
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := Open(p, list)
		if err != nil {
			return
		}
		_ = (&Source{File: file, Reference: ref}).Records(context.Background(), &importers.Report{}, func(r importers.Record) error {
			for _, p := range r.Properties {
				if s, ok := p.Value.(string); ok && !utf8.ValidString(s) {
					t.Fatalf("%s: %s = %q is not UTF-8", r.Ref, p.Key, s)
				}
			}
			return nil
		})
	})
}

// An export may come gzip'd or bzip2'd: read decompressed, row for row as the plain file.
func TestCompressedExport(t *testing.T) {
	plain, err := Open(data+"merimee-isere-camlebrun.csv", merimee(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(data + "merimee-isere-camlebrun.csv")
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	gz, err := Open(writeCSV(t, "merimee.csv.gz", z.String()), merimee(t))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Rows() != plain.Rows() || gz.Rows() == 0 || gz.Format() != "CSV (; separated) (gzip)" {
		t.Errorf("gzip'd: %d rows, %q; plain: %d rows", gz.Rows(), gz.Format(), plain.Rows())
	}
}
