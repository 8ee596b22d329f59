package dossier

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// museums lists the musées de France of the territory. The current Muséofile exports have no opening hours;
// the former national list (2013–2017) has them as French text. When the store holds both, each museum of a
// list without hours takes the hours of the museum of a list with hours in the same commune with the most
// similar name (at least one significant word in common; a tie matches neither), and says where they come from.
func (b *build) museums(byDataset map[string][]Museum) {
	var withHours, without []string
	for _, id := range sortedCodes(byDataset) {
		has := false
		for _, m := range byDataset[id] {
			if m.Hours != nil {
				has = true
				break
			}
		}
		if has {
			withHours = append(withHours, id)
		} else {
			without = append(without, id)
		}
	}
	var out []Museum
	if len(without) == 0 {
		for _, id := range withHours {
			out = append(out, byDataset[id]...)
		}
	} else {
		var pool []Museum
		for _, id := range withHours {
			pool = append(pool, byDataset[id]...)
		}
		used := make([]bool, len(pool))
		for _, id := range without {
			for _, m := range byDataset[id] {
				if i := bestMatch(m, pool, used); i >= 0 {
					used[i] = true
					h := *pool[i].Hours
					m.Hours, m.HoursFrom = &h, pool[i].Dataset
				}
				out = append(out, m)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Commune != out[j].Commune {
			return out[i].Commune < out[j].Commune
		}
		return out[i].Name < out[j].Name
	})
	b.d.Museums = out
	if len(withHours) > 0 {
		src := &HoursSource{Datasets: withHours}
		for _, m := range out {
			if m.Hours != nil && m.Hours.Opening != "" {
				src.WithText++
				if m.Hours.OSM != "" {
					src.Read++
				}
			}
		}
		b.d.HoursSource = src
	}
}

// bestMatch is the unused museum of pool in m's commune whose name shares the most significant words with m's
// (Jaccard), or -1.
func bestMatch(m Museum, pool []Museum, used []bool) int {
	if m.INSEE == "" {
		return -1
	}
	mw := nameWords(m.Name)
	best, bestScore, tie := -1, 0.0, false
	for i, p := range pool {
		if used[i] || p.INSEE != m.INSEE || p.Hours == nil {
			continue
		}
		s := jaccard(mw, nameWords(p.Name))
		switch {
		case s > bestScore:
			best, bestScore, tie = i, s, false
		case s == bestScore && s > 0:
			tie = true
		}
	}
	if tie || bestScore == 0 {
		return -1
	}
	return best
}

// stopWords are the words every museum name has.
var stopWords = map[string]bool{"musee": true, "musees": true, "museum": true, "de": true, "du": true, "des": true,
	"la": true, "le": true, "les": true, "l": true, "d": true, "et": true, "a": true, "au": true, "aux": true, "en": true,
	"france": true, "maison": true, "parc": true}

// nameWords are a name's significant words, folded and cut to five letters ("romaines" and "romain" meet).
func nameWords(name string) map[string]bool {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	out := map[string]bool{}
	for _, w := range strings.Fields(b.String()) {
		if stopWords[w] || len(w) < 3 {
			continue
		}
		if len(w) > 5 {
			w = w[:5]
		}
		out[w] = true
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
