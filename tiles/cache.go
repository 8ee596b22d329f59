package tiles

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb/maptile"
)

// Key names one tile of one version of one or more datasets in one format. A re-import gives a dataset a new
// version, hence new keys: the tiles of the previous version are never served again, and Cache.Retire drops
// them at once.
type Key struct {
	Datasets string // "id@version" joined by ","
	Tile     maptile.Tile
	Format   Format
}

// NewKey makes the key of tile t of layers in format f.
func NewKey(layers []Layer, t maptile.Tile, f Format) Key {
	var b strings.Builder
	for i, l := range layers {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.Dataset.ID)
		b.WriteByte('@')
		b.WriteString(strconv.FormatInt(l.Dataset.Version, 10))
	}
	return Key{Datasets: b.String(), Tile: t, Format: f}
}

// Entry is a cached tile: its bytes (nil for an empty tile) and their gzip, made once when it saves bytes.
type Entry struct {
	Data []byte
	Gzip []byte
}

func (e *Entry) size() int64 { return int64(len(e.Data)+len(e.Gzip)) + 128 }

// NewEntry makes the entry of data, with its gzip when data is at least 1 KiB (the server's gzip threshold).
// The gzip writers are reused from tile to tile: a new one allocates its compressor's tables (about 1 MB),
// which cost more than compressing a tile of a few KB (a quarter of an uncached z9 points tile's time). They
// are kept in a channel rather than a sync.Pool, which garbage collections empty: making the dense layer's
// z11–z14 tiles one after the other, 35 of 265 gzips made a new writer (about 2 ms, the gzip 0.14 ms).
func (c *Cache) NewEntry(data []byte) *Entry {
	e := &Entry{Data: data}
	if len(data) >= 1024 {
		var buf bytes.Buffer
		var zw *gzip.Writer
		select {
		case zw = <-c.gzips:
			zw.Reset(&buf)
		default:
			zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed+4)
		}
		zw.Write(data)
		zw.Close()
		select {
		case c.gzips <- zw:
		default: // as many kept as cores: the others go
		}
		if buf.Len() < len(data) {
			e.Gzip = buf.Bytes()
		}
	}
	return e
}

// Cache is an LRU of tiles bounded in bytes, safe for concurrent use. Concurrent misses of one key make the
// tile once (the others wait for it).
type Cache struct {
	mu       sync.Mutex
	max, use int64
	lru      *list.List // of *cacheItem, most recent first
	items    map[Key]*list.Element
	versions map[string]int64 // latest version seen of each dataset
	inflight map[Key]*call
	// Hits, Misses count lookups (for tests and metrics).
	hits, misses int64
	gzips        chan *gzip.Writer // idle writers for NewEntry: at most one a core, as many as were in use at once
}

type cacheItem struct {
	key   Key
	entry *Entry
}

type call struct {
	done  chan struct{}
	entry *Entry
	err   error
}

// NewCache makes a cache holding at most maxBytes of tiles (0 or less: nothing is cached).
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, lru: list.New(), items: map[Key]*list.Element{}, versions: map[string]int64{},
		inflight: map[Key]*call{}, gzips: make(chan *gzip.Writer, runtime.GOMAXPROCS(0))}
}

// Get returns the tile of k, making it with build on a miss; hit says whether it came from the cache.
func (c *Cache) Get(k Key, build func() (*Entry, error)) (e *Entry, hit bool, err error) {
	c.mu.Lock()
	if el, ok := c.items[k]; ok {
		c.lru.MoveToFront(el)
		c.hits++
		c.mu.Unlock()
		return el.Value.(*cacheItem).entry, true, nil
	}
	if cl, ok := c.inflight[k]; ok {
		c.mu.Unlock()
		<-cl.done
		return cl.entry, cl.err == nil, cl.err
	}
	c.misses++
	cl := &call{done: make(chan struct{})}
	c.inflight[k] = cl
	c.mu.Unlock()

	cl.entry, cl.err = build()

	c.mu.Lock()
	delete(c.inflight, k)
	if cl.err == nil {
		c.add(k, cl.entry)
	}
	c.mu.Unlock()
	close(cl.done)
	return cl.entry, false, cl.err
}

func (c *Cache) add(k Key, e *Entry) {
	if e.size() > c.max {
		return
	}
	// A tile of a version older than one already seen is not kept: a re-import happened meanwhile.
	for _, dv := range strings.Split(k.Datasets, ",") {
		id, v := splitVersion(dv)
		if v < c.versions[id] {
			return
		}
	}
	c.items[k] = c.lru.PushFront(&cacheItem{key: k, entry: e})
	c.use += e.size()
	for c.use > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	it := el.Value.(*cacheItem)
	c.lru.Remove(el)
	delete(c.items, it.key)
	c.use -= it.entry.size()
}

// Retire drops the tiles of every version of dataset id older than version, and remembers version as the
// current one. The server calls it with the version each request reads, so a re-import frees the previous
// version's tiles at the first request after it, and only that dataset's.
func (c *Cache) Retire(id string, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.versions[id] >= version {
		return
	}
	c.versions[id] = version
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		for _, dv := range strings.Split(el.Value.(*cacheItem).key.Datasets, ",") {
			if did, v := splitVersion(dv); did == id && v < version {
				c.remove(el)
				break
			}
		}
		el = next
	}
}

func splitVersion(dv string) (string, int64) {
	i := strings.LastIndexByte(dv, '@')
	if i < 0 {
		return dv, 0
	}
	v, _ := strconv.ParseInt(dv[i+1:], 10, 64)
	return dv[:i], v
}

// CacheStats is a snapshot of a cache's counters.
type CacheStats struct {
	Tiles        int
	Bytes, Max   int64
	Hits, Misses int64
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Tiles: len(c.items), Bytes: c.use, Max: c.max, Hits: c.hits, Misses: c.misses}
}

// Has says whether the tile of k is cached, without touching its recency (for tests).
func (c *Cache) Has(k Key) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.items[k]
	return ok
}
