package importers

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// Progress shows how far a long import is: records read, bytes read of the total, rate and time left. It draws
// on a terminal only, so logs in CI and pipes stay clean.
type Progress struct {
	w        io.Writer
	label    string
	total    int64        // bytes, 0 if unknown
	records0 atomic.Int64 // records the source announces (a DBF header), 0 if unknown
	bytes    atomic.Int64
	records  atomic.Int64
	start    time.Time
	stop     chan struct{}
	done     chan struct{}
	stopped  bool // the display, by Finishing or Done
}

// ExpectRecords tells the display how many records the source holds, when the source knows it (a shapefile's
// DBF header) and no byte count says how far it is (a zip's members inflate as they are read).
func (p *Progress) ExpectRecords(n int64) {
	if p != nil {
		p.records0.Store(n)
	}
}

// NewProgress starts a progress display on w for a source of total bytes (0 if unknown). It draws nothing when
// w is not a terminal.
func NewProgress(w io.Writer, label string, total int64) *Progress {
	p := &Progress{w: w, label: label, total: total, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	if !isTerminal(w) {
		close(p.done)
		p.w = nil
		return p
	}
	go p.run()
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Record counts one record read.
func (p *Progress) Record() { p.records.Add(1) }

// Reader wraps r so that the bytes read from it advance the display.
func (p *Progress) Reader(r io.Reader) io.Reader { return &countingReader{r: r, n: &p.bytes} }

// Finishing says, once every record is read, that the store is building the dataset (its table, spatial
// index, pyramid or clusters, search index): a third of a million points' import, which the display would
// otherwise leave blank. Done clears it.
func (p *Progress) Finishing() {
	if p.w == nil || p.stopped {
		return
	}
	p.halt()
	fmt.Fprintf(p.w, "\r\033[K%s: %d records read in %s; building the dataset's table and indexes...",
		p.label, p.records.Load(), time.Since(p.start).Round(time.Second))
}

// Done stops the display and clears its line.
func (p *Progress) Done() {
	if p.w == nil {
		return
	}
	p.halt()
	fmt.Fprint(p.w, "\r\033[K")
}

func (p *Progress) halt() {
	if !p.stopped {
		p.stopped = true
		close(p.stop)
		<-p.done
	}
}

func (p *Progress) run() {
	defer close(p.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.draw()
		}
	}
}

func (p *Progress) draw() {
	elapsed := time.Since(p.start)
	n := p.records.Load()
	rate := float64(n) / elapsed.Seconds()
	line := fmt.Sprintf("%s: %d records, %.0f/s", p.label, n, rate)
	frac := 0.0
	if b := p.bytes.Load(); p.total > 0 && b > 0 {
		frac = float64(b) / float64(p.total)
	} else if total := p.records0.Load(); total > 0 && n > 0 {
		frac = float64(n) / float64(total)
	}
	if frac > 0 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac).Round(time.Second)
		const width = 24
		filled := int(frac * width)
		if filled > width {
			filled = width
		}
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < filled {
				bar[i] = '='
			}
		}
		line = fmt.Sprintf("%s [%s] %3.0f%%, %s left", line, bar, frac*100, left)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
