// Package rdf is a small RDF graph (IRIs, blank nodes, literals) written as Turtle, JSON-LD or RDF/XML, the
// three syntaxes DCAT harvesters read. It keeps triples in the order they were added, so that outputs are
// stable and readable, and parses nothing.
package rdf

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind tells what a term is.
type Kind uint8

// The kinds of term.
const (
	KindIRI Kind = iota
	KindBlank
	KindLiteral
)

// Term is an RDF term. A literal without Datatype nor Lang is an xsd:string.
type Term struct {
	Kind     Kind
	Value    string
	Datatype string
	Lang     string
}

// Common namespaces.
const (
	RDF  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	RDFS = "http://www.w3.org/2000/01/rdf-schema#"
	XSD  = "http://www.w3.org/2001/XMLSchema#"
)

// IRI returns an IRI term. Characters an IRI cannot hold (spaces, quotes, angle brackets...) are
// percent-encoded, so that every syntax can write it.
func IRI(s string) Term { return Term{Kind: KindIRI, Value: escapeIRI(s)} }

// Blank returns a blank node labelled id (letters and digits).
func Blank(id string) Term { return Term{Kind: KindBlank, Value: id} }

// String returns a plain literal.
func String(s string) Term { return Term{Kind: KindLiteral, Value: validUTF8(s)} }

// LangString returns a literal in language lang (fr, en).
func LangString(s, lang string) Term { return Term{Kind: KindLiteral, Value: validUTF8(s), Lang: lang} }

// Typed returns a literal of datatype dt.
func Typed(s, dt string) Term { return Term{Kind: KindLiteral, Value: validUTF8(s), Datatype: dt} }

// Integer returns an xsd:integer literal.
func Integer(n int64) Term { return Typed(strconv.FormatInt(n, 10), XSD+"integer") }

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func escapeIRI(s string) string {
	s = validUTF8(s)
	if !strings.ContainsFunc(s, badIRIRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if badIRIRune(r) {
			var buf [4]byte
			for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
				b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// badIRIRune: what Turtle's IRIREF and XML attributes cannot carry as is.
func badIRIRune(r rune) bool {
	return r <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", r) || r == 0x7F || (r >= 0x80 && r <= 0x9F) || r == 0xFFFE || r == 0xFFFF
}

// Triple is one statement.
type Triple struct{ S, P, O Term }

// Prefix is a namespace abbreviation.
type Prefix struct{ Name, IRI string }

// Graph is an ordered set of triples.
type Graph struct {
	Prefixes []Prefix
	triples  []Triple
	seen     map[Triple]bool
	blanks   int
}

// NewGraph returns an empty graph that abbreviates with prefixes.
func NewGraph(prefixes ...Prefix) *Graph {
	return &Graph{Prefixes: append([]Prefix{{"rdf", RDF}, {"rdfs", RDFS}, {"xsd", XSD}}, prefixes...), seen: map[Triple]bool{}}
}

// Add adds a triple (once: a triple added twice is kept once).
func (g *Graph) Add(s Term, p string, o Term) {
	t := Triple{s, IRI(p), o}
	if g.seen[t] {
		return
	}
	g.seen[t] = true
	g.triples = append(g.triples, t)
}

// NewBlank returns a blank node not used before in the graph.
func (g *Graph) NewBlank() Term {
	g.blanks++
	return Blank("b" + strconv.Itoa(g.blanks))
}

// Has tells whether the graph holds subject s with predicate p.
func (g *Graph) Has(s Term, p string) bool {
	for _, t := range g.triples {
		if t.S == s && t.P.Value == p {
			return true
		}
	}
	return false
}

// Triples returns the triples in the order they were added.
func (g *Graph) Triples() []Triple { return g.triples }

// subjects groups the triples by subject, in order of first appearance; each subject's triples keep their
// order.
func (g *Graph) subjects() [][]Triple {
	index := map[Term]int{}
	var out [][]Triple
	for _, t := range g.triples {
		i, ok := index[t.S]
		if !ok {
			i = len(out)
			index[t.S] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], t)
	}
	return out
}

// compact returns prefix:local for iri when a prefix covers it and local is a safe name, else "".
func (g *Graph) compact(iri string) string {
	for _, p := range g.Prefixes {
		if local, ok := strings.CutPrefix(iri, p.IRI); ok && safeLocal(local) {
			return p.Name + ":" + local
		}
	}
	return ""
}

// safeLocal: a local name every syntax accepts (XML NCName and Turtle PN_LOCAL alike).
func safeLocal(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return false
		}
	}
	return true
}
