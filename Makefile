# patrimap: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO_VERSION   ?= 1.26.8
GOBIN_LOCAL  := $(HOME)/.local/go-toolchain/bin
export PATH  := $(PATH):$(GOBIN_LOCAL):$(HOME)/go/bin
GO           ?= go
BIN          := bin/patrimap
DEMO_DB      ?= demo.db
ADDR         ?= :8080
STATICCHECK_VERSION ?= v0.8.2

# Debian packages: what running patrimap needs, and what its tests check it with.
RUN_DEBS  := libsqlite3-mod-spatialite libproj-dev libgeos-dev gcc libc6-dev zlib1g-dev
# postgresql-15-postgis-3: the PostGIS store's tests run on a throw-away PostgreSQL 15 + PostGIS 3 (test/pg.sh).
TEST_DEBS := $(RUN_DEBS) gdal-bin python3-gdal spatialite-bin time chromium poppler-utils qgis python3-qgis postgresql-15-postgis-3

# Every parser's fuzz target, as package:Target. `make test` runs each for FUZZTIME_TEST (3 s) after the unit tests
# (about two minutes in all on two cores), `make fuzz` for FUZZTIME. A target missing from this list fails both.
FUZZ_TARGETS := \
  ./geo:FuzzQuickValidity \
  ./importers/shapefile:FuzzSHP ./importers/shapefile:FuzzDBF ./importers/shapefile:FuzzPRJ ./importers/shapefile:FuzzZip \
  ./importers/geojson:FuzzParseGeometry ./importers/geojson:FuzzProperties ./importers/geojson:FuzzRecords \
  ./importers/culture:FuzzTable ./importers/culture:FuzzParsePosition ./importers/culture:FuzzParseProtection \
  ./importers/osm:FuzzOSMXML ./importers/osm:FuzzOverpassJSON ./importers/osm:FuzzOverpassXML ./importers/osm:FuzzPBF \
  ./importers/osm:FuzzCSVExport ./importers/osm:FuzzParseFilter \
  ./importers/limit:FuzzJSON ./importers/charset:FuzzJSON \
  ./server/cql2:FuzzParse ./server/cql2:FuzzParseLimits \
  ./encode/sqlitefile:FuzzGPBEnvelope ./store/spatialite:FuzzDecodeBlob ./store:FuzzParseTextQuery ./store:FuzzDecodePyramid ./importers/culture/hours:FuzzParse ./importers/territory:FuzzParseContours \
  ./tiles:FuzzClipPolygon ./tiles:FuzzSquareCell \
  ./rdf:FuzzWriters ./sheet:FuzzParse ./tableschema:FuzzCheck ./tableschema:FuzzParse ./umap:FuzzParseMap ./umap:FuzzValidate
FUZZTIME      ?= 60s
FUZZTIME_TEST ?= 3s

.PHONY: help demo build test lint bench fuzz fuzz-targets deps test-deps node-deps go-toolchain clean

help:
	@echo "make demo   build, import the bundled samples (testdata/) and serve the map on http://localhost:8080"
	@echo "make test   lint and run every test"
	@echo "make bench  run the benchmarks (import and GeoJSON streaming, side by side with ogr2ogr)"
	@echo "make fuzz   run every parser's fuzz target for FUZZTIME (default $(FUZZTIME)) each"

## deps: install the Debian packages patrimap needs (as root), or say the exact line to run.
deps: go-toolchain
	@$(call install_debs,$(RUN_DEBS))

test-deps: go-toolchain
	@$(call install_debs,$(TEST_DEBS))
	@$(MAKE) --no-print-directory node-deps

## node-deps: Node.js (Debian's, when the machine has none) and the npm packages the browser tests use.
node-deps:
	@if ! command -v npm >/dev/null 2>&1; then $(call install_debs,nodejs npm); fi
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci --no-audit --no-fund; touch node_modules; fi

define install_debs
missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ]; then \
    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
  else \
    echo "patrimap needs these Debian packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
  fi; \
fi
endef

## go-toolchain: a Go new enough for go.mod. An older Go (>= 1.21) fetches the right one by itself
## (GOTOOLCHAIN=auto); with no Go at all, the toolchain is taken from the Go module proxy.
go-toolchain:
	@if ! command -v $(GO) >/dev/null 2>&1; then \
	  echo "no Go found: fetching go$(GO_VERSION) from the Go module proxy into $(HOME)/.local/go-toolchain"; \
	  command -v curl >/dev/null && command -v unzip >/dev/null || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq curl unzip ca-certificates >/dev/null; \
	    else echo "run: sudo apt-get install -y curl unzip"; exit 1; fi; }; \
	  arch=$$(dpkg --print-architecture); tmp=$$(mktemp -d); \
	  curl -fsSL "$${GOPROXY:-https://proxy.golang.org}/golang.org/toolchain/@v/v0.0.1-go$(GO_VERSION).linux-$$arch.zip" -o $$tmp/go.zip && \
	  unzip -q $$tmp/go.zip -d $$tmp && rm -rf $(HOME)/.local/go-toolchain && mkdir -p $(HOME)/.local && \
	  mv $$tmp/golang.org/toolchain@v0.0.1-go$(GO_VERSION).linux-$$arch $(HOME)/.local/go-toolchain && rm -rf $$tmp; \
	fi

build: deps
	$(GO) build -trimpath -o $(BIN) ./cmd/patrimap

## demo: import the bundled real samples into $(DEMO_DB) and serve them.
demo: build
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@# Real INPN shapefiles cut around Isère, through the INPN importer (layer recognised from each file).
	for f in rnn/subset_isere_38/N_ENP_RNN_S_000.shp rnr/subset_isere_38/N_ENP_RNR_S_000.shp apb/subset_isere_38/apb.shp \
	  pn/subset_isere_38/N_ENP_PN_S_000.shp rb/subset_isere_38/N_ENP_RB_S_000.shp cen/subset_isere_38/cen2013_09.shp; do \
	  layer=$$(echo $$f | cut -d/ -f1); \
	  $(BIN) import inpn --file testdata/inpn/$$f --db $(DEMO_DB) --dataset $$layer-isere 2>&1 | grep -v '^GEOS warning' || exit 1; \
	done
	@# The Ministère de la Culture's monuments historiques and musées de France of Isère.
	$(BIN) import culture --list merimee --file testdata/culture/merimee-isere-camlebrun.csv --db $(DEMO_DB) --territory dep:38
	$(BIN) import culture --list musees --file testdata/culture/musees-victorianed-extract.csv --db $(DEMO_DB) --territory dep:38
	@# The former list of museums, for their opening hours, and the contours of Isère's communes, for the dossiers' areas and maps.
	$(BIN) import culture --list musees --file testdata/culture/musees-horaires-isere-puy-de-dome.json --db $(DEMO_DB) --territory dep:38 --dataset musees-horaires-isere
	$(BIN) dossier --contours testdata/territory/contours/communes-38-isere.geojson.gz --db $(DEMO_DB)
	$(BIN) datasets --db $(DEMO_DB)
	@echo "territory dossiers: http://localhost$(ADDR)/territories (e.g. /territories/epci:200040715)"
	@echo "serving on http://localhost$(ADDR) (Ctrl-C to stop)"
	$(BIN) serve --db $(DEMO_DB) --addr $(ADDR) --base-url http://localhost$(ADDR)

## test: lint, then every test (the GDAL cross-checks need gdal-bin: test-deps installs it).
## The browser tests (web map, dossier) take minutes on a busy machine: more than go test's 10 minutes per package.
## test/pg.sh starts a throw-away PostgreSQL with PostGIS for the tests of the PostGIS store (on a Unix socket in
## a temporary folder, removed at the end), unless $PATRIMAP_TEST_POSTGRES already names a database.
test: test-deps lint fuzz-targets
	test/pg.sh run -- $(GO) test -count=1 -timeout 30m ./...
	@$(call run_fuzz,$(FUZZTIME_TEST))

## fuzz: each fuzz target for FUZZTIME; what it finds is written to the package's testdata/fuzz/ (commit it with a test).
fuzz: go-toolchain fuzz-targets
	@$(call run_fuzz,$(FUZZTIME))

## fuzz-targets: every `func FuzzXxx` of the tree is in FUZZ_TARGETS.
fuzz-targets:
	@found=$$(grep -rHo --include='*_test.go' --exclude-dir=node_modules '^func Fuzz[A-Za-z0-9_]*' . | \
	  sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz.*)$$|\1:\2|' | sort); \
	missing=$$(comm -23 <(echo "$$found") <(printf '%s\n' $(FUZZ_TARGETS) | sort)); \
	if [ -n "$$missing" ]; then echo "fuzz targets missing from FUZZ_TARGETS in the Makefile:"; echo "$$missing"; exit 1; fi

# A target that fails without writing an input to testdata/fuzz/ is run once more before the failure counts:
# Go 1.26's fuzzing coordinator can report "context deadline exceeded" when -fuzztime ends on a loaded machine
# (golang/go#75804, fixed in Go 1.27), which is no input of ours. An input found fails at once.
define run_fuzz
set -e; for t in $(FUZZ_TARGETS); do \
  pkg=$${t%%:*}; name=$${t##*:}; dir=$$pkg/testdata/fuzz/$$name; \
  echo "fuzz $$pkg $$name for $(1)"; \
  before=$$(ls "$$dir" 2>/dev/null | wc -l); \
  if ! $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(1) $$pkg; then \
    if [ "$$(ls "$$dir" 2>/dev/null | wc -l)" != "$$before" ]; then echo "fuzz $$name found an input: $$dir"; exit 1; fi; \
    echo "fuzz $$name failed without an input (golang/go#75804): once more"; \
    $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(1) $$pkg; \
  fi; \
done
endef

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed on: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	@command -v staticcheck >/dev/null || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	staticcheck ./...

bench: test-deps
	@$(call install_debs,wrk)
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 5 ./bench/
	bench/inpn.sh
	bench/ogcapi.sh

clean:
	rm -rf bin $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
