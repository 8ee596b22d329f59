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

// Once every record is read, the display says the dataset is being built (the end of a large import, which it
// left blank), until Done clears the line.
func TestProgressFinishing(t *testing.T) {
	var out bytes.Buffer
	p := &Progress{w: &out, label: "points", start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	for range 1000 {
		p.Record()
	}
	p.Finishing()
	if line := out.String(); !strings.HasSuffix(line, "points: 1000 records read in 0s; building the dataset's table and indexes...") {
		t.Errorf("finishing: %q", line)
	}
	p.Done()
	p.Done()
	if line := out.String(); !strings.HasSuffix(line, "\r\033[K") {
		t.Errorf("done: %q", line)
	}
}
