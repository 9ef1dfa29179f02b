-- GET the URL, with the API token in BENCH_TOKEN when one is given, and the cookies
-- in BENCH_COOKIE (a signed-in browser's) when they are.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
