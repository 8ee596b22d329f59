// Package hours reads the opening hours of the Ministère de la Culture's former national list of musées de
// France (the 2013–2017 exports' période d'ouverture, fermeture annuelle and jours nocturnes: free French text
// such as "Ouvert du mardi au dimanche de 10h à 18h", "1er janvier, 1er mai, 25 décembre", "Jeudi jusqu'à
// 21h45") into the OpenStreetMap opening_hours syntax (https://wiki.openstreetmap.org/wiki/Key:opening_hours).
//
// It writes opening_hours only where it can do so faithfully: a text is read whole or not at all, and what it
// cannot read ("sur rendez-vous", "pendant les vacances scolaires", "de mi-mai à mi-septembre", a statement
// whose days or season stay ambiguous) leaves the result empty with the reason, never a partial schedule that
// would say a museum is open when the text says otherwise. The texts as written are always kept beside it.
//
// It sits beside the culture importer, which reads the same files, and does no I/O: the importer or a page can
// call it on a row's cells.
package hours

import (
	"fmt"
	"slices"
	"strings"
)

// maxText bounds a cell: the longest in the ministry's list is about 600 characters; beyond a few thousand it is
// not an hours text, and the time to read one stays small.
const maxText = 4000

// Field names a column of the ministry's list.
type Field string

// The columns with hours in the 2013–2017 list of musées de France.
const (
	FieldOpening   Field = "periode_ouverture"
	FieldClosure   Field = "fermeture_annuelle"
	FieldNocturnes Field = "jours_nocturnes"
)

// Hours is what a museum's row says of its opening hours.
type Hours struct {
	Opening   string `json:"periode_ouverture,omitempty"` // as written in the source
	Closure   string `json:"fermeture_annuelle,omitempty"`
	Nocturnes string `json:"jours_nocturnes,omitempty"`
	// OSM is the hours in the opening_hours syntax; "" when the texts could not all be read (see Unread) or
	// say nothing of when the museum opens.
	OSM    string    `json:"opening_hours,omitempty"`
	Unread []Problem `json:"unread,omitempty"`
	// Aside are statements about groups by appointment, which opening_hours leaves out (they stay in the
	// texts as written).
	Aside []string `json:"aside,omitempty"`
}

// Problem says which text could not be read, and where.
type Problem struct {
	Field  Field  `json:"field"`
	Reason string `json:"reason"`
}

// Parse reads the three texts of a row (any may be empty).
func Parse(opening, closure, nocturnes string) Hours {
	h := Hours{Opening: clean(opening), Closure: clean(closure), Nocturnes: clean(nocturnes)}
	if h.Opening == "" && h.Closure == "" && h.Nocturnes == "" {
		return h
	}
	for f, text := range map[Field]string{FieldOpening: h.Opening, FieldClosure: h.Closure, FieldNocturnes: h.Nocturnes} {
		if len(text) > maxText {
			h.Unread = append(h.Unread, Problem{Field: f, Reason: fmt.Sprintf("%d characters: longer than any hours text (%d)", len(text), maxText)})
		}
	}
	if len(h.Unread) > 0 {
		slices.SortFunc(h.Unread, func(a, b Problem) int { return strings.Compare(string(a.Field), string(b.Field)) })
		return h
	}
	s, aside, problems := parseSchedule(h.Opening, h.Nocturnes)
	h.Aside, h.Unread = aside, problems
	var off []string
	if h.Closure != "" {
		rules, err := closures(h.Closure)
		if err != nil {
			h.Unread = append(h.Unread, Problem{Field: FieldClosure, Reason: err.Error()})
		}
		off = rules
	}
	if len(h.Unread) > 0 || s == nil {
		return h
	}
	h.OSM = strings.Join(append(s.rules(), off...), "; ")
	return h
}

// parseSchedule reads the opening text and the late openings; the schedule is nil when the opening text is
// empty or either text could not be read.
func parseSchedule(opening, nocturnes string) (*schedule, []string, []Problem) {
	var problems []Problem
	var base, extra []clause
	var aside []string
	if opening != "" {
		cs, a, err := clausesAside(opening)
		if err == nil {
			err = resolve(cs)
		}
		if err != nil {
			problems = append(problems, Problem{Field: FieldOpening, Reason: err.Error()})
		}
		base, aside = cs, a
	}
	if nocturnes != "" {
		cs, err := clauses(nocturnes)
		if err == nil {
			err = nocturnesOnly(cs)
		}
		if err != nil {
			problems = append(problems, Problem{Field: FieldNocturnes, Reason: err.Error()})
		}
		extra = cs
	}
	if len(problems) > 0 || opening == "" {
		return nil, aside, problems
	}
	s, err := build(append(base, extra...))
	if err != nil {
		field := FieldOpening
		if len(extra) > 0 {
			if _, err2 := build(base); err2 == nil {
				field = FieldNocturnes
			}
		}
		return nil, aside, append(problems, Problem{Field: field, Reason: err.Error()})
	}
	return s, aside, nil
}

// nocturnesOnly checks that a jours nocturnes text only makes days close later ("Jeudi jusqu'à 21h45"), or
// adds evening hours to days that are named ("Mercredi de 19h à 21h").
func nocturnesOnly(cs []clause) error {
	for i := range cs {
		c := &cs[i]
		switch {
		case c.days == nil:
			return errNoDays
		case c.until == 0 && c.spans == nil:
			return errNoTime
		case c.spans != nil && c.until == 0:
			c.evening = true // "Mercredi de 19h à 21h": evening hours after the day's
		}
	}
	return nil
}

type parseError string

func (e parseError) Error() string { return string(e) }

const (
	errNoDays parseError = "late opening without its days"
	errNoTime parseError = "late opening without its closing time"
)

// clean trims a cell and collapses its spaces, keeping its words as written.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
