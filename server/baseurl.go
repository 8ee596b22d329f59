package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
)

// The server's own address in the absolute links it writes (TileJSON tiles, uMap live layers, OGC API links,
// the DCAT catalogue's URIs) comes from, in order:
//  1. the configured public base URL (serve --base-url): stable, the only source the DCAT catalogue accepts;
//  2. what a trusted proxy (serve --trusted-proxies) says of the request: Forwarded (RFC 7239), else
//     X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Prefix, else the Host it passed;
//  3. the address the client's connection reached (the listening socket's, e.g. http://127.0.0.1:8080).
// Never from a Host or X-Forwarded-* header sent by anyone else: a client could otherwise make the server
// write its own site into the links other clients are given (and caches keep).

// WithBaseURL sets the server's public base URL (https://patrimap.example.org).
func WithBaseURL(u string) Option {
	return func(s *Server) { s.base = strings.TrimRight(u, "/") }
}

// CheckBaseURL says what is wrong with a --base-url value.
func CheckBaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil || p.RawQuery != "" || p.Fragment != "" {
		return fmt.Errorf("base URL %q: give the public address of the server, http:// or https://, without query, e.g. https://patrimap.example.org", u)
	}
	return nil
}

// Proxies are the addresses whose forwarding headers the server believes (serve --trusted-proxies).
type Proxies []netip.Prefix

// ParseProxies reads a --trusted-proxies value: CIDR ranges and single addresses, separated by commas
// ("10.0.0.0/8,192.168.1.10,::1").
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: give an address or a CIDR range, e.g. 10.0.0.0/8 or 192.168.1.10", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (p Proxies) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, r := range p {
		if a.IsValid() && r.Contains(a) {
			return true
		}
	}
	return false
}

// WithTrustedProxies makes the server believe the forwarding headers (Forwarded, X-Forwarded-For, -Proto,
// -Host, -Prefix) of requests that come from p, and of no other.
func WithTrustedProxies(p Proxies) Option {
	return func(s *Server) { s.proxies = p }
}

// peerAddr is the address of the other end of the request's connection.
func peerAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// resolveBase is the one place that decides the server's base URL for a request (see above). stable is true
// for the configured one only: a harvester must not mint URIs from anything else.
func (s *Server) resolveBase(c echo.Context) (base string, stable bool) {
	if s.base != "" {
		return s.base, true
	}
	r := c.Request()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if s.proxies.contains(peerAddr(r)) {
		f := s.forwarded(r)
		if f.proto != "" {
			scheme = f.proto
		}
		host := r.Host
		if f.host != "" {
			host = f.host
		}
		if validHost(host) {
			return scheme + "://" + host + f.prefix, false
		}
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			return scheme + "://" + netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port()).String(), false
		}
	}
	// No connection (a handler called directly): links relative to the server's root.
	return "", false
}

// baseURL is the server's address for absolute links (GDAL follows them as given).
func (s *Server) baseURL(c echo.Context) string {
	b, _ := s.resolveBase(c)
	return b
}

// linkOrigin is the scheme and host of baseURL, for the Content-Security-Policy of pages that follow them.
func (s *Server) linkOrigin(c echo.Context) string {
	u, err := url.Parse(s.baseURL(c))
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// forwarding is what a trusted proxy says of the request it passed on.
type forwarding struct{ proto, host, prefix string }

var prefixPattern = regexp.MustCompile(`^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$`)

// forwarded reads the forwarding headers of a request from a trusted proxy. Forwarded wins over
// X-Forwarded-Proto and -Host; of a list, the value the nearest trusted proxy wrote counts.
func (s *Server) forwarded(r *http.Request) forwarding {
	var f forwarding
	if el := s.outermostTrusted(forwardedElements(r.Header.Values("Forwarded"))); el != nil {
		f.proto, f.host = el["proto"], el["host"]
	} else {
		f.proto, f.host = lastValue(r.Header.Values("X-Forwarded-Proto")), lastValue(r.Header.Values("X-Forwarded-Host"))
	}
	f.proto = strings.ToLower(f.proto)
	if f.proto != "http" && f.proto != "https" {
		f.proto = ""
	}
	if !validHost(f.host) {
		f.host = ""
	}
	if p := strings.TrimRight(lastValue(r.Header.Values("X-Forwarded-Prefix")), "/"); prefixPattern.MatchString(p) {
		f.prefix = p
	}
	return f
}

// outermostTrusted is the element of a Forwarded header written by the first trusted proxy the request
// went through: each proxy appends one, naming its own client in for=; going back from the last (written by
// the peer, trusted), an element whose for= is a trusted proxy was preceded by that proxy's own.
func (s *Server) outermostTrusted(els []map[string]string) map[string]string {
	for i := len(els) - 1; i >= 0; i-- {
		if i == 0 || !s.proxies.contains(forAddr(els[i]["for"])) {
			return els[i]
		}
	}
	return nil
}

// clientIP is the address of the client for the logs: the peer, or, from a trusted proxy, the first address
// of Forwarded's for= or X-Forwarded-For, from the right, that is not a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	peer := peerAddr(r)
	if !s.proxies.contains(peer) {
		return peer.String()
	}
	var hops []netip.Addr
	if els := forwardedElements(r.Header.Values("Forwarded")); len(els) > 0 {
		for _, el := range els {
			hops = append(hops, forAddr(el["for"]))
		}
	} else {
		for _, v := range r.Header.Values("X-Forwarded-For") {
			for _, a := range strings.Split(v, ",") {
				hops = append(hops, forAddr(a))
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		if !s.proxies.contains(hops[i]) {
			if !hops[i].IsValid() {
				break // "unknown" or an obfuscated name: the peer is the last address known
			}
			return hops[i].String()
		}
	}
	return peer.String()
}

// forAddr reads an address of Forwarded's for= ("192.0.2.1", "[2001:db8::1]:4711") or X-Forwarded-For.
func forAddr(v string) netip.Addr {
	v = strings.TrimSpace(v)
	if ap, err := netip.ParseAddrPort(v); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(strings.Trim(v, "[]"))
	return a.Unmap()
}

// validHost accepts a host name or address with an optional port, nothing else (no user, path, space or
// control character).
func validHost(h string) bool {
	if h == "" || len(h) > 255 || strings.ContainsAny(h, "/\\?#@ \t\r\n\"'<>`") {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h && u.User == nil && u.Path == "" && u.Hostname() != ""
}

// lastValue is the last of the comma-separated values of a header (the nearest proxy's).
func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// forwardedElements parses Forwarded header values (RFC 7239 section 4): elements separated by commas,
// pairs by semicolons, each value a token or a quoted string. Parameter names are lower-cased.
func forwardedElements(values []string) []map[string]string {
	var out []map[string]string
	for _, v := range values {
		el := map[string]string{}
		var key strings.Builder
		var val strings.Builder
		inKey, quoted, escaped := true, false, false
		end := func() {
			if k := strings.ToLower(strings.TrimSpace(key.String())); k != "" {
				el[k] = strings.TrimSpace(val.String())
			}
			key.Reset()
			val.Reset()
			inKey = true
		}
		for _, r := range v {
			switch {
			case escaped:
				val.WriteRune(r)
				escaped = false
			case quoted && r == '\\':
				escaped = true
			case r == '"' && !inKey:
				quoted = !quoted
			case quoted:
				val.WriteRune(r)
			case r == '=' && inKey:
				inKey = false
			case r == ';':
				end()
			case r == ',':
				end()
				out = append(out, el)
				el = map[string]string{}
			case inKey:
				key.WriteRune(r)
			default:
				val.WriteRune(r)
			}
		}
		end()
		out = append(out, el)
	}
	return out
}
