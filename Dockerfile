# patrimap: build with Go on Debian bookworm, run on bookworm-slim with SpatiaLite, PROJ and GEOS.
#   docker build -t patrimap .
#   docker run -p 8080:8080 -v patrimap-data:/data patrimap
#   docker run -v patrimap-data:/data -v "$PWD/testdata:/in:ro" patrimap import geojson /in/rnn-isere.geojson \
#     --dataset rnn-isere --producer "INPN – MNHN/PatriNat" --theme natural
FROM golang:1.26-bookworm AS build
# zlib's headers: the OSM PBF reader inflates blocks with cgo zlib; PROJ's and GEOS's: package geo reprojects
# and repairs geometries through them.
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g-dev libproj-dev libgeos-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/patrimap ./cmd/patrimap

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite libproj25 libgeos-c1v5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin patrimap \
 && mkdir -p /data && chown patrimap /data
COPY --from=build /out/patrimap /usr/local/bin/patrimap
USER patrimap
WORKDIR /data
VOLUME /data
ENV PATRIMAP_DB=/data/patrimap.db
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/patrimap"]
CMD ["serve", "--addr", ":8080"]
