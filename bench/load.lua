-- wrk script for bench/load.sh: each request is one of the reads a map and a client make while imports run:
-- vector tiles of the APB layer (z5 to z12 around five French places), pages and bbox queries of its items,
-- one feature, its catalogue entry and its TileJSON. wrk counts as errors the answers that are not 2xx or 3xx.
-- The same script drives the reference (bench/fixedbytes), which answers every path with the same bytes.

local places = { { 2.5, 46.5 }, { 5.9, 45.1 }, { 6.5, 44.3 }, { -1.5, 47.5 }, { 3.0, 43.5 } }

local function tile(z, lon, lat)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return string.format("/tiles/apb/%d/%d/%d.mvt", z, x, y)
end

local paths = {}
for z = 5, 12 do
  for _, p in ipairs(places) do
    table.insert(paths, tile(z, p[1], p[2]))
  end
end
for offset = 0, 750, 50 do
  table.insert(paths, "/collections/apb/items?f=json&limit=50&offset=" .. offset)
end
for _, p in ipairs(places) do
  table.insert(paths, string.format("/collections/apb/items?f=json&limit=100&bbox=%.2f,%.2f,%.2f,%.2f",
    p[1] - 0.5, p[2] - 0.5, p[1] + 0.5, p[2] + 0.5))
end
for fid = 1, 792, 97 do
  table.insert(paths, "/collections/apb/items/" .. fid .. "?f=json")
end
table.insert(paths, "/datasets/apb.json")
table.insert(paths, "/tiles/apb.json")

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + (id or 0))
  wrk.headers["Accept-Encoding"] = "gzip"
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  local rps = summary.requests / (summary.duration / 1e6)
  io.write(string.format("WRK requests=%d rps=%.0f status_errors=%d socket_errors=%d p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.1f bytes_per_answer=%d\n",
    summary.requests, rps, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    math.floor(summary.bytes / math.max(summary.requests, 1))))
end
