-- POST a tweet with a text of its own each time (X refuses duplicates); the API tokens
-- in BENCH_TOKENS (comma-separated) take turns, so no one person fills their pending limit.
-- BENCH_SEND_AT schedules every tweet for that time instead of now.
local tokens = {}
for t in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = t
end
local run = os.getenv("BENCH_RUN") or "run"
local send_at = os.getenv("BENCH_SEND_AT")
local next_id = 0
local count = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function request()
  count = count + 1
  local body = '{"text": "bench ' .. run .. ' ' .. thread_id .. '.' .. count .. '"'
  if send_at and send_at ~= "" then
    body = body .. ', "send_at": "' .. send_at .. '"'
  end
  body = body .. '}'
  local headers = {["Content-Type"] = "application/json"}
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[(count % #tokens) + 1]
  end
  return wrk.format("POST", nil, headers, body)
end
