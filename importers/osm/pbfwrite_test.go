package osm

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/osm"
	"google.golang.org/protobuf/encoding/protowire"
)

// pbfWriter writes an OSM PBF file (the format osmium and Geofabrik use): no library here writes one, and the
// shared folder has no PBF, so the tests and the benchmark make their own from the real XML files. It writes
// dense nodes, ways and relations in blocks of 8000, zlib-compressed, with version and timestamp.
type pbfWriter struct {
	w     io.Writer
	kind  osm.Type
	block []osm.Object
}

const pbfBlockSize = 8000

func newPBFWriter(w io.Writer) (*pbfWriter, error) {
	var hb []byte
	hb = protowire.AppendTag(hb, 4, protowire.BytesType)
	hb = protowire.AppendString(hb, "OsmSchema-V0.6")
	hb = protowire.AppendTag(hb, 4, protowire.BytesType)
	hb = protowire.AppendString(hb, "DenseNodes")
	hb = protowire.AppendTag(hb, 16, protowire.BytesType)
	hb = protowire.AppendString(hb, "patrimap tests")
	pw := &pbfWriter{w: w}
	return pw, pw.writeBlob("OSMHeader", hb)
}

func (pw *pbfWriter) writeBlob(typ string, raw []byte) error {
	return pw.writeBlobDeclaring(typ, raw, len(raw))
}

// writeBlobDeclaring writes a blob whose raw_size says declared, whatever raw holds: a hostile or broken file.
func (pw *pbfWriter) writeBlobDeclaring(typ string, raw []byte, declared int) error {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return err
	}
	var blob []byte
	blob = protowire.AppendTag(blob, 2, protowire.VarintType)
	blob = protowire.AppendVarint(blob, uint64(declared))
	blob = protowire.AppendTag(blob, 3, protowire.BytesType)
	blob = protowire.AppendBytes(blob, z.Bytes())
	var hdr []byte
	hdr = protowire.AppendTag(hdr, 1, protowire.BytesType)
	hdr = protowire.AppendString(hdr, typ)
	hdr = protowire.AppendTag(hdr, 3, protowire.VarintType)
	hdr = protowire.AppendVarint(hdr, uint64(len(blob)))
	var size [4]byte
	binary.BigEndian.PutUint32(size[:], uint32(len(hdr)))
	for _, b := range [][]byte{size[:], hdr, blob} {
		if _, err := pw.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Write adds an element; elements must come sorted: nodes, ways, relations.
func (pw *pbfWriter) Write(o osm.Object) error {
	k := o.ObjectID().Type()
	if k != pw.kind || len(pw.block) == pbfBlockSize {
		if err := pw.Flush(); err != nil {
			return err
		}
		pw.kind = k
	}
	pw.block = append(pw.block, o)
	return nil
}

type stringTable struct {
	index map[string]uint64
	list  []string
}

func (st *stringTable) id(s string) uint64 {
	if i, ok := st.index[s]; ok {
		return i
	}
	i := uint64(len(st.list))
	st.index[s] = i
	st.list = append(st.list, s)
	return i
}

func packed(tag protowire.Number, vals []uint64) []byte {
	var inner []byte
	for _, v := range vals {
		inner = protowire.AppendVarint(inner, v)
	}
	var b []byte
	b = protowire.AppendTag(b, tag, protowire.BytesType)
	return protowire.AppendBytes(b, inner)
}

func zz(v int64) uint64 { return protowire.EncodeZigZag(v) }

// Flush writes the pending block.
func (pw *pbfWriter) Flush() error {
	if len(pw.block) == 0 {
		return nil
	}
	st := &stringTable{index: map[string]uint64{}}
	st.id("")
	var group []byte
	switch pw.kind {
	case osm.TypeNode:
		var ids, lats, lons, kv, vers, tss []uint64
		var pid, plat, plon, pts int64
		for _, o := range pw.block {
			n := o.(*osm.Node)
			lat, lon := int64(math.Round(n.Lat*1e7)), int64(math.Round(n.Lon*1e7))
			ids, lats, lons = append(ids, zz(int64(n.ID)-pid)), append(lats, zz(lat-plat)), append(lons, zz(lon-plon))
			ts := n.Timestamp.Unix()
			vers, tss = append(vers, uint64(n.Version)), append(tss, zz(ts-pts))
			pid, plat, plon, pts = int64(n.ID), lat, lon, ts
			for _, t := range n.Tags {
				kv = append(kv, st.id(t.Key), st.id(t.Value))
			}
			kv = append(kv, 0)
		}
		var info []byte
		info = append(info, packed(1, vers)...)
		info = append(info, packed(2, tss)...)
		var dense []byte
		dense = append(dense, packed(1, ids)...)
		dense = protowire.AppendTag(dense, 5, protowire.BytesType)
		dense = protowire.AppendBytes(dense, info)
		dense = append(dense, packed(8, lats)...)
		dense = append(dense, packed(9, lons)...)
		dense = append(dense, packed(10, kv)...)
		group = protowire.AppendTag(group, 2, protowire.BytesType)
		group = protowire.AppendBytes(group, dense)
	case osm.TypeWay:
		for _, o := range pw.block {
			w := o.(*osm.Way)
			var keys, vals, refs []uint64
			for _, t := range w.Tags {
				keys, vals = append(keys, st.id(t.Key)), append(vals, st.id(t.Value))
			}
			var prev int64
			for _, wn := range w.Nodes {
				refs = append(refs, zz(int64(wn.ID)-prev))
				prev = int64(wn.ID)
			}
			var m []byte
			m = protowire.AppendTag(m, 1, protowire.VarintType)
			m = protowire.AppendVarint(m, uint64(w.ID))
			m = append(m, packed(2, keys)...)
			m = append(m, packed(3, vals)...)
			m = protowire.AppendTag(m, 4, protowire.BytesType)
			m = protowire.AppendBytes(m, infoMessage(w.Version, w.Timestamp.Unix()))
			m = append(m, packed(8, refs)...)
			group = protowire.AppendTag(group, 3, protowire.BytesType)
			group = protowire.AppendBytes(group, m)
		}
	case osm.TypeRelation:
		for _, o := range pw.block {
			r := o.(*osm.Relation)
			var keys, vals, roles, memids, types []uint64
			for _, t := range r.Tags {
				keys, vals = append(keys, st.id(t.Key)), append(vals, st.id(t.Value))
			}
			var prev int64
			for _, mb := range r.Members {
				roles = append(roles, st.id(mb.Role))
				memids = append(memids, zz(mb.Ref-prev))
				prev = mb.Ref
				switch mb.Type {
				case osm.TypeNode:
					types = append(types, 0)
				case osm.TypeWay:
					types = append(types, 1)
				default:
					types = append(types, 2)
				}
			}
			var m []byte
			m = protowire.AppendTag(m, 1, protowire.VarintType)
			m = protowire.AppendVarint(m, uint64(r.ID))
			m = append(m, packed(2, keys)...)
			m = append(m, packed(3, vals)...)
			m = protowire.AppendTag(m, 4, protowire.BytesType)
			m = protowire.AppendBytes(m, infoMessage(r.Version, r.Timestamp.Unix()))
			m = append(m, packed(8, roles)...)
			m = append(m, packed(9, memids)...)
			m = append(m, packed(10, types)...)
			group = protowire.AppendTag(group, 4, protowire.BytesType)
			group = protowire.AppendBytes(group, m)
		}
	}
	var table []byte
	for _, s := range st.list {
		table = protowire.AppendTag(table, 1, protowire.BytesType)
		table = protowire.AppendString(table, s)
	}
	var block []byte
	block = protowire.AppendTag(block, 1, protowire.BytesType)
	block = protowire.AppendBytes(block, table)
	block = protowire.AppendTag(block, 2, protowire.BytesType)
	block = protowire.AppendBytes(block, group)
	// granularity 100 nanodegrees (the default): coordinates are written as 1e-7 degrees.
	pw.block = pw.block[:0]
	return pw.writeBlob("OSMData", block)
}

func infoMessage(version int, ts int64) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(version))
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(ts))
	return b
}

// andorraPBF writes the Andorra extract copies times as a PBF in dir (copy k has its ids shifted by k×10¹⁰ and
// its longitudes by k×0.5°, so that copies neither collide nor overlap) and returns its path. Files are reused.
func andorraPBF(tb testing.TB, dir string, copies int) string {
	tb.Helper()
	out := filepath.Join(dir, fmt.Sprintf("andorra-x%d.osm.pbf", copies))
	if st, err := os.Stat(out); err == nil && st.Size() > 0 {
		return out
	}
	var objs []osm.Object
	err := (&fileSource{f: &File{Path: testdata + "andorra-latest.osm.bz2", Format: FormatOSMXML}}).scanAll(context.Background(), func(o osm.Object) error {
		objs = append(objs, o)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		tb.Fatal(err)
	}
	defer os.Remove(tmp)
	bw := newBufferedFile(f)
	pw, err := newPBFWriter(bw)
	if err != nil {
		tb.Fatal(err)
	}
	const idShift = 10_000_000_000
	for _, kind := range []osm.Type{osm.TypeNode, osm.TypeWay, osm.TypeRelation} {
		for k := 0; k < copies; k++ {
			shift := int64(k) * idShift
			for _, o := range objs {
				if o.ObjectID().Type() != kind {
					continue
				}
				switch e := o.(type) {
				case *osm.Node:
					c := *e
					c.ID += osm.NodeID(shift)
					c.Lon += float64(k) * 0.5
					err = pw.Write(&c)
				case *osm.Way:
					c := *e
					c.ID += osm.WayID(shift)
					c.Nodes = make(osm.WayNodes, len(e.Nodes))
					for i, wn := range e.Nodes {
						c.Nodes[i] = osm.WayNode{ID: wn.ID + osm.NodeID(shift)}
					}
					err = pw.Write(&c)
				case *osm.Relation:
					c := *e
					c.ID += osm.RelationID(shift)
					c.Members = make(osm.Members, len(e.Members))
					for i, m := range e.Members {
						c.Members[i] = osm.Member{Type: m.Type, Ref: m.Ref + shift, Role: m.Role}
					}
					err = pw.Write(&c)
				}
				if err != nil {
					tb.Fatal(err)
				}
			}
		}
		if err := pw.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	if err := bw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, out); err != nil {
		tb.Fatal(err)
	}
	return out
}

type bufferedFile struct {
	f   *os.File
	buf bytes.Buffer
}

func newBufferedFile(f *os.File) *bufferedFile { return &bufferedFile{f: f} }

func (b *bufferedFile) Write(p []byte) (int, error) {
	b.buf.Write(p)
	if b.buf.Len() > 1<<20 {
		if _, err := b.f.Write(b.buf.Bytes()); err != nil {
			return 0, err
		}
		b.buf.Reset()
	}
	return len(p), nil
}

func (b *bufferedFile) Close() error {
	if _, err := b.f.Write(b.buf.Bytes()); err != nil {
		b.f.Close()
		return err
	}
	return b.f.Close()
}
