package shapefile

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// The helpers below write small shapefiles byte by byte, following the specification, so that each test
// states exactly what the file holds.

type part [][2]float64

// polygonContent is a shape record's content for shape type t (5, 15, 25 or 3...) with the given parts; for
// Z types it appends the Z and M arrays that real PolygonZ files carry (noData "no data").
func polygonContent(t int, parts ...part) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	binary.Write(&b, le, int32(t))
	binary.Write(&b, le, [4]float64{}) // bbox: not read
	binary.Write(&b, le, int32(len(parts)))
	binary.Write(&b, le, int32(n))
	start := 0
	for _, p := range parts {
		binary.Write(&b, le, int32(start))
		start += len(p)
	}
	for _, p := range parts {
		for _, pt := range p {
			binary.Write(&b, le, pt)
		}
	}
	if t == shapePolygonZ || t == shapePolyLineZ {
		binary.Write(&b, le, [2]float64{noData, noData})
		for i := 0; i < n; i++ {
			binary.Write(&b, le, noData)
		}
	}
	if t == shapePolygonZ || t == shapePolyLineZ || t == shapePolygonM {
		binary.Write(&b, le, [2]float64{noData, noData})
		for i := 0; i < n; i++ {
			binary.Write(&b, le, noData)
		}
	}
	return b.Bytes()
}

func pointContent(t int, x, y float64) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, int32(t))
	binary.Write(&b, binary.LittleEndian, [2]float64{x, y})
	if t == shapePointZ {
		binary.Write(&b, binary.LittleEndian, [2]float64{12, noData})
	}
	return b.Bytes()
}

// shpFile wraps record contents into a .shp file.
func shpFile(shapeType int, contents ...[]byte) []byte {
	var body bytes.Buffer
	for i, c := range contents {
		binary.Write(&body, binary.BigEndian, int32(i+1))
		binary.Write(&body, binary.BigEndian, int32(len(c)/2))
		body.Write(c)
	}
	head := make([]byte, 100)
	binary.BigEndian.PutUint32(head[0:], 9994)
	binary.BigEndian.PutUint32(head[24:], uint32((100+body.Len())/2))
	binary.LittleEndian.PutUint32(head[28:], 1000)
	binary.LittleEndian.PutUint32(head[32:], uint32(shapeType))
	return append(head, body.Bytes()...)
}

// dbfFile writes a dBASE III table; rows hold the raw field bytes (padded here), a leading '*' row marker
// is written when the row's first element is "*".
func dbfFile(ldid byte, fields []Field, rows ...[]string) []byte {
	recLen := 1
	for _, f := range fields {
		recLen += f.Length
	}
	var b bytes.Buffer
	head := make([]byte, 32)
	head[0] = 3
	binary.LittleEndian.PutUint32(head[4:], uint32(len(rows)))
	binary.LittleEndian.PutUint16(head[8:], uint16(32+32*len(fields)+1))
	binary.LittleEndian.PutUint16(head[10:], uint16(recLen))
	head[29] = ldid
	b.Write(head)
	for _, f := range fields {
		d := make([]byte, 32)
		copy(d, f.Name)
		d[11] = f.Type
		d[16] = byte(f.Length)
		d[17] = byte(f.Decimals)
		b.Write(d)
	}
	b.WriteByte(0x0D)
	for _, row := range rows {
		flag := byte(' ')
		if len(row) > len(fields) && row[0] == "*" {
			flag, row = '*', row[1:]
		}
		b.WriteByte(flag)
		for i, f := range fields {
			v := []byte(row[i])
			cell := bytes.Repeat([]byte{' '}, f.Length)
			if f.Type == 'N' || f.Type == 'F' {
				copy(cell[max(0, f.Length-len(v)):], v) // numbers are right-aligned
			} else {
				copy(cell, v)
			}
			b.Write(cell)
		}
	}
	b.WriteByte(0x1A)
	return b.Bytes()
}

// writeShapefile writes stem.shp/.dbf (and .prj/.cpg when given) into dir and returns the .shp's path.
func writeShapefile(t *testing.T, dir, stem string, shp, dbf []byte, prj, cpg string) string {
	t.Helper()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if shp != nil {
		write(stem+".shp", shp)
	}
	write(stem+".dbf", dbf)
	if prj != "" {
		write(stem+".prj", []byte(prj))
	}
	if cpg != "" {
		write(stem+".cpg", []byte(cpg))
	}
	return filepath.Join(dir, stem+".shp")
}

// square is a closed ring; clockwise when cw (an outer ring in a shapefile), counter-clockwise otherwise.
func square(x, y, size float64, cw bool) part {
	p := part{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}
	if cw {
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	return p
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// noData is what real PolygonZ files write for their Z and M values (the specification's "no data" is any
// value below -1e38).
const noData = -math.MaxFloat64

func validUTF8(s string) bool { return utf8.ValidString(s) }
