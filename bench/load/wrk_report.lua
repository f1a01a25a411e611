-- wrk reporter: one JSON line with requests/s, latency percentiles (ms) and error counts.
-- `report` is also used by mixed.lua, which adds its own fields (a JSON fragment) through `extra`.
report = function(summary, latency, extra)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, ' ..
    '"max_ms": %.1f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "non_2xx_3xx": %d%s}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status, extra or ""))
end

done = function(summary, latency, requests)
  report(summary, latency)
end
