package osm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/datadog/czlib"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/patrimap/patrimap/importers/limit"
)

// The OSM PBF format's own limits (wiki.openstreetmap.org/wiki/PBF_Format): a BlobHeader under 64 KiB, a Blob
// under 32 MiB, and a blob's content under 32 MiB once inflated. Every writer keeps them (osmium writes 8,000
// elements a block, a few MB). A little room is left under 32 MiB for the envelope of an inflated blob.
const (
	maxBlobHeader = 64 << 10
	maxBlob       = 32 << 20
	maxRawBlob    = maxBlob - 4<<10
)

// pbfBlobs passes an OSM PBF stream on to the decoder (paulmach/osm/osmpbf) with every blob already inflated,
// after checking what the file claims. The decoder trusts the size a blob declares and inflates it without
// bound (four blobs of zeros took 13 GB); here a blob may not inflate beyond the size it declares, nor declare
// more than the format allows. Blobs are inflated on procs goroutines, in order: the decoder then only parses.
// A file that ends early is named with the blob and the offset where it does.
type pbfBlobs struct {
	queue chan chan pbfBlob // the blobs being inflated, in file order
	done  chan struct{}
	wg    sync.WaitGroup
	pool  sync.Pool // *[]byte of served blobs, for the next ones
	cur   *pbfBlob
	err   error
}

// pbfBlob is one blob, framed again for the decoder, or the error that stops the stream there.
type pbfBlob struct {
	frame *[]byte
	rest  []byte // what Read has not served yet
	err   error
}

// rawFrame is one blob as read from the file.
type rawFrame struct {
	index  int   // 1-based, for messages
	offset int64 // where its frame starts
	typ    string
	header []byte // the BlobHeader's indexdata
	blob   []byte
}

func newPBFBlobs(r io.Reader, procs int) *pbfBlobs {
	p := &pbfBlobs{queue: make(chan chan pbfBlob, procs+1), done: make(chan struct{})}
	sem := make(chan struct{}, procs)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.queue)
		var offset int64
		for index := 1; ; index++ {
			fr, n, err := readFrame(r, index, offset)
			offset += n
			res := make(chan pbfBlob, 1)
			select {
			case p.queue <- res:
			case <-p.done:
				return
			}
			if err != nil {
				res <- pbfBlob{err: err}
				return
			}
			select {
			case sem <- struct{}{}:
			case <-p.done:
				res <- pbfBlob{err: io.ErrClosedPipe}
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				res <- p.inflate(fr)
				<-sem
			}()
		}
	}()
	return p
}

// Read serves the framed blobs in file order, then io.EOF or the error met.
func (p *pbfBlobs) Read(b []byte) (int, error) {
	for p.cur == nil || len(p.cur.rest) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.cur != nil && p.cur.frame != nil {
			p.pool.Put(p.cur.frame)
		}
		res, ok := <-p.queue
		if !ok {
			p.err = io.EOF
			continue
		}
		blob := <-res
		p.cur, p.err = &blob, blob.err
	}
	n := copy(b, p.cur.rest)
	p.cur.rest = p.cur.rest[n:]
	return n, nil
}

// Close stops the goroutines; blobs being inflated are dropped.
func (p *pbfBlobs) Close() error {
	close(p.done)
	p.wg.Wait()
	return nil
}

// readFrame reads the next blob: the size of its header (4 bytes), the BlobHeader, the Blob. It returns
// io.EOF at the end of the file, between two blobs, and the bytes it read.
func readFrame(r io.Reader, index int, offset int64) (rawFrame, int64, error) {
	fr := rawFrame{index: index, offset: offset}
	at := func(format string, args ...any) error {
		return fmt.Errorf("blob %d at byte %s: "+format, append([]any{index, limit.Count(offset)}, args...)...)
	}
	var size [4]byte
	n, err := io.ReadFull(r, size[:])
	if err == io.EOF {
		return fr, 0, io.EOF
	}
	read := int64(n)
	truncated := func(what string, got, want int) error {
		return at("the file ends %s into its %s of %s: it is truncated, download it again", limit.Size(int64(got)), what, limit.Size(int64(want)))
	}
	if err != nil {
		return fr, read, truncated("4-byte length", n, 4)
	}
	headerLen := binary.BigEndian.Uint32(size[:])
	if headerLen >= maxBlobHeader {
		return fr, read, at("%w", &limit.Error{What: "a blob header of " + limit.Size(int64(headerLen)), Limit: limit.Size(maxBlobHeader),
			Hint: "the PBF format's limit: the file is damaged or not OSM PBF"})
	}
	header := make([]byte, headerLen)
	n, err = io.ReadFull(r, header)
	read += int64(n)
	if err != nil {
		return fr, read, truncated("header", n, len(header))
	}
	typ, index2, dataSize, err := parseBlobHeader(header)
	if err != nil {
		return fr, read, at("unreadable blob header (%v): the file is damaged or not OSM PBF", err)
	}
	if dataSize < 0 || dataSize >= maxBlob {
		return fr, read, at("%w", &limit.Error{What: "a blob of " + limit.Size(dataSize), Limit: limit.Size(maxBlob),
			Hint: "the PBF format's limit: the file is damaged or not OSM PBF"})
	}
	fr.typ, fr.header = typ, index2
	fr.blob = make([]byte, dataSize)
	n, err = io.ReadFull(r, fr.blob)
	read += int64(n)
	if err != nil {
		return fr, read, truncated("blob", n, len(fr.blob))
	}
	return fr, read, nil
}

func parseBlobHeader(b []byte) (typ string, index []byte, dataSize int64, err error) {
	dataSize = -1
	err = eachField(b, func(num protowire.Number, typ2 protowire.Type, v []byte, x uint64) {
		switch {
		case num == 1 && typ2 == protowire.BytesType:
			typ = string(v)
		case num == 2 && typ2 == protowire.BytesType:
			index = v
		case num == 3 && typ2 == protowire.VarintType:
			dataSize = int64(int32(x))
		}
	})
	if err == nil && dataSize < 0 {
		err = errors.New("no datasize")
	}
	return typ, index, dataSize, err
}

// eachField calls fn with each field of the protobuf message b: its bytes for a length-delimited field, its
// value for a varint.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			fn(num, typ, v, 0)
			n = m
		case protowire.VarintType:
			x, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			fn(num, typ, nil, x)
			n = m
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
		}
		b = b[n:]
	}
	return nil
}

// inflate checks one blob and frames it again for the decoder, with its content inflated: a Blob whose raw
// field holds it.
func (p *pbfBlobs) inflate(fr rawFrame) pbfBlob {
	at := func(err error) pbfBlob {
		return pbfBlob{err: fmt.Errorf("blob %d at byte %s: %w", fr.index, limit.Count(fr.offset), err)}
	}
	var (
		zdata   []byte
		hasZlib bool
		rawSize int64 = -1
	)
	err := eachField(fr.blob, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) {
		switch {
		case num == 2 && typ == protowire.VarintType:
			rawSize = int64(int32(x))
		case num == 3 && typ == protowire.BytesType:
			zdata, hasZlib = v, true
		}
	})
	if err != nil {
		return at(fmt.Errorf("unreadable blob (%v): the file is damaged", err))
	}
	if !hasZlib {
		// Raw blobs are bounded by the blob's own size; other compressions the decoder refuses with its message.
		out := p.frame(fr, len(fr.blob))
		*out.frame = append(*out.frame, fr.blob...)
		out.rest = *out.frame
		return out
	}
	if rawSize < 0 || rawSize > maxRawBlob {
		return at(&limit.Error{What: "a blob that declares " + limit.Size(max(rawSize, 0)) + " once inflated", Limit: limit.Size(maxBlob),
			Hint: "the PBF format's limit: the file is damaged"})
	}
	zr, err := czlib.NewReader(bytes.NewReader(zdata))
	if err != nil {
		return at(err)
	}
	defer zr.Close()
	// The new Blob: raw (field 1) then raw_size (field 2); its content is inflated in place.
	blobLen := 2 + 2*protowire.SizeVarint(uint64(rawSize)) + int(rawSize)
	out := p.frame(fr, blobLen)
	b := protowire.AppendTag(*out.frame, 1, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(rawSize))
	start := len(b)
	b = append(b, make([]byte, rawSize)...)
	n, err := io.ReadFull(zr, b[start:])
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		p.pool.Put(out.frame)
		return at(fmt.Errorf("its zlib data inflates to %s where it declares %s: the file is damaged, download it again", limit.Size(int64(n)), limit.Size(rawSize)))
	case err != nil:
		p.pool.Put(out.frame)
		return at(fmt.Errorf("its zlib data cannot be inflated (%v): the file is damaged, download it again", err))
	}
	if m, _ := io.ReadFull(zr, make([]byte, 1)); m > 0 {
		p.pool.Put(out.frame)
		return at(&limit.Error{What: "a blob that inflates beyond the " + limit.Size(rawSize) + " it declares", Limit: "the declared size",
			Hint: "no PBF writer does that: the file is damaged, or made to exhaust memory"})
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(rawSize))
	*out.frame = b
	out.rest = b
	return out
}

// frame starts the blob's frame in a buffer of the pool: the header's length, the header (type, index data,
// blob size). The blob's blobLen bytes are for the caller to append.
func (p *pbfBlobs) frame(fr rawFrame, blobLen int) pbfBlob {
	var hdr []byte
	hdr = protowire.AppendTag(hdr, 1, protowire.BytesType)
	hdr = protowire.AppendString(hdr, fr.typ)
	if fr.header != nil {
		hdr = protowire.AppendTag(hdr, 2, protowire.BytesType)
		hdr = protowire.AppendBytes(hdr, fr.header)
	}
	hdr = protowire.AppendTag(hdr, 3, protowire.VarintType)
	hdr = protowire.AppendVarint(hdr, uint64(blobLen))
	buf, _ := p.pool.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	b := binary.BigEndian.AppendUint32((*buf)[:0], uint32(len(hdr)))
	*buf = append(b, hdr...)
	return pbfBlob{frame: buf, rest: *buf}
}
