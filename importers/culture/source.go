package culture

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/patrimap/patrimap/importers"
	"github.com/patrimap/patrimap/importers/territory"
	"github.com/patrimap/patrimap/store"
)

// SharedPositionThreshold is how many rows of one commune must share exactly the same point for that point to
// be taken as the commune's centre rather than the monument's place ("commune" precision).
const SharedPositionThreshold = 3

// File is an opened inventory file whose header layout was recognised for a list.
type File struct {
	List  List
	Path  string
	table *table
	roles [roleCount][]int // column indices holding each role, best alias first
	// outNames are the output names of the original columns: the header as written, with "_source" added when
	// it would clash with a normalised column.
	outNames []string
}

// Open reads path (CSV, JSON or GeoJSON) and recognises its header layout for list. An unknown layout is an
// error that names the file and lists the columns found and the ones expected.
func Open(path string, list List) (*File, error) {
	t, err := readTable(path)
	if err != nil {
		return nil, err
	}
	f := &File{List: list, Path: path, table: t}
	byKey := map[string]int{}
	for i, h := range t.columns {
		k := headerKey(strings.TrimPrefix(h, "\uFEFF"))
		if _, dup := byKey[k]; !dup {
			byKey[k] = i
		}
	}
	for r := Role(0); r < roleCount; r++ {
		for _, a := range list.Aliases[r] {
			if i, ok := byKey[a]; ok {
				f.roles[r] = append(f.roles[r], i)
			}
		}
	}
	hasPlace := len(f.roles[RoleINSEE])+len(f.roles[RoleCommune])+len(f.roles[RolePosition])+len(f.roles[RoleDepsRef]) > 0 ||
		(len(f.roles[RoleLatitude]) > 0 && len(f.roles[RoleLongitude]) > 0)
	if len(f.roles[RoleID])+len(f.roles[RoleName]) == 0 || !hasPlace {
		return nil, fmt.Errorf("%w: culture: %s: unknown header layout for the %s list (%s): found the columns %s; expected an %s",
			importers.ErrBadInput, t.name, list.Key, list.Title, columnList(t.columns), list.expected())
	}
	normalised := map[string]bool{}
	for _, fl := range f.fields() {
		normalised[fl.Name] = true
	}
	taken := map[string]bool{}
	for i, h := range t.columns {
		name := strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if name == "" {
			name = "column_" + strconv.Itoa(i+1)
		}
		if normalised[strings.ToLower(name)] {
			name += "_source"
		}
		for base, n := name, 2; taken[strings.ToLower(name)]; n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		taken[strings.ToLower(name)] = true
		f.outNames = append(f.outNames, name)
	}
	return f, nil
}

// Format says what the file is: "CSV (; separated)", "JSON", "GeoJSON".
func (f *File) Format() string { return f.table.format }

// FormatFR names the format in French, for the dataset's description.
func (f *File) FormatFR() string {
	if !strings.HasPrefix(f.table.format, "CSV") {
		return f.table.format // JSON, GeoJSON
	}
	return "CSV, séparateur « " + map[rune]string{';': ";", ',': ",", '|': "|", '\t': "tabulation"}[f.table.sep] + " »"
}

// Rows is the number of records in the file (blank ones excepted).
func (f *File) Rows() int {
	if f.table.rows != nil {
		return len(f.table.rows)
	}
	return f.table.csvRows
}

// Columns are the header of the file, as written.
func (f *File) Columns() []string { return f.table.columns }

func (f *File) hasProtection() bool {
	return len(f.roles[RoleProtection])+len(f.roles[RoleProtectionType])+len(f.roles[RoleProtectionText]) > 0
}

// Fields are the normalised columns, first in every dataset, with their types.
func (f *File) Fields() []store.Field { return f.fields() }

func (f *File) fields() []store.Field {
	fs := []store.Field{
		{Name: "id", Type: store.FieldText, Description: "identifier in the ministry's base (Mérimée reference, Muséofile identifier…)"},
		{Name: "name", Type: store.FieldText, Description: "title or official name"},
		{Name: "kind", Type: store.FieldText, Description: "what it is"},
		{Name: "commune", Type: store.FieldText, Description: "commune(s) as written in the source"},
		{Name: "insee", Type: store.FieldText, Description: "INSEE code of the (first) commune, 5 characters"},
		{Name: "insee_codes", Type: store.FieldJSON, Description: "INSEE codes of every commune the row names"},
		{Name: "departement", Type: store.FieldText, Description: "département code: 01..95, 2A, 2B, 971..976"},
		{Name: "postcode", Type: store.FieldText, Description: "postcode, 5 digits"},
		{Name: "region", Type: store.FieldText, Description: "région code"},
		{Name: "url", Type: store.FieldText, Description: "POP notice"},
	}
	if f.hasProtection() {
		fs = append(fs,
			store.Field{Name: "protection", Type: store.FieldText, Description: "classé, inscrit, or classé et inscrit"},
			store.Field{Name: "first_protected", Type: store.FieldInteger, Description: "year of the first protection (known whenever a date of it is)"},
			store.Field{Name: "first_protected_date", Type: store.FieldDate, Description: "date of the first protection, null when the source gives only its year (or month)"},
			store.Field{Name: "protection_events", Type: store.FieldJSON, Description: "protection history: [{date, type, partial, text}]"})
	}
	return append(fs,
		store.Field{Name: "position_precision", Type: store.FieldText, Description: "point, commune (a point shared by many rows of the commune: its centre), or null without position"},
		store.Field{Name: "referral", Type: store.FieldText, Description: "commune or notice a referral row points to (\"Voir commune de : …\", \"Voir notice PA…\")"})
}

// Source streams the normalised rows of f into an import, keeping those of the territory when one is given.
type Source struct {
	File      *File
	Reference *territory.Reference
	// Territory keeps the rows whose INSEE code is one of its communes (or, for a département, whose
	// département is it); rows without a known code are placed by position when the territory has a boundary.
	Territory *territory.Territory
}

// SRID is WGS84: the ministry publishes latitudes and longitudes.
func (s *Source) SRID() int { return 4326 }

// entry is one normalised row waiting for the shared-position count.
type entry struct {
	ref      string
	codes    []string
	dep      string
	pos      *orb.Point
	props    []store.Property
	precisAt int // index of position_precision in props
}

// Records normalises every row and emits those of the territory.
func (s *Source) Records(ctx context.Context, rep *importers.Report, emit func(importers.Record) error) error {
	f, t := s.File, s.File.table
	if t.encoding != "" {
		rep.Encoding = t.encoding
	}
	if t.bom {
		rep.Fix("byte-order mark removed", "")
	}
	for _, ref := range t.empty {
		rep.Fix("blank record ignored (separators only)", ref)
	}
	ref := s.Reference
	if ref == nil {
		var err error
		if ref, err = territory.LoadReference(); err != nil {
			return err
		}
	}
	// Two passes: the first only counts the rows sharing each point (commune-level precision needs the whole
	// file), the second normalises again and emits, so that the normalised rows are never all in memory.
	pl := newPlaces(ref)
	count := &normaliser{file: f, places: pl, rep: &importers.Report{}, seen: map[string]string{}, locateOnly: true}
	shared := map[string]int{}
	i := 0
	err := t.each(func(r *row) error {
		if i++; i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		e := count.normalise(r)
		if e.pos != nil && len(e.codes) > 0 {
			shared[pointKey(*e.pos, e.codes[0])]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	var member map[string]bool
	if s.Territory != nil {
		member = map[string]bool{}
		for _, c := range s.Territory.Communes {
			member[c.Code] = true
		}
	}
	n := &normaliser{file: f, places: pl, rep: rep, seen: map[string]string{}}
	i = 0
	return t.each(func(r *row) error {
		if i++; i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		e := n.normalise(r)
		if e.pos != nil {
			if len(e.codes) > 0 && shared[pointKey(*e.pos, e.codes[0])] >= SharedPositionThreshold {
				e.props[e.precisAt].Value = "commune"
				rep.Fix(fmt.Sprintf("position shared by %d or more rows of one commune: flagged position_precision=commune", SharedPositionThreshold), e.ref)
			} else {
				e.props[e.precisAt].Value = "point"
			}
		}
		if s.Territory != nil && !s.inTerritory(&e, member, ref) {
			rep.Read++
			rep.Skip("outside the territory", e.ref)
			return nil
		}
		rec := importers.Record{Ref: e.ref, Properties: e.props}
		if e.pos != nil {
			rec.Geometry = *e.pos
		}
		return emit(rec)
	})
}

func pointKey(p orb.Point, insee string) string {
	return strconv.FormatFloat(p[0], 'f', 6, 64) + "," + strconv.FormatFloat(p[1], 'f', 6, 64) + "," + insee
}

func (s *Source) inTerritory(e *entry, member map[string]bool, ref *territory.Reference) bool {
	t := s.Territory
	if len(t.Communes) > 0 {
		for _, c := range e.codes {
			if member[c] {
				return true
			}
			if cm, ok := ref.Commune(c); ok && cm.Commune != "" && member[cm.Commune] {
				return true
			}
		}
		if len(e.codes) > 0 {
			return false
		}
		if t.Spec.Kind == territory.KindDep && e.dep != "" {
			for _, d := range t.Spec.Codes {
				if d == e.dep {
					return true
				}
			}
		}
	}
	// No commune code to go by (or --within / --bbox): the position decides, when there is a boundary.
	if e.pos == nil || t.Boundary == nil {
		return false
	}
	switch b := t.Boundary.(type) {
	case orb.Polygon:
		return planar.PolygonContains(b, *e.pos)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(b, *e.pos)
	}
	return false
}

// noticeReferralRe finds "Voir notice PA00117327": a row that sends the reader to another notice.
var noticeReferralRe = regexp.MustCompile(`^Voir notice ([A-Z]{2,3}[0-9]{5,8})\b`)

// normaliser turns rows into normalised properties, counting what it fixed in rep.
type normaliser struct {
	file   *File
	places *places
	rep    *importers.Report
	seen   map[string]string // id → ref of its first row
	cells  []string
	// locateOnly stops at a row's communes and position: the first pass needs nothing else (no protection
	// history, no properties).
	locateOnly bool
}

// value is the first non-empty cell among the columns of role r.
func (n *normaliser) value(r Role) string {
	for _, i := range n.file.roles[r] {
		if i < len(n.cells) && n.cells[i] != "" {
			return n.cells[i]
		}
	}
	return ""
}

// values are the non-empty cells of role r, best column first.
func (n *normaliser) values(r Role) []string {
	var out []string
	for _, i := range n.file.roles[r] {
		if i < len(n.cells) && n.cells[i] != "" {
			out = append(out, n.cells[i])
		}
	}
	return out
}

func oneLine(s string) string {
	if strings.ContainsAny(s, "\n\r") {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

func (n *normaliser) normalise(r *row) entry {
	f, rep, ref := n.file, n.rep, r.ref
	ncol := len(f.table.columns)
	cells := r.cells
	switch {
	case len(cells) > ncol:
		extra := cells[ncol:]
		if allEmpty(extra) {
			cells = cells[:ncol]
			rep.Fix("empty cells beyond the header dropped (doubled or trailing separators)", ref)
		} else if c := f.firstCol(RoleCommune); len(extra) == 1 && c >= 0 && c+1 < ncol {
			// An unquoted "Millau;Creissels": the second commune pushed every later cell one column right.
			joined := append(append([]string(nil), cells[:c]...), cells[c]+";"+cells[c+1])
			cells = append(joined, cells[c+2:]...)
			rep.Fix("one cell too many: an unquoted ';' between two communes, cells joined", ref)
		} else {
			last := strings.Join(cells[ncol-1:], ";")
			cells = append(append([]string(nil), cells[:ncol-1]...), last)
			rep.Fix("cells beyond the header joined into the last column", ref)
		}
	case len(cells) < ncol:
		cells = append(append([]string(nil), cells...), make([]string, ncol-len(cells))...)
		if strings.HasPrefix(f.table.format, "CSV") { // JSON records simply lack some keys
			rep.Fix("row shorter than the header: missing cells left empty", ref)
		}
	}
	var mojibake, spaces bool
	clean := make([]string, ncol)
	for i, c := range cells {
		v, fix := CleanText(c, true)
		mojibake = mojibake || fix.Mojibake
		spaces = spaces || fix.Whitespace
		clean[i] = v
	}
	if mojibake {
		rep.Fix("Windows-1252 characters read as C1 controls repaired (U+0092 → ’, U+009C → œ…)", ref)
	}
	rep.FixN(textFix, ref, r.notUTF8)
	if spaces {
		rep.Fix("whitespace normalised", ref)
	}
	n.cells = clean

	id := oneLine(n.value(RoleID))
	label := ref
	if id != "" {
		label = ref + " (" + id + ")"
		if first, dup := n.seen[id]; dup {
			rep.Fix("duplicate reference, row kept: same identifier as "+first+"", label)
		} else {
			n.seen[id] = ref
		}
	} else {
		rep.Fix("row without identifier", ref)
	}
	name := oneLine(n.value(RoleName))
	kind := oneLine(n.value(RoleKind))
	if kind == "" {
		kind = f.List.Kind
	}
	communeText := oneLine(n.value(RoleCommune))

	// Département first: it narrows the search of communes by name.
	var deps []string
	for _, v := range n.values(RoleDepartement) {
		for _, item := range splitList(v, true) {
			if d, ok := n.places.departement(item); ok {
				if trimFloat(item) != d && strings.TrimLeft(d, "0") == trimFloat(item) {
					rep.Fix("département code leading zero restored", label)
				}
				deps = appendNew(deps, d)
			}
		}
		if len(deps) > 0 {
			break
		}
	}
	depOf := func() string {
		if len(deps) == 1 {
			return deps[0]
		}
		return ""
	}

	codes, unknown := n.inseeCodes(label)
	if len(codes) == 0 && len(unknown) == 0 && communeText != "" {
		for _, name := range splitList(communeText, false) {
			found := n.places.communesNamed(name, depOf())
			if len(found) == 0 && len(deps) > 1 {
				for _, d := range deps {
					found = append(found, n.places.communesNamed(name, d)...)
				}
			}
			if len(found) == 1 {
				codes = appendNew(codes, found[0])
				rep.Fix("INSEE code found from the commune name and département", label)
			} else if cp := n.value(RolePostcode); len(found) > 1 && cp != "" {
				var served []string
				for _, c := range found {
					if pc, ok := territory.NormalisePostcode(cp); ok && n.places.postcodeServes(pc, c) {
						served = append(served, c)
					}
				}
				if len(served) == 1 {
					codes = appendNew(codes, served[0])
					rep.Fix("INSEE code found from the commune name and postcode", label)
				} else {
					rep.Fix("commune name matches several communes: no INSEE code", label)
				}
			} else if only := n.places.ref.CommunesByPostcode(n.value(RolePostcode)); len(found) == 0 && len(only) == 1 {
				codes = appendNew(codes, only[0].Code)
				rep.Fix("INSEE code found from the postcode (the only commune it serves): the name differs from the official one", label)
			} else {
				rep.Fix("commune name not found in the official list: no INSEE code", label)
			}
		}
	}
	// "Voir commune de : Pont-de-Claix (Le)": the monument spans communes; the row points to the other one.
	referral := ""
	for _, c := range clean {
		if i := strings.Index(c, "Voir commune de"); i >= 0 {
			referral = strings.TrimSpace(strings.TrimLeft(c[i+len("Voir commune de"):], " :"))
			referral = oneLine(strings.TrimRight(referral, ". "))
			rep.Fix("referral row (\"Voir commune de : …\"): kept, the other commune added to insee_codes and named in referral", label)
			if found := n.places.communesNamed(referral, depOf()); len(found) == 1 {
				codes = appendNew(codes, found[0])
			}
			break
		}
		if m := noticeReferralRe.FindStringSubmatch(c); m != nil {
			referral = m[1]
			rep.Fix("referral row (\"Voir notice …\"): kept, the notice named in referral", label)
			break
		}
	}
	allCodes := append(append([]string(nil), codes...), unknown...)
	var insee, dep, region string
	if len(allCodes) > 0 {
		insee = allCodes[0]
	}
	if len(codes) > 0 {
		if c, ok := n.places.ref.Commune(codes[0]); ok {
			dep, region = c.Departement, c.Region
			if communeText == "" {
				communeText = c.Name
			}
		}
	}
	if dep == "" {
		dep = depOf()
	}
	if region == "" {
		for _, v := range n.values(RoleRegion) {
			if g, ok := n.places.region(v); ok {
				region = g
				break
			}
		}
	}
	if v := n.value(RoleRegion); v != "" && strings.Contains(v, ".") && trimFloat(v) != v {
		rep.Fix("région code stored as a number (\"84.0\") read as \"84\"", label)
	}
	var postcode any
	if cp := n.value(RolePostcode); cp != "" {
		if pc, ok := territory.NormalisePostcode(trimFloat(cp)); ok {
			postcode = pc
			if pc != strings.TrimSpace(cp) {
				rep.Fix("postcode leading zero restored", label)
			}
			if len(codes) > 0 && !n.places.postcodeServes(pc, codes[0]) {
				rep.Fix("postcode not among the commune's postcodes in the official list (CEDEX or wrong): kept as written", label)
			}
		} else {
			rep.Fix("postcode unreadable (kept in its original column only)", label)
		}
	}

	pos := n.position(r, label)
	if n.locateOnly {
		return entry{ref: ref, codes: codes, dep: dep, pos: pos}
	}

	props := make([]store.Property, 0, len(clean)+16)
	props = append(props,
		store.Property{Key: "id", Value: nullIfEmpty(id)},
		store.Property{Key: "name", Value: nullIfEmpty(name)},
		store.Property{Key: "kind", Value: nullIfEmpty(kind)},
		store.Property{Key: "commune", Value: nullIfEmpty(communeText)},
		store.Property{Key: "insee", Value: nullIfEmpty(insee)},
		store.Property{Key: "insee_codes", Value: jsonList(allCodes)},
		store.Property{Key: "departement", Value: nullIfEmpty(dep)},
		store.Property{Key: "postcode", Value: postcode},
		store.Property{Key: "region", Value: nullIfEmpty(region)},
		store.Property{Key: "url", Value: nullIfEmpty(f.List.noticeURL(id))},
	)
	if f.hasProtection() {
		props = append(props, n.protection(label)...)
	}
	precisAt := len(props)
	props = append(props,
		store.Property{Key: "position_precision", Value: nil},
		store.Property{Key: "referral", Value: nullIfEmpty(referral)})
	for i, v := range clean {
		props = append(props, store.Property{Key: f.outNames[i], Value: cellValue(v)})
	}
	return entry{ref: ref, codes: codes, dep: dep, pos: pos, props: props, precisAt: precisAt}
}

func (f *File) firstCol(r Role) int {
	if len(f.roles[r]) == 0 {
		return -1
	}
	return f.roles[r][0]
}

// inseeCodes reads the INSEE codes of the row: restored, checked, and for historical ones replaced by the
// current commune of the same name when there is exactly one. unknown are codes kept although they are not in
// the official list.
func (n *normaliser) inseeCodes(label string) (codes, unknown []string) {
	rep := n.rep
	var raw []string
	for _, v := range n.values(RoleINSEE) {
		raw = splitList(v, true)
		if len(raw) > 0 {
			break
		}
	}
	if len(raw) == 0 {
		// Muséofile ref_deps: the INSEE code then a rank, "3854403"; a spreadsheet may have eaten its leading zero.
		if v := trimFloat(n.value(RoleDepsRef)); len(v) == 6 || len(v) == 7 {
			if len(v) == 6 {
				v = "0" + v
			}
			raw = []string{v[:5]}
		}
	}
	for _, item := range raw {
		c, known := n.places.insee(item)
		switch {
		case c == "":
			rep.Fix("INSEE code unreadable (kept in its original column only)", label)
		case known:
			if c != strings.ToUpper(trimFloat(item)) {
				rep.Fix("INSEE code leading zero restored", label)
			}
			codes = appendNew(codes, c)
		default:
			// A commune merged since the protection: find today's by name.
			var found []string
			if name := n.value(RoleCommune); name != "" {
				d := ""
				if len(c) == 5 {
					if dd, ok := n.places.departement(c[:2]); ok {
						d = dd
					} else if dd, ok := n.places.departement(c[:3]); ok {
						d = dd
					}
				}
				found = n.places.communesNamed(splitList(name, false)[0], d)
			}
			if len(found) == 1 {
				codes = appendNew(codes, found[0])
				rep.Fix("INSEE code not in the official list (historical): replaced by the current commune of the same name", label)
			} else {
				unknown = appendNew(unknown, c)
				rep.Fix("INSEE code not in the official list (historical or wrong): kept as written", label)
			}
		}
	}
	return codes, unknown
}

// position reads the row's position and checks it; nil when there is none that can be used.
func (n *normaliser) position(r *row, label string) *orb.Point {
	rep := n.rep
	var (
		lat, lon float64
		ok       bool
		tried    bool
	)
	if r.point != nil {
		lon, lat, ok, tried = r.point[0], r.point[1], true, true
	}
	if !ok {
		if v := n.value(RolePosition); v != "" {
			tried = true
			lat, lon, ok = ParsePosition(v)
		}
	}
	if !ok {
		la, lo := n.value(RoleLatitude), n.value(RoleLongitude)
		if la != "" || lo != "" {
			tried = true
			var ok1, ok2 bool
			lat, ok1 = ParseCoordinate(la)
			lon, ok2 = ParseCoordinate(lo)
			ok = ok1 && ok2
		}
	}
	if !ok {
		if tried {
			rep.Fix("position unreadable: row kept without geometry", label)
		} else {
			rep.Fix("no position: row kept without geometry", label)
		}
		return nil
	}
	lat, lon, check := CheckPosition(lat, lon)
	switch check {
	case PositionUnknown:
		rep.Fix("position 0,0 (unknown): row kept without geometry", label)
		return nil
	case PositionOutside:
		rep.Fix("position outside France and its overseas territories rejected: row kept without geometry", label)
		return nil
	case PositionSwapped:
		rep.Fix("latitude and longitude swapped: fixed", label)
	}
	return &orb.Point{lon, lat}
}

// protection reads the Mérimée protection columns into protection, first_protected (the year),
// first_protected_date and protection_events.
func (n *normaliser) protection(label string) []store.Property {
	rep := n.rep
	var events []ProtectionEvent
	if v := n.value(RoleProtection); v != "" {
		var iss ProtectionIssues
		events, iss = ParseProtection(v)
		rep.FixN("protection piece unreadable: kept verbatim with a null type", label, iss.Unparsable)
		rep.FixN("protection date unreadable: event kept with a null date", label, iss.BadDate)
		rep.FixN("malformed protection date repaired (\"2006//09/15\")", label, iss.RepairedDate)
	} else if v := n.value(RoleProtectionText); v != "" {
		events = ParseProtectionProse(v)
		if len(events) > 0 {
			rep.Fix("protection history read from the prose of the protection details", label)
		}
	}
	protection, first := Summarise(events)
	if protection == "" {
		protection = protectionFromType(n.value(RoleProtectionType))
	}
	var year, date any
	if y, d := FirstProtection(first); y != 0 {
		year, date = int64(y), nullIfEmpty(d)
	}
	var ev any
	if len(events) > 0 {
		b, _ := json.Marshal(events)
		ev = json.RawMessage(b)
	}
	return []store.Property{
		{Key: "protection", Value: nullIfEmpty(protection)},
		{Key: "first_protected", Value: year},
		{Key: "first_protected_date", Value: date},
		{Key: "protection_events", Value: ev},
	}
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func jsonList(codes []string) any {
	if len(codes) == 0 {
		return nil
	}
	b, _ := json.Marshal(codes)
	return json.RawMessage(b)
}

// cellValue is what an original cell is stored as: NULL when empty, its JSON when it holds a JSON list or
// object (the exports put lists of links and of codes in cells), else its text.
func cellValue(v string) any {
	if v == "" {
		return nil
	}
	if (v[0] == '[' && v[len(v)-1] == ']') || (v[0] == '{' && v[len(v)-1] == '}') {
		if json.Valid([]byte(v)) {
			return json.RawMessage(v)
		}
	}
	return v
}

// columnList names the columns found, shortened so that a wrong file does not fill the terminal.
func columnList(cols []string) string {
	const most, width = 40, 40
	var out []string
	for i, c := range cols {
		if i == most {
			out = append(out, fmt.Sprintf("and %d more", len(cols)-most))
			break
		}
		if r := []rune(c); len(r) > width {
			c = string(r[:width]) + "…"
		}
		out = append(out, strconv.Quote(c))
	}
	return strings.Join(out, ", ")
}
