-- Prints one line the bench reads back: counts and latency percentiles in microseconds.
-- BENCH_RATE (requests a second, for the thread) holds a steady rate: wrk has no rate
-- option, but it asks delay() how long to wait before each request, so every request
-- takes the next slot of a schedule kept against the monotonic clock (LuaJIT's ffi,
-- since Lua's own os.clock is CPU time and os.time whole seconds). A request whose slot
-- has passed goes at once; one more than a second behind starts the schedule again.
local rate = tonumber(os.getenv("BENCH_RATE") or "")

if rate then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]]
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 / rate
  local slot = nil

  function delay()
    local now = now_ms()
    if slot == nil or slot < now - 1000 then
      slot = now
    end
    slot = slot + interval
    local wait = slot - now
    if wait <= 0 then
      return 0
    end
    return math.floor(wait + 0.5)
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
