package osm

import (
	"fmt"
	"sort"
	"strings"
)

// Filter selects OSM elements by their tags. It is a list of clauses, any of which may match; a clause is a list
// of conditions that must all hold. Its text form is one clause per string, conditions joined by " & ":
//
//	leisure=playground                   the tag has this value
//	heritage                             the key is present (also written heritage=*)
//	amenity=toilets|shower               the value is one of these
//	access!=private                      the key is absent or has another value
//	!disused                             the key is absent
//	heritage & heritage:operator=mhs     both hold
type Filter []Clause

// Clause is a conjunction of conditions.
type Clause []Condition

// Condition tests one key.
type Condition struct {
	Key    string
	Values []string // empty: any value
	Negate bool     // key absent, or (with Values) value not among them
}

// Tags is how the filter sees an element's tags.
type Tags interface {
	Find(key string) string
}

// MapTags adapts a map to Tags.
type MapTags map[string]string

// Find returns the value of key, "" when absent.
func (m MapTags) Find(key string) string { return m[key] }

// ParseFilter reads the text form of a filter, one clause per string.
func ParseFilter(clauses []string) (Filter, error) {
	if len(clauses) == 0 {
		return nil, fmt.Errorf("filter: no clause: say which tags select the elements, e.g. leisure=playground")
	}
	f := make(Filter, 0, len(clauses))
	for _, text := range clauses {
		c, err := parseClause(text)
		if err != nil {
			return nil, err
		}
		f = append(f, c)
	}
	return f, nil
}

func parseClause(text string) (Clause, error) {
	var c Clause
	for _, part := range strings.Split(text, "&") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("filter %q: empty condition (conditions are joined by \" & \")", text)
		}
		cond, err := parseCondition(part)
		if err != nil {
			return nil, fmt.Errorf("filter %q: %w", text, err)
		}
		c = append(c, cond)
	}
	positive := false
	for _, cond := range c {
		if !cond.Negate {
			positive = true
		}
	}
	if !positive {
		return nil, fmt.Errorf("filter %q: a clause needs at least one condition that requires a tag (negations alone would select every element)", text)
	}
	return c, nil
}

func parseCondition(s string) (Condition, error) {
	var cond Condition
	if strings.HasPrefix(s, "!") && !strings.Contains(s, "=") {
		cond.Negate = true
		cond.Key = strings.TrimSpace(s[1:])
		return cond, checkKey(cond.Key)
	}
	key, value, hasValue := strings.Cut(s, "=")
	if hasValue && strings.HasSuffix(key, "!") {
		cond.Negate = true
		key = key[:len(key)-1]
	}
	cond.Key = strings.TrimSpace(key)
	if err := checkKey(cond.Key); err != nil {
		return cond, err
	}
	if !hasValue {
		return cond, nil
	}
	value = strings.TrimSpace(value)
	if value == "*" {
		if cond.Negate {
			return cond, fmt.Errorf("%q: write !%s for an absent key", s, cond.Key)
		}
		return cond, nil
	}
	for _, v := range strings.Split(value, "|") {
		v = strings.TrimSpace(v)
		if v == "" {
			return cond, fmt.Errorf("%q: empty value", s)
		}
		cond.Values = append(cond.Values, v)
	}
	return cond, nil
}

func checkKey(k string) error {
	if k == "" {
		return fmt.Errorf("empty key")
	}
	if strings.ContainsAny(k, "!=|&\"\\\n\t ") {
		return fmt.Errorf("key %q: a key has no spaces nor any of ! = | & \" \\", k)
	}
	return nil
}

// Match reports whether the tags satisfy the filter.
func (f Filter) Match(t Tags) bool {
	for _, c := range f {
		if c.match(t) {
			return true
		}
	}
	return false
}

func (c Clause) match(t Tags) bool {
	for _, cond := range c {
		if !cond.match(t) {
			return false
		}
	}
	return true
}

func (cond Condition) match(t Tags) bool {
	v := t.Find(cond.Key)
	ok := v != ""
	if ok && len(cond.Values) > 0 {
		ok = false
		for _, want := range cond.Values {
			if v == want {
				ok = true
				break
			}
		}
	}
	return ok != cond.Negate
}

// Keys returns the keys the filter requires (those of its positive conditions), sorted.
func (f Filter) Keys() []string {
	seen := map[string]bool{}
	for _, c := range f {
		for _, cond := range c {
			if !cond.Negate {
				seen[cond.Key] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// String writes the filter back in its text form, clauses separated by " ; ".
func (f Filter) String() string {
	parts := make([]string, len(f))
	for i, c := range f {
		conds := make([]string, len(c))
		for j, cond := range c {
			conds[j] = cond.String()
		}
		parts[i] = strings.Join(conds, " & ")
	}
	return strings.Join(parts, " ; ")
}

// String writes the condition in its text form.
func (cond Condition) String() string {
	switch {
	case cond.Negate && len(cond.Values) == 0:
		return "!" + cond.Key
	case cond.Negate:
		return cond.Key + "!=" + strings.Join(cond.Values, "|")
	case len(cond.Values) == 0:
		return cond.Key
	}
	return cond.Key + "=" + strings.Join(cond.Values, "|")
}
