package rdf

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Media types of the three syntaxes.
const (
	TurtleType = "text/turtle; charset=utf-8"
	JSONLDType = "application/ld+json"
	RDFXMLType = "application/rdf+xml"
)

// WriteTurtle writes g as Turtle: the prefixes, then each subject with its predicates (";") and objects (",").
func (g *Graph) WriteTurtle(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, p := range g.Prefixes {
		fmt.Fprintf(bw, "@prefix %s: <%s> .\n", p.Name, p.IRI)
	}
	for _, ts := range g.subjects() {
		bw.WriteString("\n")
		bw.WriteString(g.turtleTerm(ts[0].S))
		for i, t := range ts {
			switch {
			case i == 0:
				bw.WriteString(" ")
			case t.P == ts[i-1].P:
				bw.WriteString(" ,\n        ")
				bw.WriteString(g.turtleTerm(t.O))
				continue
			default:
				bw.WriteString(" ;\n    ")
			}
			if t.P.Value == RDF+"type" {
				bw.WriteString("a")
			} else {
				bw.WriteString(g.turtleTerm(t.P))
			}
			bw.WriteString(" ")
			bw.WriteString(g.turtleTerm(t.O))
		}
		bw.WriteString(" .\n")
	}
	return bw.Flush()
}

func (g *Graph) turtleTerm(t Term) string {
	switch t.Kind {
	case KindIRI:
		if c := g.compact(t.Value); c != "" {
			return c
		}
		return "<" + t.Value + ">"
	case KindBlank:
		return "_:" + t.Value
	}
	s := turtleString(t.Value)
	switch {
	case t.Lang != "":
		return s + "@" + t.Lang
	case t.Datatype != "" && t.Datatype != XSD+"string":
		return s + "^^" + g.turtleTerm(IRI(t.Datatype))
	}
	return s
}

func turtleString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7F {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// WriteJSONLD writes g as JSON-LD: a context of the prefixes and one node object per subject in "@graph",
// predicates as compact IRIs. Nothing is loaded from the network to read it.
func (g *Graph) WriteJSONLD(w io.Writer) error {
	ctx := map[string]string{}
	for _, p := range g.Prefixes {
		ctx[p.Name] = p.IRI
	}
	type node = map[string]any
	nodes := make([]node, 0, len(g.triples)/4)
	for _, ts := range g.subjects() {
		n := node{"@id": g.jsonID(ts[0].S)}
		for _, t := range ts {
			if t.P.Value == RDF+"type" && t.O.Kind == KindIRI {
				types, _ := n["@type"].([]string)
				n["@type"] = append(types, g.jsonIRI(t.O.Value))
				continue
			}
			k := g.jsonIRI(t.P.Value)
			if _, ok := n[k]; !ok {
				n[k] = []any{}
			}
			n[k] = append(n[k].([]any), g.jsonValue(t.O))
		}
		nodes = append(nodes, n)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(map[string]any{"@context": ctx, "@graph": nodes})
}

func (g *Graph) jsonIRI(iri string) string {
	if c := g.compact(iri); c != "" {
		return c
	}
	return iri
}

func (g *Graph) jsonID(t Term) string {
	if t.Kind == KindBlank {
		return "_:" + t.Value
	}
	return t.Value
}

func (g *Graph) jsonValue(t Term) map[string]string {
	switch t.Kind {
	case KindIRI, KindBlank:
		return map[string]string{"@id": g.jsonID(t)}
	}
	v := map[string]string{"@value": t.Value}
	switch {
	case t.Lang != "":
		v["@language"] = t.Lang
	case t.Datatype != "" && t.Datatype != XSD+"string":
		v["@type"] = t.Datatype
	}
	return v
}

// WriteRDFXML writes g as RDF/XML: one rdf:Description per subject. Characters XML 1.0 cannot hold (C0
// controls but tab and line ends) are written as U+FFFD.
func (g *Graph) WriteRDFXML(w io.Writer) error {
	prefixes := append([]Prefix(nil), g.Prefixes...)
	qname := func(iri string) string {
		for _, p := range prefixes {
			if local, ok := strings.CutPrefix(iri, p.IRI); ok && safeLocal(local) {
				return p.Name + ":" + local
			}
		}
		// A predicate no prefix covers gets one: XML names every property element.
		cut := strings.LastIndexAny(iri, "#/") + 1
		if cut == 0 || !safeLocal(iri[cut:]) {
			return ""
		}
		p := Prefix{"ns" + strconv.Itoa(len(prefixes)), iri[:cut]}
		prefixes = append(prefixes, p)
		return p.Name + ":" + iri[cut:]
	}
	// Names first, so that every namespace is declared on the root.
	names := map[string]string{}
	for _, t := range g.triples {
		if _, ok := names[t.P.Value]; !ok {
			q := qname(t.P.Value)
			if q == "" {
				return fmt.Errorf("rdf/xml: predicate %s cannot be written as an XML name", t.P.Value)
			}
			names[t.P.Value] = q
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n<rdf:RDF")
	for _, p := range prefixes {
		fmt.Fprintf(bw, "\n    xmlns:%s=\"%s\"", p.Name, xmlEscape(p.IRI))
	}
	bw.WriteString(">\n")
	for _, ts := range g.subjects() {
		if s := ts[0].S; s.Kind == KindBlank {
			fmt.Fprintf(bw, "  <rdf:Description rdf:nodeID=\"%s\">\n", s.Value)
		} else {
			fmt.Fprintf(bw, "  <rdf:Description rdf:about=\"%s\">\n", xmlEscape(s.Value))
		}
		for _, t := range ts {
			name := names[t.P.Value]
			switch t.O.Kind {
			case KindIRI:
				fmt.Fprintf(bw, "    <%s rdf:resource=\"%s\"/>\n", name, xmlEscape(t.O.Value))
			case KindBlank:
				fmt.Fprintf(bw, "    <%s rdf:nodeID=\"%s\"/>\n", name, t.O.Value)
			default:
				attr := ""
				switch {
				case t.O.Lang != "":
					attr = ` xml:lang="` + xmlEscape(t.O.Lang) + `"`
				case t.O.Datatype != "" && t.O.Datatype != XSD+"string":
					attr = ` rdf:datatype="` + xmlEscape(t.O.Datatype) + `"`
				}
				fmt.Fprintf(bw, "    <%s%s>%s</%s>\n", name, attr, xmlEscape(t.O.Value), name)
			}
		}
		bw.WriteString("  </rdf:Description>\n")
	}
	bw.WriteString("</rdf:RDF>\n")
	return bw.Flush()
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\r':
			b.WriteString("&#13;") // kept: XML parsers turn a raw CR into a line feed
		default:
			if (r < 0x20 && r != '\t' && r != '\n') || r == 0xFFFE || r == 0xFFFF {
				r = '\uFFFD'
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
