package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"time"
)

// Download saves url into a temporary directory, under its own name, and returns the file's path; the caller
// removes the directory (filepath.Dir of the path) when done.
func Download(ctx context.Context, url, userAgent string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", UsageError{fmt.Errorf("--url %q: %w", url, err)}
	}
	req.Header.Set("User-Agent", userAgent)
	res, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return "", fmt.Errorf("download %s: %w (offline? download it yourself and use --file)", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download %s: HTTP %d: check the address, or download it yourself and use --file", url, res.StatusCode)
	}
	dir, err := os.MkdirTemp("", "patrimap-download-")
	if err != nil {
		return "", err
	}
	name := path.Base(req.URL.Path)
	if name == "" || name == "/" || name == "." {
		name = "download"
	}
	p := filepath.Join(dir, name)
	out, err := os.Create(p)
	if err == nil {
		_, err = io.Copy(out, res.Body)
		err = errors.Join(err, out.Close())
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	return p, nil
}
