package importers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/patrimap/patrimap/store"
)

// DescribeFile returns the catalogue's Source for a local file: its name, SHA-256 and the time it was read,
// so that a dataset can always be traced back to the exact bytes it came from.
func DescribeFile(path string) (store.Source, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.Source{}, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return store.Source{}, 0, fmt.Errorf("read %s: %w", path, err)
	}
	return store.Source{File: filepath.Base(path), SHA256: hex.EncodeToString(h.Sum(nil)), RetrievedAt: time.Now().UTC()}, n, nil
}
