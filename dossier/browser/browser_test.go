package browser

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A Chromium that is not there is said so, naming where it was looked for; printing itself is tested by
// cmd/patrimap's TestDossierPDF (the real chromium, the real page, pdftotext).
func TestFindMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "chromium")
	_, err := Find(missing)
	if !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Find(%s) = %v; want ErrNoChromium naming the path", missing, err)
	}
	if _, err := Start(context.Background(), missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Start(%s) = %v; want an error naming it", missing, err)
	}
}

func TestHTMLEscapeFooter(t *testing.T) {
	if got := htmlEscape(`Saint-Martin-d'Hères <"x"> & co`); got != `Saint-Martin-d'Hères &lt;&quot;x&quot;&gt; &amp; co` {
		t.Errorf("%q", got)
	}
}
