package osm

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
)

// DefaultOverpass is the main public Overpass API instance.
const DefaultOverpass = "https://overpass-api.de/api/interpreter"

// Overpass is a client of an Overpass API instance. It sends one request at a time (the instances allow two
// slots per address, and a polite client uses one) with a User-Agent that says who it is.
type Overpass struct {
	URL       string // interpreter endpoint; DefaultOverpass if empty
	UserAgent string
	HTTP      *http.Client
	// Timeout is the server-side timeout the query asks for, in seconds (180 if 0).
	Timeout int

	mu sync.Mutex
}

// Area is where a query looks: a bounding box, or an OSM area (3600000000 + the relation id of a boundary, as
// geodatamine's boundary ids -7444 say).
type Area struct {
	BBox     *orb.Bound
	Relation int64
}

// ParseRelationArea reads an OSM boundary relation id: 7444, -7444 (geodatamine's form) or relation/7444.
func ParseRelationArea(s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "relation/")
	s = strings.TrimPrefix(s, "r")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q: expected the id of an OSM boundary relation, e.g. 7444 (Paris; geodatamine writes -7444)", s)
	}
	if n < 0 {
		n = -n
	}
	if n >= 3600000000 {
		n -= 3600000000
	}
	return n, nil
}

// Query builds the Overpass QL that selects the theme's elements in area, with everything needed to draw them:
// the elements with their tags, then (recursing down) the nodes and member ways without tags.
func (o *Overpass) Query(th *Theme, a Area) (string, error) {
	var b strings.Builder
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 180
	}
	fmt.Fprintf(&b, "[out:json][timeout:%d];\n", timeout)
	var where string
	switch {
	case a.Relation != 0:
		fmt.Fprintf(&b, "area(%d)->.searchArea;\n", 3600000000+a.Relation)
		where = "(area.searchArea)"
	case a.BBox != nil:
		bb := a.BBox
		where = fmt.Sprintf("(%s,%s,%s,%s)", coord(bb.Min[1]), coord(bb.Min[0]), coord(bb.Max[1]), coord(bb.Max[0]))
	default:
		return "", errors.New("overpass: no area: give a territory (--territory, --bbox, --within) or --osm-area")
	}
	b.WriteString("(\n")
	for _, c := range th.Filter() {
		kinds := []string{"nwr"}
		if th.Geometry == GeometryArea && !th.Nodes {
			kinds = []string{"way", "relation"}
		}
		for _, k := range kinds {
			b.WriteString("  " + k)
			for _, cond := range c {
				b.WriteString(qlCondition(cond))
			}
			b.WriteString(where + ";\n")
		}
	}
	b.WriteString(");\nout body;\n>;\nout skel qt;\n")
	return b.String(), nil
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', 7, 64) }

func qlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func qlCondition(c Condition) string {
	k := qlString(c.Key)
	switch {
	case len(c.Values) == 0 && !c.Negate:
		return "[" + k + "]"
	case len(c.Values) == 0:
		return "[!" + k + "]"
	case len(c.Values) == 1 && !c.Negate:
		return "[" + k + "=" + qlString(c.Values[0]) + "]"
	case len(c.Values) == 1:
		return "[" + k + "!=" + qlString(c.Values[0]) + "]"
	}
	alts := make([]string, len(c.Values))
	for i, v := range c.Values {
		alts[i] = regexp.QuoteMeta(v)
	}
	op := "~"
	if c.Negate {
		op = "!~"
	}
	return "[" + k + op + qlString("^("+strings.Join(alts, "|")+")$") + "]"
}

// ErrOverpassBusy is returned when the instance refuses the request for load (429, 504): wait and retry.
var ErrOverpassBusy = errors.New("the Overpass server is busy")

// Fetch runs query and writes the response to w. Only one request runs at a time per client.
func (o *Overpass) Fetch(ctx context.Context, query string, w io.Writer) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	endpoint := o.URL
	if endpoint == "" {
		endpoint = DefaultOverpass
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(url.Values{"data": {query}}.Encode()))
	if err != nil {
		return fmt.Errorf("overpass: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if o.UserAgent != "" {
		req.Header.Set("User-Agent", o.UserAgent)
	}
	client := o.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("overpass: %s: %w (offline? run the query on overpass-turbo.eu, export the data and use --file)", endpoint, err)
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
		if _, err := io.Copy(w, res.Body); err != nil {
			return fmt.Errorf("overpass: %s: reading the response: %w", endpoint, err)
		}
		return nil
	case http.StatusTooManyRequests:
		wait := ""
		if ra := res.Header.Get("Retry-After"); ra != "" {
			wait = " (the server says: retry after " + ra + " s)"
		}
		return fmt.Errorf("%w: %s answered 429 Too Many Requests: this address has used its query slots; wait a minute or two before trying again%s, and check %s",
			ErrOverpassBusy, endpoint, wait, statusURL(endpoint))
	case http.StatusGatewayTimeout:
		return fmt.Errorf("%w: %s answered 504 Gateway Timeout: the server is overloaded or the query took too long; try again later, with a smaller territory, or use another instance (--overpass-url)",
			ErrOverpassBusy, endpoint)
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	msg := overpassErrorText(body)
	if msg == "" {
		msg = http.StatusText(res.StatusCode)
	}
	return fmt.Errorf("overpass: %s answered HTTP %d: %s", endpoint, res.StatusCode, msg)
}

func statusURL(endpoint string) string {
	return strings.TrimSuffix(endpoint, "/interpreter") + "/status"
}

var (
	errorParagraph = regexp.MustCompile(`(?s)<p><strong[^>]*>Error</strong>:(.*?)</p>`)
	tags           = regexp.MustCompile(`<[^>]+>`)
)

// overpassErrorText extracts the error lines of an Overpass HTML error page (a query it cannot parse).
func overpassErrorText(body []byte) string {
	var msgs []string
	for _, m := range errorParagraph.FindAllSubmatch(body, 5) {
		msgs = append(msgs, strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(string(m[1]), ""))))
	}
	if len(msgs) == 0 {
		s := strings.TrimSpace(tags.ReplaceAllString(string(body), " "))
		return strings.Join(strings.Fields(s[:min(len(s), 300)]), " ")
	}
	return strings.Join(msgs, "; ")
}
