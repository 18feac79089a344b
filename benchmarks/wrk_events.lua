-- wrk script for benchmarks/load_api.sh: GET /api/events with a rotating set of filters.
local paths = {
  "/api/events?country=Ukraine&limit=50",
  "/api/events?type=Explosions/Remote%20violence&since=2024-01-01&limit=100",
  "/api/events?near=48.45,35.05&km=200&sort=fatalities_desc&limit=50",
  "/api/events?text=drone&limit=25",
  "/api/events?min_fatalities=3&sort=date_asc&limit=100",
  "/api/events?bbox=30,29,50,40&limit=50",
  "/api/events?country=Iraq&sub_type=Air/drone%20strike&limit=20",
  "/api/events?since=2024-03-01&until=2024-06-30&limit=200",
}
local i = 0

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "requests %d in %.1f s: %.0f req/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
  io.write(string.format("errors: connect %d, read %d, write %d, timeout %d, non-2xx/3xx %d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
