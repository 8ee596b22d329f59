package osm

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"

	"github.com/patrimap/patrimap/importers/charset"
	"github.com/patrimap/patrimap/importers/limit"
)

// ErrOverpassRemark is the error of an Overpass response whose "remark" reports a server failure (a timeout, out
// of memory): its elements are incomplete and must not be imported.
var ErrOverpassRemark = errors.New("the Overpass server reported an error")

// response is an Overpass answer decoded into the library's types, with what the library does not model kept
// aside: the centers of `out center`, the number of "area" elements skipped.
type response struct {
	objects []osm.Object
	centers map[osm.FeatureID]orb.Point
	areas   int
	remark  string
	notUTF8 int // strings read as Windows-1252
}

type ovLatLon struct {
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
}

func (p *ovLatLon) point() (orb.Point, bool) {
	if p == nil || p.Lat == nil || p.Lon == nil {
		return orb.Point{}, false
	}
	return orb.Point{*p.Lon, *p.Lat}, true
}

type ovMember struct {
	Type     string      `json:"type"`
	Ref      int64       `json:"ref"`
	Role     string      `json:"role"`
	Lat      *float64    `json:"lat"`
	Lon      *float64    `json:"lon"`
	Geometry []*ovLatLon `json:"geometry"`
}

type ovElement struct {
	Type      string            `json:"type"`
	ID        int64             `json:"id"`
	Lat       *float64          `json:"lat"`
	Lon       *float64          `json:"lon"`
	Timestamp string            `json:"timestamp"`
	Version   int               `json:"version"`
	Tags      map[string]string `json:"tags"`
	Nodes     []int64           `json:"nodes"`
	Geometry  []*ovLatLon       `json:"geometry"`
	Center    *ovLatLon         `json:"center"`
	Members   []ovMember        `json:"members"`
}

// decodeOverpassJSON reads an Overpass JSON response, one element at a time: only the elements are kept, each
// element and each value in it bounded (limit.JSON). Strings that are not UTF-8 are read as Windows-1252.
func decodeOverpassJSON(r io.Reader) (*response, error) {
	lim := limit.NewJSON(r, limit.JSONLimits{SpanWhat: "an element",
		Hint: "no OSM element is that large: check the response, or query a smaller territory"})
	dec := json.NewDecoder(lim)
	res := &response{centers: map[osm.FeatureID]orb.Point{}}
	bad := func(err error) error {
		if errors.Is(err, limit.ErrExceeded) {
			return fmt.Errorf("%w: %w", errBadFile, err)
		}
		return fmt.Errorf("%w: not an Overpass JSON response: %v", errBadFile, err)
	}
	if tok, err := dec.Token(); err != nil {
		return nil, bad(err)
	} else if tok != json.Delim('{') {
		return nil, bad(fmt.Errorf("starts with %v, not an object", tok))
	}
	n := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		lim.Mark()
		switch tok {
		case "remark":
			if err := dec.Decode(&res.remark); err != nil {
				return nil, bad(err)
			}
			res.remark = strings.TrimSpace(res.remark)
		case "elements":
			if tok, err := dec.Token(); err != nil {
				return nil, bad(err)
			} else if tok != json.Delim('[') {
				return nil, bad(fmt.Errorf(`"elements" is %v, not an array`, tok))
			}
			for dec.More() {
				n++
				lim.Mark()
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					if errors.Is(err, limit.ErrExceeded) {
						return nil, fmt.Errorf("%w: element %d: %w", errBadFile, n, err)
					}
					return nil, bad(err)
				}
				raw, decoded := charset.JSON(raw)
				res.notUTF8 += decoded
				var e ovElement
				if err := json.Unmarshal(raw, &e); err != nil {
					return nil, fmt.Errorf("%w: element %d: %v", errBadFile, n, err)
				}
				if err := res.add(e); err != nil {
					return nil, fmt.Errorf("%w: element %d: %v", errBadFile, n, err)
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, bad(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, bad(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(err)
	}
	if err := res.checkRemark(); err != nil {
		return nil, err
	}
	return res, nil
}

func (res *response) checkRemark() error {
	// Overpass puts informative remarks too; the failures all start with "runtime error" or "runtime remark"
	// (timeouts, memory), or name an error in the query.
	r := strings.ToLower(res.remark)
	if r != "" && (strings.Contains(r, "error") || strings.Contains(r, "timed out") || strings.Contains(r, "out of memory")) {
		return fmt.Errorf("%w: %s", ErrOverpassRemark, res.remark)
	}
	return nil
}

func (res *response) add(e ovElement) error {
	ts, _ := time.Parse(time.RFC3339, e.Timestamp)
	tags := tagsOf(e.Tags)
	switch e.Type {
	case "area":
		res.areas++
	case "node":
		if e.Lat == nil || e.Lon == nil {
			return fmt.Errorf("node %d has no lat/lon", e.ID)
		}
		res.objects = append(res.objects, &osm.Node{ID: osm.NodeID(e.ID), Lat: *e.Lat, Lon: *e.Lon, Tags: tags, Version: e.Version, Timestamp: ts, Visible: true})
	case "way":
		w := &osm.Way{ID: osm.WayID(e.ID), Tags: tags, Version: e.Version, Timestamp: ts, Visible: true}
		w.Nodes = make(osm.WayNodes, 0, max(len(e.Nodes), len(e.Geometry)))
		for i := 0; i < max(len(e.Nodes), len(e.Geometry)); i++ {
			var wn osm.WayNode
			if i < len(e.Nodes) {
				wn.ID = osm.NodeID(e.Nodes[i])
			}
			if i < len(e.Geometry) {
				if p, ok := e.Geometry[i].point(); ok {
					wn.Lon, wn.Lat = p[0], p[1]
				}
			}
			w.Nodes = append(w.Nodes, wn)
		}
		res.objects = append(res.objects, w)
		if p, ok := e.Center.point(); ok {
			res.centers[w.FeatureID()] = p
		}
	case "relation":
		rel := &osm.Relation{ID: osm.RelationID(e.ID), Tags: tags, Version: e.Version, Timestamp: ts, Visible: true}
		for _, m := range e.Members {
			om := osm.Member{Type: osm.Type(m.Type), Ref: m.Ref, Role: m.Role}
			if m.Lat != nil && m.Lon != nil {
				om.Lat, om.Lon = *m.Lat, *m.Lon
			}
			for _, g := range m.Geometry {
				var wn osm.WayNode
				if p, ok := g.point(); ok {
					wn.Lon, wn.Lat = p[0], p[1]
				}
				om.Nodes = append(om.Nodes, wn)
			}
			rel.Members = append(rel.Members, om)
		}
		res.objects = append(res.objects, rel)
		if p, ok := e.Center.point(); ok {
			res.centers[rel.FeatureID()] = p
		}
	default:
		return fmt.Errorf("unknown element type %q", e.Type)
	}
	return nil
}

func tagsOf(m map[string]string) osm.Tags {
	if len(m) == 0 {
		return nil
	}
	tags := make(osm.Tags, 0, len(m))
	for k, v := range m {
		tags = append(tags, osm.Tag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags
}

// decodeOverpassXML reads an Overpass XML response (the OSM XML format plus <center>, <remark>, <area> and the
// coordinates of `out geom` on <nd>).
func decodeOverpassXML(r io.Reader) (*response, error) {
	dec := xml.NewDecoder(&xmlBounds{r: r})
	res := &response{centers: map[osm.FeatureID]orb.Point{}}
	var (
		cur     *ovElement
		member  *ovMember
		inRem   bool
		remark  strings.Builder
		depthEl int
	)
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	float := func(se xml.StartElement, name string) *float64 {
		s := attr(se, name)
		if s == "" {
			return nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil
		}
		return &f
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if errors.Is(err, limit.ErrExceeded) {
			return nil, fmt.Errorf("%w: %w", errBadFile, err)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: not an Overpass XML response: %v", errBadFile, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "remark":
				inRem = true
			case "node", "way", "relation", "area":
				if cur != nil {
					return nil, fmt.Errorf("%w: <%s> inside another element", errBadFile, t.Name.Local)
				}
				id, err := strconv.ParseInt(attr(t, "id"), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%w: <%s> with id %q", errBadFile, t.Name.Local, attr(t, "id"))
				}
				v, _ := strconv.Atoi(attr(t, "version"))
				cur = &ovElement{Type: t.Name.Local, ID: id, Lat: float(t, "lat"), Lon: float(t, "lon"),
					Timestamp: attr(t, "timestamp"), Version: v, Tags: map[string]string{}}
				depthEl = 0
			case "tag":
				if cur != nil {
					cur.Tags[attr(t, "k")] = attr(t, "v")
				}
			case "center":
				if cur != nil {
					cur.Center = &ovLatLon{Lat: float(t, "lat"), Lon: float(t, "lon")}
				}
			case "nd":
				if cur == nil {
					break
				}
				ll := &ovLatLon{Lat: float(t, "lat"), Lon: float(t, "lon")}
				if member != nil {
					member.Geometry = append(member.Geometry, ll)
					break
				}
				ref, _ := strconv.ParseInt(attr(t, "ref"), 10, 64)
				cur.Nodes = append(cur.Nodes, ref)
				cur.Geometry = append(cur.Geometry, ll)
			case "member":
				if cur != nil {
					ref, _ := strconv.ParseInt(attr(t, "ref"), 10, 64)
					cur.Members = append(cur.Members, ovMember{Type: attr(t, "type"), Ref: ref, Role: attr(t, "role"),
						Lat: float(t, "lat"), Lon: float(t, "lon")})
					member = &cur.Members[len(cur.Members)-1]
				}
			}
			if cur != nil {
				depthEl++
			}
		case xml.CharData:
			if inRem {
				remark.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "remark":
				inRem = false
			case "member":
				member = nil
			}
			if cur != nil {
				depthEl--
				if depthEl == 0 {
					if err := res.add(*cur); err != nil {
						return nil, fmt.Errorf("%w: %v", errBadFile, err)
					}
					cur, member = nil, nil
				}
			}
		}
	}
	res.remark = strings.TrimSpace(remark.String())
	if err := res.checkRemark(); err != nil {
		return nil, err
	}
	return res, nil
}
