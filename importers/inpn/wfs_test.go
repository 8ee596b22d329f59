package inpn

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/patrimap/patrimap/importers"
)

// recordedWFS serves a real WFS answer (25 ZNIEFF 1 of the Oise, testdata/inpn) page by page, as GeoServer does.
func recordedWFS(t *testing.T, requests *[]string) *httptest.Server {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/inpn/wfs-znieff1-oise-25.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*requests = append(*requests, r.URL.RawQuery)
		q := r.URL.Query()
		if q.Get("TYPENAMES") != "patrinat_znieff1:znieff1" || q.Get("OUTPUTFORMAT") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "patrimap") {
			w.WriteHeader(400)
			w.Write([]byte(`<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="InvalidParameterValue"><ows:ExceptionText>Unknown type</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`))
			return
		}
		start, _ := strconv.Atoi(q.Get("STARTINDEX"))
		count, _ := strconv.Atoi(q.Get("COUNT"))
		end := min(start+count, len(fc.Features))
		page := fc.Features[min(start, end):end]
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"type": "FeatureCollection", "features": page,
			"totalFeatures": len(fc.Features), "numberMatched": len(fc.Features), "numberReturned": len(page)})
	}))
}

func TestWFSPaging(t *testing.T) {
	var reqs []string
	srv := recordedWFS(t, &reqs)
	defer srv.Close()
	w := &WFS{BaseURL: srv.URL, TypeName: "patrinat_znieff1:znieff1", PageSize: 10}
	var ids []string
	rep := &importers.Report{}
	err := w.Records(context.Background(), rep, func(r importers.Record) error {
		for _, p := range r.Properties {
			if p.Key == "id_mnhn" {
				ids = append(ids, p.Value.(string))
			}
		}
		if r.Geometry == nil {
			t.Errorf("%s has no geometry", r.Ref)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 25 features in pages of 10: 3 requests, every feature once.
	if len(ids) != 25 || len(reqs) != 3 || ids[0] != "110001169" {
		t.Errorf("%d features in %d requests (first %v)", len(ids), len(reqs), ids[:1])
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("id %s twice", id)
		}
		seen[id] = true
	}
	if !strings.Contains(reqs[2], "STARTINDEX=20") {
		t.Errorf("third request: %s", reqs[2])
	}
}

func TestWFSErrors(t *testing.T) {
	var reqs []string
	srv := recordedWFS(t, &reqs)
	defer srv.Close()
	w := &WFS{BaseURL: srv.URL, TypeName: "patrinat_nope:nope"}
	err := w.Records(context.Background(), &importers.Report{}, func(importers.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "InvalidParameterValue: Unknown type") {
		t.Errorf("exception report: %v", err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer down.Close()
	w = &WFS{BaseURL: down.URL, TypeName: "patrinat_apb:apb"}
	err = w.Records(context.Background(), &importers.Report{}, func(importers.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("503: %v", err)
	}
	w = &WFS{BaseURL: "http://127.0.0.1:1", TypeName: "patrinat_apb:apb"}
	err = w.Records(context.Background(), &importers.Report{}, func(importers.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "offline") || !strings.Contains(err.Error(), "--file") {
		t.Errorf("unreachable: %v", err)
	}
}
