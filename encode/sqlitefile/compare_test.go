package sqlitefile

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/patrimap/patrimap/store"
)

// sameValue checks that GDAL's GeoJSON value g (numbers as json.Number) is the store's value s of field f.
func sameValue(f store.Field, s, g any) error {
	if s == nil || g == nil {
		if s != g {
			return fmt.Errorf("store %#v, file %#v", s, g)
		}
		return nil
	}
	switch f.Type {
	case store.FieldInteger:
		n, err := g.(json.Number).Int64()
		if err != nil || n != s.(int64) {
			return fmt.Errorf("store %d, file %v", s, g)
		}
	case store.FieldReal:
		x, err := g.(json.Number).Float64()
		want := s.(float64)
		if err != nil || math.Abs(x-want) > 1e-15*math.Max(1, math.Abs(want)) {
			return fmt.Errorf("store %v, file %v", s, g)
		}
	case store.FieldBoolean:
		if g != s {
			return fmt.Errorf("store %v, file %v", s, g)
		}
	case store.FieldDateTime:
		st, sZone, err1 := parseDateTime(s.(string))
		gt, gZone, err2 := parseDateTime(g.(string))
		same := sZone && gZone && st.Equal(gt) || !sZone && !gZone && st == gt
		if err1 != nil || err2 != nil || !same {
			return fmt.Errorf("store %q, file %q (%v %v)", s, g, err1, err2)
		}
	case store.FieldJSON:
		var want any
		if err := json.NewDecoder(strings.NewReader(s.(string))).Decode(&want); err != nil {
			return fmt.Errorf("store %q: %v", s, err)
		}
		if gs, ok := g.(string); ok { // GDAL may give it back as the text
			if err := json.Unmarshal([]byte(gs), &g); err != nil {
				return fmt.Errorf("file %q: %v", gs, err)
			}
		}
		if fmt.Sprint(normalJSON(want)) != fmt.Sprint(normalJSON(g)) {
			return fmt.Errorf("store %s, file %v", s, g)
		}
	default: // text and dates, as written
		if g != s {
			return fmt.Errorf("store %q, file %q", s, g)
		}
	}
	return nil
}

// normalJSON makes json.Number and float64 print alike.
func normalJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalJSON(x)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = normalJSON(x)
		}
		return out
	}
	return v
}

// parseDateTime reads an ISO 8601 date-time, with "T" or a space, with or without a time zone.
func parseDateTime(s string) (t time.Time, zone bool, err error) {
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, false, nil
		}
	}
	return t, false, fmt.Errorf("not a date-time: %q", s)
}

// sameGeometry checks that b has a's type and structure, each coordinate within tol.
func sameGeometry(a, b orb.Geometry, tol float64) error {
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		return fmt.Errorf("%T, want %T", b, a)
	}
	var pa, pb []orb.Point
	var shape func(g orb.Geometry, pts *[]orb.Point) string
	shape = func(g orb.Geometry, pts *[]orb.Point) string {
		switch g := g.(type) {
		case orb.Point:
			*pts = append(*pts, g)
			return "."
		case orb.MultiPoint:
			*pts = append(*pts, g...)
			return fmt.Sprint(len(g))
		case orb.LineString:
			*pts = append(*pts, g...)
			return fmt.Sprint(len(g))
		case orb.Ring:
			*pts = append(*pts, g...)
			return fmt.Sprint(len(g))
		}
		var parts []string
		switch g := g.(type) {
		case orb.MultiLineString:
			for _, l := range g {
				parts = append(parts, shape(l, pts))
			}
		case orb.Polygon:
			for _, r := range g {
				parts = append(parts, shape(r, pts))
			}
		case orb.MultiPolygon:
			for _, p := range g {
				parts = append(parts, shape(p, pts))
			}
		case orb.Collection:
			for _, c := range g {
				parts = append(parts, fmt.Sprintf("%T", c)+shape(c, pts))
			}
		}
		return "(" + strings.Join(parts, ",") + ")"
	}
	if sa, sb := shape(a, &pa), shape(b, &pb); sa != sb {
		return fmt.Errorf("structure %s, want %s", sb, sa)
	}
	for i := range pa {
		if math.Abs(pa[i][0]-pb[i][0]) > tol || math.Abs(pa[i][1]-pb[i][1]) > tol {
			return fmt.Errorf("point %d: %v, want %v", i, pb[i], pa[i])
		}
	}
	return nil
}
