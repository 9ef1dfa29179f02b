-- Prints one line the bench reads back: counts and latency percentiles in microseconds.
-- Requests wait BENCH_DELAY_MS before each send when it is set: that is how a run
-- holds a steady rate (connections / delay), since wrk itself has no rate option.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")

if pause then
  function delay()
    return pause
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "socket_errors": %d, ' ..
    '"non_2xx": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
