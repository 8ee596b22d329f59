package importers

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The display shows how far an import is from the bytes read, or, for a source that announces its record
// count (a shapefile), from the records read.
func TestProgressLine(t *testing.T) {
	var out bytes.Buffer
	p := &Progress{w: &out, label: "apb", start: time.Now().Add(-2 * time.Second)}
	p.ExpectRecords(800)
	for i := 0; i < 200; i++ {
		p.Record()
	}
	p.draw()
	if line := out.String(); !strings.Contains(line, "apb: 200 records") || !strings.Contains(line, " 25%") || !strings.Contains(line, "left") {
		t.Errorf("records: %q", line)
	}
	out.Reset()
	p = &Progress{w: &out, label: "big.geojson", total: 1000, start: time.Now().Add(-time.Second)}
	p.bytes.Store(500)
	p.draw()
	if line := out.String(); !strings.Contains(line, "[============            ]  50%, 1s left") {
		t.Errorf("bytes: %q", line)
	}
	var nilProgress *Progress
	nilProgress.ExpectRecords(3) // a source may be opened without a display
}
