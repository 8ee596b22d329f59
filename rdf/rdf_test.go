package rdf

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

const dct = "http://purl.org/dc/terms/"

func sample() *Graph {
	g := NewGraph(Prefix{"dct", dct}, Prefix{"dcat", "http://www.w3.org/ns/dcat#"})
	d := IRI("https://patrimap.example.org/datasets/rnn-isere#dataset")
	g.Add(d, RDF+"type", IRI("http://www.w3.org/ns/dcat#Dataset"))
	g.Add(d, dct+"title", LangString(`Réserves "naturelles"`, "fr"))
	g.Add(d, dct+"title", LangString(`Réserves "naturelles"`, "fr")) // once
	g.Add(d, "http://www.w3.org/ns/dcat#keyword", String("réserve"))
	g.Add(d, "http://www.w3.org/ns/dcat#keyword", String("line\nbreak & <tag>"))
	b := g.NewBlank()
	g.Add(d, dct+"temporal", b)
	g.Add(b, "http://www.w3.org/ns/dcat#startDate", Typed("1961", XSD+"gYear"))
	g.Add(d, "http://example.org/vocab/odd", IRI("https://x.org/a b"))
	return g
}

func TestTurtle(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteTurtle(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"@prefix dct: <http://purl.org/dc/terms/> .",
		"<https://patrimap.example.org/datasets/rnn-isere#dataset> a dcat:Dataset ;",
		`dct:title "Réserves \"naturelles\""@fr ;`,
		`dcat:keyword "réserve" ,` + "\n" + `        "line\nbreak & <tag>" ;`,
		"dct:temporal _:b1 ;",
		"<http://example.org/vocab/odd> <https://x.org/a%20b> .",
		`_:b1 dcat:startDate "1961"^^xsd:gYear .`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Turtle lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "dct:title") != 1 {
		t.Errorf("a triple added twice is written twice:\n%s", out)
	}
}

func TestJSONLD(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteJSONLD(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context map[string]string `json:"@context"`
		Graph   []map[string]any  `json:"@graph"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Context["dcat"] != "http://www.w3.org/ns/dcat#" || len(doc.Graph) != 2 {
		t.Fatalf("%s", b.String())
	}
	d := doc.Graph[0]
	if d["@id"] != "https://patrimap.example.org/datasets/rnn-isere#dataset" || d["@type"].([]any)[0] != "dcat:Dataset" {
		t.Errorf("%v", d)
	}
	title := d["dct:title"].([]any)[0].(map[string]any)
	if title["@value"] != `Réserves "naturelles"` || title["@language"] != "fr" {
		t.Errorf("title %v", title)
	}
	if doc.Graph[1]["@id"] != "_:b1" || doc.Graph[1]["dcat:startDate"].([]any)[0].(map[string]any)["@type"] != XSD+"gYear" {
		t.Errorf("%v", doc.Graph[1])
	}
}

// The RDF/XML is well-formed XML whose elements and attributes carry the triples.
func TestRDFXML(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteRDFXML(&b); err != nil {
		t.Fatal(err)
	}
	triples := readRDFXML(t, b.Bytes())
	for _, want := range []string{
		"https://patrimap.example.org/datasets/rnn-isere#dataset http://purl.org/dc/terms/title Réserves \"naturelles\"@fr",
		"https://patrimap.example.org/datasets/rnn-isere#dataset http://www.w3.org/ns/dcat#keyword line\nbreak & <tag>",
		"https://patrimap.example.org/datasets/rnn-isere#dataset http://example.org/vocab/odd https://x.org/a%20b",
		"_:b1 http://www.w3.org/ns/dcat#startDate 1961^^" + XSD + "gYear",
	} {
		if !triples[want] {
			t.Errorf("RDF/XML lacks %q:\n%s", want, b.String())
		}
	}
}

// readRDFXML reads the subset of RDF/XML WriteRDFXML writes, with encoding/xml.
func readRDFXML(t testing.TB, data []byte) map[string]bool {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	out := map[string]bool{}
	var subject, pred, attr string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			get := func(local string) string {
				for _, a := range e.Attr {
					if a.Name.Space == RDF && a.Name.Local == local {
						return a.Value
					}
				}
				return ""
			}
			switch {
			case e.Name.Space == RDF && e.Name.Local == "Description":
				subject = get("about")
				if subject == "" {
					subject = "_:" + get("nodeID")
				}
			case e.Name.Space == RDF && e.Name.Local == "RDF":
			default:
				pred, attr = e.Name.Space+e.Name.Local, ""
				text.Reset()
				if r := get("resource"); r != "" {
					out[subject+" "+pred+" "+r] = true
					pred = ""
				} else if n := get("nodeID"); n != "" {
					out[subject+" "+pred+" _:"+n] = true
					pred = ""
				} else if dt := get("datatype"); dt != "" {
					attr = "^^" + dt
				}
				for _, a := range e.Attr {
					if a.Name.Local == "lang" {
						attr = "@" + a.Value
					}
				}
			}
		case xml.CharData:
			text.Write(e)
		case xml.EndElement:
			if pred != "" && e.Name.Space+e.Name.Local == pred {
				out[subject+" "+pred+" "+text.String()+attr] = true
				pred = ""
			}
		}
	}
}

func FuzzWriters(f *testing.F) {
	f.Add("Réserve \"naturelle\" & <b>", "https://x.org/a b?c=<d>", "fr")
	f.Add("\x00\x1f\x7f\r\n\t\\", "http://x/\u0085", "")
	f.Add("\xff\xfe", "https://é.fr/ü", "en")
	f.Fuzz(func(t *testing.T, text, iri, lang string) {
		g := NewGraph(Prefix{"dct", dct})
		s := IRI(iri)
		if lang != "" && !safeLocal(lang) {
			lang = ""
		}
		g.Add(s, dct+"title", LangString(text, lang))
		g.Add(s, dct+"source", IRI(iri))
		var x, j, tt bytes.Buffer
		if err := g.WriteRDFXML(&x); err != nil {
			t.Fatal(err)
		}
		readRDFXML(t, x.Bytes())
		if err := g.WriteJSONLD(&j); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Graph []struct {
				Title []map[string]string `json:"dct:title"`
			} `json:"@graph"`
		}
		if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
			t.Fatalf("JSON-LD is not JSON: %v", err)
		}
		if got := doc.Graph[0].Title[0]["@value"]; got != validUTF8(text) {
			t.Fatalf("JSON-LD title %q, want %q", got, text)
		}
		if err := g.WriteTurtle(&tt); err != nil {
			t.Fatal(err)
		}
		// An IRI in Turtle holds none of the characters IRIREF forbids.
		for _, line := range strings.Split(tt.String(), "\n") {
			if i := strings.Index(line, "<"); i >= 0 && !strings.HasPrefix(line, "@prefix") {
				end := strings.Index(line[i:], ">")
				if end < 0 || strings.ContainsFunc(line[i+1:i+end], badIRIRune) {
					t.Fatalf("bad IRI in %q", line)
				}
			}
		}
	})
}
