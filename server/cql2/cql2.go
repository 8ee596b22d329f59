// Package cql2 parses the text encoding of OGC Common Query Language (CQL2) filters, as OGC API – Features
// Part 3 sends them in `filter=`, into store expressions. It knows the Basic CQL2 conformance class
// (comparisons, AND/OR/NOT, IS NULL), plus LIKE, IN, BETWEEN and S_INTERSECTS with a BBOX or a WKT geometry.
// Values never become SQL text: the store binds them as parameters.
package cql2

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/patrimap/patrimap/store"
)

// GeometryProperty is the name a filter gives the features' geometry (queryables list it under this name);
// "geom" is accepted too.
const GeometryProperty = "geometry"

// Error is a filter the user must correct; it says where and what was expected.
type Error struct {
	Pos int // byte offset in the filter
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("filter: at character %d: %s", e.Pos+1, e.Msg) }

// Parse reads a CQL2 text filter. A filter over one of the limits below is an *Error that says the limit,
// found before any costly work: the text's size first, then nesting as it is read.
func Parse(text string) (store.Expr, error) {
	if len(text) > MaxBytes {
		return nil, &Error{Pos: MaxBytes, Msg: fmt.Sprintf("the filter is %s bytes long; at most %s", count(len(text)), count(MaxBytes))}
	}
	p := &parser{src: text}
	p.next()
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind != tEOF {
		return nil, p.errf("unexpected %q after a complete expression", p.tok.text)
	}
	if p.values > MaxValues {
		return nil, &Error{Pos: 0, Msg: fmt.Sprintf("the filter has %s values; at most %s (each becomes a parameter of the query): split it into several requests", count(p.values), count(MaxValues))}
	}
	if d := sqlDepth(e); d > MaxDepth {
		return nil, &Error{Pos: 0, Msg: fmt.Sprintf("the filter nests conditions %s levels deep once translated to SQL (a chain of n ANDs or ORs counts n); at most %s: "+
			"write long lists of values as name IN ('a', 'b', ...), and nest fewer parentheses", count(d), count(MaxDepth))}
	}
	return e, nil
}

type kind int

const (
	tEOF kind = iota
	tIdent
	tQuoted // "a property"
	tString
	tNumber
	tOp // = <> < > <= >=
	tLParen
	tRParen
	tComma
)

type token struct {
	kind kind
	text string
	pos  int
}

type parser struct {
	src    string
	i      int
	tok    token
	err    *Error
	nest   int // NOTs and parentheses open around the current token
	values int // literals read, each a SQL parameter
}

func (p *parser) errf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	return &Error{Pos: p.tok.pos, Msg: fmt.Sprintf(format, args...)}
}

// next reads the next token into p.tok.
func (p *parser) next() {
	for p.i < len(p.src) && strings.ContainsRune(" \t\r\n", rune(p.src[p.i])) {
		p.i++
	}
	start := p.i
	if p.i >= len(p.src) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	c := p.src[p.i]
	switch {
	case c == '(':
		p.i++
		p.tok = token{tLParen, "(", start}
	case c == ')':
		p.i++
		p.tok = token{tRParen, ")", start}
	case c == ',':
		p.i++
		p.tok = token{tComma, ",", start}
	case c == '=' || c == '<' || c == '>':
		p.i++
		if c != '=' && p.i < len(p.src) && (p.src[p.i] == '=' || (c == '<' && p.src[p.i] == '>')) {
			p.i++
		}
		p.tok = token{tOp, p.src[start:p.i], start}
	case c == '\'' || c == '"':
		var b strings.Builder
		p.i++
		for {
			if p.i >= len(p.src) {
				p.err = &Error{Pos: start, Msg: "unterminated " + map[byte]string{'\'': "string", '"': "quoted property name"}[c]}
				p.tok = token{kind: tEOF, pos: start}
				return
			}
			if p.src[p.i] == c {
				if p.i+1 < len(p.src) && p.src[p.i+1] == c { // '' inside a string is one quote
					b.WriteByte(c)
					p.i += 2
					continue
				}
				p.i++
				break
			}
			b.WriteByte(p.src[p.i])
			p.i++
		}
		k := tString
		if c == '"' {
			k = tQuoted
		}
		p.tok = token{k, b.String(), start}
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		p.i++
		for p.i < len(p.src) && strings.IndexByte("0123456789.eE+-", p.src[p.i]) >= 0 {
			if (p.src[p.i] == '+' || p.src[p.i] == '-') && p.src[p.i-1] != 'e' && p.src[p.i-1] != 'E' {
				break
			}
			p.i++
		}
		p.tok = token{tNumber, p.src[start:p.i], start}
	default:
		r, _ := utf8.DecodeRuneInString(p.src[p.i:])
		if !unicode.IsLetter(r) && r != '_' {
			p.err = &Error{Pos: start, Msg: fmt.Sprintf("unexpected character %q", r)}
			p.tok = token{kind: tEOF, pos: start}
			return
		}
		for p.i < len(p.src) {
			r, size := utf8.DecodeRuneInString(p.src[p.i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != ':' && r != '.' {
				break
			}
			p.i += size
		}
		p.tok = token{tIdent, p.src[start:p.i], start}
	}
}

func (p *parser) keyword(k string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, k)
}

func (p *parser) expect(k kind, what string) error {
	if p.tok.kind != k {
		return p.errf("expected %s, found %s", what, p.describe())
	}
	p.next()
	return nil
}

func (p *parser) describe() string {
	if p.tok.kind == tEOF {
		return "the end of the filter"
	}
	return strconv.Quote(p.tok.text)
}

func (p *parser) or() (store.Expr, error) {
	var xs store.Or
	start := p.tok.pos
	for {
		x, err := p.and()
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
		if !p.keyword("OR") {
			break
		}
		p.next()
	}
	if err := chainLimit(start, len(xs), "OR"); err != nil {
		return nil, err
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	return xs, nil
}

func (p *parser) and() (store.Expr, error) {
	var xs store.And
	start := p.tok.pos
	for {
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
		if !p.keyword("AND") {
			break
		}
		p.next()
	}
	if err := chainLimit(start, len(xs), "AND"); err != nil {
		return nil, err
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	return xs, nil
}

// chainLimit refuses a chain of more than MaxTerms conditions joined by op.
func chainLimit(pos, n int, op string) error {
	if n <= MaxTerms {
		return nil
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf("the filter joins %s conditions with %s; at most %s: for a list of values, write name IN ('a', 'b', ...)",
		count(n), op, count(MaxTerms))}
}

func (p *parser) not() (store.Expr, error) {
	if p.keyword("NOT") || p.tok.kind == tLParen {
		// Nesting is refused as soon as it goes too deep: 50,000 NOTs answer at once.
		if p.nest++; p.nest > MaxNesting {
			return nil, p.errf("the filter nests NOT and parentheses more than %d deep; at most %d", MaxNesting, MaxNesting)
		}
		defer func() { p.nest-- }()
	}
	if p.keyword("NOT") {
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return store.Not{X: x}, nil
	}
	if p.tok.kind == tLParen {
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		return x, p.expect(tRParen, "')'")
	}
	return p.predicate()
}

func (p *parser) predicate() (store.Expr, error) {
	if p.keyword("S_INTERSECTS") || p.keyword("INTERSECTS") {
		return p.intersects()
	}
	if p.tok.kind != tIdent && p.tok.kind != tQuoted {
		return nil, p.errf("expected a property name, found %s", p.describe())
	}
	if p.tok.kind == tIdent && isReserved(p.tok.text) {
		return nil, p.errf("expected a property name, found the keyword %s (quote a property of that name: \"%s\")", p.tok.text, p.tok.text)
	}
	prop := p.tok.text
	p.next()
	negate := false
	if p.keyword("NOT") {
		negate = true
		p.next()
	}
	wrap := func(e store.Expr) store.Expr {
		if negate {
			return store.Not{X: e}
		}
		return e
	}
	switch {
	case p.tok.kind == tOp && !negate:
		op := p.tok.text
		p.next()
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		return store.Compare{Property: prop, Op: op, Value: v}, nil
	case p.keyword("LIKE"):
		p.next()
		if p.tok.kind != tString {
			return nil, p.errf("LIKE needs a pattern in single quotes, found %s", p.describe())
		}
		pattern := p.tok.text
		p.values++ // the pattern is a parameter too
		p.next()
		return wrap(store.Like{Property: prop, Pattern: pattern}), nil
	case p.keyword("IN"):
		start := p.tok.pos
		p.next()
		if err := p.expect(tLParen, "'(' after IN"); err != nil {
			return nil, err
		}
		var vs []any
		for {
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
			if p.tok.kind != tComma {
				break
			}
			p.next()
		}
		if err := p.expect(tRParen, "')' closing the IN list"); err != nil {
			return nil, err
		}
		if len(vs) > MaxValues {
			return nil, &Error{Pos: start, Msg: fmt.Sprintf("the filter has %s values in IN; at most %s (each becomes a parameter of the query): split it into several requests",
				count(len(vs)), count(MaxValues))}
		}
		return wrap(store.In{Property: prop, Values: vs}), nil
	case p.keyword("BETWEEN"):
		p.next()
		lo, err := p.literal()
		if err != nil {
			return nil, err
		}
		if !p.keyword("AND") {
			return nil, p.errf("expected AND in BETWEEN, found %s", p.describe())
		}
		p.next()
		hi, err := p.literal()
		if err != nil {
			return nil, err
		}
		return wrap(store.And{store.Compare{Property: prop, Op: ">=", Value: lo}, store.Compare{Property: prop, Op: "<=", Value: hi}}), nil
	case p.keyword("IS") && !negate:
		p.next()
		not := false
		if p.keyword("NOT") {
			not = true
			p.next()
		}
		if !p.keyword("NULL") {
			return nil, p.errf("expected NULL after IS, found %s", p.describe())
		}
		p.next()
		if not {
			return store.Not{X: store.IsNull{Property: prop}}, nil
		}
		return store.IsNull{Property: prop}, nil
	}
	return nil, p.errf("expected a comparison (= <> < > <= >=), LIKE, IN, BETWEEN or IS NULL after %q, found %s", prop, p.describe())
}

var reserved = map[string]bool{"AND": true, "OR": true, "NOT": true, "LIKE": true, "IN": true, "IS": true, "NULL": true,
	"BETWEEN": true, "TRUE": true, "FALSE": true}

func isReserved(s string) bool { return reserved[strings.ToUpper(s)] }

// literal reads a string, a number, a boolean, or DATE('...') / TIMESTAMP('...') (compared as ISO text, once
// checked to be a real date).
func (p *parser) literal() (any, error) {
	p.values++
	switch {
	case p.tok.kind == tString:
		s := p.tok.text
		p.next()
		return s, nil
	case p.tok.kind == tNumber:
		text := p.tok.text
		p.next()
		if !strings.ContainsAny(text, ".eE") {
			if v, err := strconv.ParseInt(text, 10, 64); err == nil {
				return v, nil
			}
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, p.errf("%q is not a number", text)
		}
		return v, nil
	case p.keyword("TRUE"), p.keyword("FALSE"):
		v := strings.EqualFold(p.tok.text, "TRUE")
		p.next()
		return v, nil
	case p.keyword("DATE"), p.keyword("TIMESTAMP"):
		fn := strings.ToUpper(p.tok.text)
		p.next()
		if err := p.expect(tLParen, "'(' after "+fn); err != nil {
			return nil, err
		}
		if p.tok.kind != tString {
			return nil, p.errf("%s needs a quoted ISO 8601 value, e.g. %s('2015-03-12'), found %s", fn, fn, p.describe())
		}
		s, pos := p.tok.text, p.tok.pos
		p.next()
		if err := checkInstant(fn, s); err != nil {
			return nil, &Error{Pos: pos, Msg: err.Error()}
		}
		return s, p.expect(tRParen, "')' after the "+fn+" value")
	}
	return nil, p.errf("expected a value ('text', a number, TRUE, FALSE, DATE('...')), found %s", p.describe())
}

// intersects reads S_INTERSECTS(geometry, <BBOX(...) or WKT>), in either argument order.
func (p *parser) intersects() (store.Expr, error) {
	p.next()
	if err := p.expect(tLParen, "'(' after S_INTERSECTS"); err != nil {
		return nil, err
	}
	var g orb.Geometry
	sawProperty := false
	for arg := 0; arg < 2; arg++ {
		if arg == 1 {
			if err := p.expect(tComma, "',' between the two arguments of S_INTERSECTS"); err != nil {
				return nil, err
			}
		}
		if (p.tok.kind == tIdent || p.tok.kind == tQuoted) && isGeometryName(p.tok.text) && !sawProperty {
			sawProperty = true
			p.next()
			continue
		}
		var err error
		if g, err = p.geometry(); err != nil {
			return nil, err
		}
	}
	if !sawProperty || g == nil {
		return nil, p.errf("S_INTERSECTS needs the property %q and a geometry, e.g. S_INTERSECTS(geometry, BBOX(5.6,45.1,5.8,45.3))", GeometryProperty)
	}
	if err := p.expect(tRParen, "')' closing S_INTERSECTS"); err != nil {
		return nil, err
	}
	p.values += intersectsParams
	return store.Intersects{Geometry: g}, nil
}

func isGeometryName(s string) bool {
	return strings.EqualFold(s, GeometryProperty) || strings.EqualFold(s, "geom")
}

// geometry reads BBOX(w,s,e,n) or a WKT geometry (POINT, LINESTRING, POLYGON and their MULTI forms).
func (p *parser) geometry() (orb.Geometry, error) {
	if p.tok.kind != tIdent {
		return nil, p.errf("expected a geometry (BBOX(...) or WKT such as POLYGON((...))), found %s", p.describe())
	}
	if p.keyword("BBOX") {
		before := p.values
		p.next()
		if err := p.expect(tLParen, "'(' after BBOX"); err != nil {
			return nil, err
		}
		var v []float64
		for {
			x, err := p.literal()
			if err != nil {
				return nil, err
			}
			f, ok := toFloat(x)
			if !ok {
				return nil, p.errf("BBOX takes numbers")
			}
			v = append(v, f)
			if p.tok.kind != tComma {
				break
			}
			p.next()
		}
		if err := p.expect(tRParen, "')' closing BBOX"); err != nil {
			return nil, err
		}
		if len(v) == 6 {
			v = []float64{v[0], v[1], v[3], v[4]}
		}
		if len(v) != 4 || v[0] > v[2] || v[1] > v[3] {
			return nil, p.errf("BBOX needs west,south,east,north with west <= east and south <= north")
		}
		for _, pt := range []orb.Point{{v[0], v[1]}, {v[2], v[3]}} {
			if err := checkLonLat(pt); err != nil {
				return nil, p.errf("BBOX: %v", err)
			}
		}
		p.values = before // the bounds become S_INTERSECTS's parameters, counted there
		return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}.ToPolygon(), nil
	}
	// A WKT geometry: from its keyword to the parenthesis that closes it, read by orb.
	start := p.tok.pos
	depth, end := 0, -1
	for j := p.i; j < len(p.src) && end < 0; j++ {
		switch p.src[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				end = j + 1
			}
		}
	}
	if end < 0 {
		return nil, p.errf("unterminated geometry %s", p.tok.text)
	}
	g, err := wkt.Unmarshal(p.src[start:end])
	if err != nil {
		return nil, &Error{Pos: start, Msg: fmt.Sprintf("not a WKT geometry (%v): write it as POLYGON((lon lat, ...)) in WGS84", err)}
	}
	if err := checkGeometry(g); err != nil {
		return nil, &Error{Pos: start, Msg: fmt.Sprintf("%s: %v", strings.ToUpper(g.GeoJSONType()), err)}
	}
	p.i = end
	p.next()
	return g, nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
