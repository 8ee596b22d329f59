package culture

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ProtectionEvent is one protection of a monument historique: "1989/10/03 : inscrit MH partiellement".
type ProtectionEvent struct {
	Date    string // "1989-10-03", "1862" (year only) or "" when unreadable
	Type    string // "classé", "inscrit", or "" when the piece could not be read
	Partial bool   // "partiellement"
	Text    string // the piece as written in the source
}

// MarshalJSON writes {"date": ..., "type": ..., "partial": ..., "text": ...} with null for an unknown date or type.
func (e ProtectionEvent) MarshalJSON() ([]byte, error) {
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return json.Marshal(struct {
		Date    any    `json:"date"`
		Type    any    `json:"type"`
		Partial bool   `json:"partial"`
		Text    string `json:"text"`
	}{nullable(e.Date), nullable(e.Type), e.Partial, e.Text})
}

// ProtectionIssues counts what ParseProtection met in one cell.
type ProtectionIssues struct {
	Unparsable   int // pieces kept verbatim with a null type
	BadDate      int // pieces whose type was read but not the date ("01/22 : inscrit MH")
	RepairedDate int // malformed dates read anyway ("2006//09/15")
}

var (
	pieceRe = regexp.MustCompile(`^([0-9][0-9/.\- ]*?)\s*:\s*(.+)$`)
	typeRe  = regexp.MustCompile(`(?i)^(class[ée]e?s?|inscrite?s?)(?:\s+(?:au titre des\s+)?(?:MH|monuments?\s+historiques?))?(\s+partiellement|\s+en totalit[ée])?\s*\.?$`)
	ymdRe   = regexp.MustCompile(`^(\d{4})\s*[/.\-]+\s*(\d{1,2})\s*[/.\-]+\s*(\d{1,2})$`)
	dmyRe   = regexp.MustCompile(`^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$`)
	ymRe    = regexp.MustCompile(`^(\d{4})[/.\-](\d{1,2})$`)
	cleanYM = regexp.MustCompile(`^\d{4}[/\-]\d{1,2}[/\-]\d{1,2}$`)
)

// ParseProtection reads a Mérimée protection history, events separated by ";":
// "1862 : classé MH ; 1989/10/03 : inscrit MH partiellement". Every non-empty piece becomes an event; a
// piece that cannot be read is kept with its text and a null type.
func ParseProtection(cell string) ([]ProtectionEvent, ProtectionIssues) {
	var (
		events []ProtectionEvent
		iss    ProtectionIssues
	)
	for _, piece := range strings.Split(cell, ";") {
		piece = strings.Join(strings.Fields(piece), " ")
		if piece == "" {
			continue
		}
		ev := ProtectionEvent{Text: piece}
		m := pieceRe.FindStringSubmatch(piece)
		if m == nil && typeRe.MatchString(piece) {
			m = []string{piece, "", piece} // a type without a date: "inscrit MH"
		}
		if m == nil {
			iss.Unparsable++
			events = append(events, ev)
			continue
		}
		t := typeRe.FindStringSubmatch(strings.TrimSpace(m[2]))
		if t == nil {
			iss.Unparsable++
			events = append(events, ev)
			continue
		}
		if strings.HasPrefix(strings.ToLower(t[1]), "class") {
			ev.Type = "classé"
		} else {
			ev.Type = "inscrit"
		}
		ev.Partial = strings.Contains(strings.ToLower(t[2]), "partiel")
		date, repaired := parseEventDate(m[1])
		switch {
		case date == "":
			iss.BadDate++
		case repaired:
			iss.RepairedDate++
		}
		ev.Date = date
		events = append(events, ev)
	}
	return events, iss
}

// parseEventDate reads "1862", "1989/10/03", "1989-10-03", "03/10/1989", "1989/10"; repaired is true when the
// date was malformed but readable ("2006//09/15").
func parseEventDate(s string) (date string, repaired bool) {
	s = strings.TrimSpace(s)
	if len(s) == 4 {
		if y, err := strconv.Atoi(s); err == nil && plausibleYear(y) {
			return s, false
		}
		return "", false
	}
	var y, mo, d int
	if m := ymdRe.FindStringSubmatch(s); m != nil {
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
		repaired = !cleanYM.MatchString(s)
	} else if m := dmyRe.FindStringSubmatch(s); m != nil {
		y, mo, d = atoi(m[3]), atoi(m[2]), atoi(m[1])
	} else if m := ymRe.FindStringSubmatch(s); m != nil {
		y, mo = atoi(m[1]), atoi(m[2])
		if !plausibleYear(y) || mo < 1 || mo > 12 {
			return "", false
		}
		return fmt.Sprintf("%04d-%02d", y, mo), false
	} else {
		return "", false
	}
	if !plausibleYear(y) || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, d), repaired
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func plausibleYear(y int) bool { return y >= 1790 && y <= 2100 }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var (
	proseRe = regexp.MustCompile(`(?i)(classement|inscription|class[ée]e?s?|inscrite?s?)\s+(?:\p{L}+\s+)?par\s+(?:arr[êe]t[ée]|d[ée]cret)\s+(?:minist[ée]riel\s+)?du\s+(\d{1,2})(?:er)?\s+(\p{L}+)\s+(\d{4})`)
	listeRe = regexp.MustCompile(`(?i)(classement|class[ée]e?s?)\s+par\s+(?:la\s+)?liste\s+de\s+(\d{4})`)
	months  = map[string]int{"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
		"aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}
)

// ParseProtectionProse reads the events of the older exports, which only have the protection details in
// prose: "Chapelle Saint-Avit (cad. AC 4) : inscription par arrêté du 28 janvier 1975". Pieces that name no
// arrêté are ignored: the prose stays in its original column.
func ParseProtectionProse(text string) []ProtectionEvent {
	var events []ProtectionEvent
	for _, m := range listeRe.FindAllStringSubmatch(text, -1) {
		events = append(events, ProtectionEvent{Date: m[2], Type: "classé", Text: strings.TrimSpace(m[0])})
	}
	for _, m := range proseRe.FindAllStringSubmatch(text, -1) {
		ev := ProtectionEvent{Type: "inscrit", Text: strings.TrimSpace(m[0])}
		if strings.HasPrefix(strings.ToLower(m[1]), "class") {
			ev.Type = "classé"
		}
		mo := months[headerKey(m[3])]
		y, d := atoi(m[4]), atoi(m[2])
		if mo > 0 && plausibleYear(y) && d >= 1 && d <= daysIn(y, mo) {
			ev.Date = fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
		}
		events = append(events, ev)
	}
	return events
}

// Summarise derives the protection ("classé", "inscrit", "classé et inscrit", "" if none is known) and the
// date of the first protection from events.
func Summarise(events []ProtectionEvent) (protection, first string) {
	var classe, inscrit bool
	for _, e := range events {
		switch e.Type {
		case "classé":
			classe = true
		case "inscrit":
			inscrit = true
		}
		if e.Date != "" && e.Type != "" && (first == "" || e.Date < first) {
			first = e.Date
		}
	}
	switch {
	case classe && inscrit:
		protection = "classé et inscrit"
	case classe:
		protection = "classé"
	case inscrit:
		protection = "inscrit"
	}
	return protection, first
}

// FirstProtection splits the date of a first protection (Summarise's) into its year, known whenever a date is,
// and its full date, "" when the source gives only the year or the month ("1862", "1989-10"): one column that
// always holds a year and one that only ever holds dates, so that no client typing a column from its first
// values (QGIS, GDAL) turns the year-only ones into nulls.
func FirstProtection(first string) (year int, date string) {
	if len(first) < 4 {
		return 0, ""
	}
	y, err := strconv.Atoi(first[:4])
	if err != nil {
		return 0, ""
	}
	if len(first) == len("2006-01-02") {
		date = first
	}
	return y, date
}

// protectionFromType reads the typologie column ("classé MH", "inscrit MH partiellement", "classé MH ;
// inscrit MH") when there is no history to derive it from.
func protectionFromType(s string) string {
	l := strings.ToLower(s)
	c, i := strings.Contains(l, "class"), strings.Contains(l, "inscri")
	switch {
	case c && i:
		return "classé et inscrit"
	case c:
		return "classé"
	case i:
		return "inscrit"
	}
	return ""
}
