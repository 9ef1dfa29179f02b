-- GET the URL, with the API token in BENCH_TOKEN when one is given.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
