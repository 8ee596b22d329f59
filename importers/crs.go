package importers

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var crsPattern = regexp.MustCompile(`(?i)^(?:EPSG:)?(\d{4,6})$`)

// ParseCRS reads --crs EPSG:NNNN (or a bare code); "" means unset (0).
func ParseCRS(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	m := crsPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, UsageError{fmt.Errorf("--crs %q: expected EPSG:NNNN, e.g. EPSG:2154 for Lambert-93", s)}
	}
	return strconv.Atoi(m[1])
}
