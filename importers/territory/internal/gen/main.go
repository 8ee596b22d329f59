// Command gen derives importers/territory/data/reference.tsv.gz, the compact list of communes, EPCI,
// départements and régions embedded in package territory, from the npm package
// @etalab/decoupage-administratif (MIT licence, https://github.com/datagouv/decoupage-administratif), and
// writes data/PROVENANCE.md next to it.
//
//	cd /tmp && npm pack @etalab/decoupage-administratif@6.0.0
//	cd importers/territory && go generate
//
// The output is deterministic: the same tarball gives the same bytes.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const (
	pkgName    = "@etalab/decoupage-administratif"
	pkgVersion = "6.0.0"
	// pkgSHA256 is the sha256 of the tarball `npm pack @etalab/decoupage-administratif@6.0.0` downloads.
	pkgSHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
	// pkgPublished is the registry's publication time of that version (npm view ... time).
	pkgPublished = "2026-04-09"
)

type commune struct {
	Code         string   `json:"code"`
	Nom          string   `json:"nom"`
	Type         string   `json:"type"`
	Departement  string   `json:"departement"`
	Region       string   `json:"region"`
	Commune      string   `json:"commune"` // arrondissement municipal: its commune
	CodesPostaux []string `json:"codesPostaux"`
}

type epci struct {
	Code    string `json:"code"`
	Nom     string `json:"nom"`
	Type    string `json:"type"`
	Membres []struct {
		Code string `json:"code"`
	} `json:"membres"`
}

type departement struct {
	Code   string `json:"code"`
	Nom    string `json:"nom"`
	Region string `json:"region"`
}

type region struct {
	Code string `json:"code"`
	Nom  string `json:"nom"`
}

func main() {
	tgz := flag.String("tgz", filepath.Join(os.TempDir(), "etalab-decoupage-administratif-"+pkgVersion+".tgz"),
		"the tarball made by `npm pack "+pkgName+"@"+pkgVersion+"`")
	sum := flag.String("sha256", pkgSHA256, "expected sha256 of the tarball (change it with the version)")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	if err := run(*tgz, *sum, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(tgz, wantSum, outDir string) error {
	raw, err := os.ReadFile(tgz)
	if err != nil {
		return fmt.Errorf("%w\n  get it with: cd %s && npm pack %s@%s", err, filepath.Dir(tgz), pkgName, pkgVersion)
	}
	h := sha256.Sum256(raw)
	gotSum := hex.EncodeToString(h[:])
	if wantSum != "" && gotSum != wantSum {
		return fmt.Errorf("%s: sha256 %s, want %s (another version? pass -sha256)", tgz, gotSum, wantSum)
	}
	files, err := untar(raw, "package/data/communes.json", "package/data/epci.json", "package/data/departements.json",
		"package/data/regions.json", "package/package.json")
	if err != nil {
		return fmt.Errorf("%s: %w", tgz, err)
	}
	var meta struct{ Name, Version, License string }
	var communes []commune
	var epcis []epci
	var deps []departement
	var regs []region
	for name, v := range map[string]any{"package/package.json": &meta, "package/data/communes.json": &communes,
		"package/data/epci.json": &epcis, "package/data/departements.json": &deps, "package/data/regions.json": &regs} {
		if err := json.Unmarshal(files[name], v); err != nil {
			return fmt.Errorf("%s: %s: %w", tgz, name, err)
		}
	}
	if meta.Name != pkgName || meta.License != "MIT" {
		return fmt.Errorf("%s: package %s licence %s, want %s under MIT", tgz, meta.Name, meta.License, pkgName)
	}

	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	line := func(fields ...string) error {
		for _, f := range fields {
			if strings.ContainsAny(f, "\t\n\r") {
				return fmt.Errorf("field %q holds a tab or a newline", f)
			}
		}
		_, err := w.WriteString(strings.Join(fields, "\t") + "\n")
		return err
	}
	if err := line("#patrimap-territory-reference", "1", meta.Name+"@"+meta.Version); err != nil {
		return err
	}
	sort.Slice(regs, func(i, j int) bool { return regs[i].Code < regs[j].Code })
	regOK := map[string]bool{}
	for _, r := range regs {
		regOK[r.Code] = true
		if err := line("R", r.Code, r.Nom); err != nil {
			return err
		}
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Code < deps[j].Code })
	depRegion := map[string]string{}
	for _, d := range deps {
		if !regOK[d.Region] {
			return fmt.Errorf("département %s: unknown région %q", d.Code, d.Region)
		}
		depRegion[d.Code] = d.Region
		if err := line("D", d.Code, d.Nom, d.Region); err != nil {
			return err
		}
	}
	sort.Slice(epcis, func(i, j int) bool { return epcis[i].Code < epcis[j].Code })
	epciOf := map[string]string{}
	for _, e := range epcis {
		if len(e.Membres) == 0 {
			return fmt.Errorf("epci %s has no members", e.Code)
		}
		for _, m := range e.Membres {
			if prev, dup := epciOf[m.Code]; dup {
				return fmt.Errorf("commune %s is in epci %s and %s", m.Code, prev, e.Code)
			}
			epciOf[m.Code] = e.Code
		}
		if err := line("E", e.Code, e.Type, e.Nom); err != nil {
			return err
		}
	}
	sort.Slice(communes, func(i, j int) bool { return communes[i].Code < communes[j].Code })
	nC, nA := 0, 0
	seen := map[string]bool{}
	for _, c := range communes {
		var kind, parentOrEPCI string
		switch c.Type {
		case "commune-actuelle":
			kind, parentOrEPCI = "C", epciOf[c.Code]
			nC++
		case "arrondissement-municipal":
			kind, parentOrEPCI = "A", c.Commune
			nA++
		default:
			continue // communes déléguées and associées share codes with their commune nouvelle
		}
		if seen[c.Code] {
			return fmt.Errorf("commune %s listed twice", c.Code)
		}
		seen[c.Code] = true
		if r, ok := depRegion[c.Departement]; !ok || r != c.Region {
			return fmt.Errorf("commune %s: département %q région %q do not match the départements list", c.Code, c.Departement, c.Region)
		}
		if err := line(kind, c.Code, c.Nom, c.Departement, parentOrEPCI, strings.Join(c.CodesPostaux, ",")); err != nil {
			return err
		}
	}
	for code, e := range epciOf {
		if !seen[code] {
			return fmt.Errorf("epci %s: member %s is not a current commune", e, code)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	// No name and no modification time in the header: the output depends on the input only.
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	outFile := filepath.Join(outDir, "reference.tsv.gz")
	if err := os.WriteFile(outFile, gz.Bytes(), 0o644); err != nil {
		return err
	}
	ref := sha256.Sum256(gz.Bytes())
	prov := fmt.Sprintf(provenance, meta.Name, meta.Version, meta.License, pkgPublished, gotSum,
		time.Now().UTC().Format("2006-01-02"), len(regs), len(deps), len(epcis), nC, nA,
		buf.Len(), gz.Len(), hex.EncodeToString(ref[:]))
	if err := os.WriteFile(filepath.Join(outDir, "PROVENANCE.md"), []byte(prov), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d régions, %d départements, %d EPCI, %d communes, %d arrondissements municipaux; %d bytes (%d uncompressed)\n",
		outFile, len(regs), len(deps), len(epcis), nC, nA, gz.Len(), buf.Len())
	return nil
}

// untar returns the named files of a gzip'd tarball.
func untar(raw []byte, names ...string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !want[hdr.Name] {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", hdr.Name, err)
		}
		out[hdr.Name] = b
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("%s missing from the tarball", n)
		}
	}
	return out, nil
}

const provenance = `# Provenance of reference.tsv.gz

reference.tsv.gz is derived from the npm package **%s** version **%s**
(licence **%s**, upstream repository https://github.com/datagouv/decoupage-administratif, formerly
github.com/etalab/decoupage-administratif as its package.json still says; published %s). Per the package's
README, its sources are the INSEE Code officiel géographique, the DGCL list of EPCI à fiscalité propre and La
Poste's Base officielle des codes postaux (data.gouv.fr, Licence Ouverte).

- tarball: ` + "`npm pack @etalab/decoupage-administratif@6.0.0`" + `, sha256 ` + "`%s`" + `
- generated: %s by ` + "`go generate`" + ` in importers/territory (program importers/territory/internal/gen)
- content: %d régions, %d départements, %d EPCI, %d communes (type commune-actuelle) and %d arrondissements
  municipaux; communes déléguées and associées are left out
- size: %d bytes of TSV, %d bytes gzip'd; sha256 of reference.tsv.gz ` + "`%s`" + `

Format (UTF-8, tab-separated, one record a line, after a "#patrimap-territory-reference" header line):

    R  code  nom                                   région
    D  code  nom  région                           département
    E  siren  type  nom                            EPCI (members: the C lines naming it)
    C  insee  nom  département  epci-siren  codes-postaux(comma-separated)     commune
    A  insee  nom  département  commune-insee  codes-postaux                   arrondissement municipal

To update: change pkgVersion, pkgSHA256 and pkgPublished in internal/gen/main.go, then

    cd /tmp && npm pack @etalab/decoupage-administratif@VERSION
    cd importers/territory && go generate

The MIT licence of the package:

    MIT License

    Copyright (c) 2018-2019 Etalab

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
    SOFTWARE.
`
