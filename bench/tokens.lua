-- wrk: GET /dashboard, each request with the next of a file of distinct tokens.
-- Arguments: the file (one token a line) and how many connections (threads) run;
-- thread i takes lines i, i + threads, ... in turn (from the first again after
-- its last). At the end it prints "covered: N", the distinct tokens sent.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens, n = {}, 0
  local count = tonumber(args[2])
  for value in io.lines(args[1]) do
    if n % count == id then tokens[#tokens + 1] = value end
    n = n + 1
  end
  sent, total = 0, #tokens
end

function request()
  local token = tokens[(sent % total) + 1]
  sent = sent + 1
  return wrk.format("GET", "/dashboard", { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  local covered = 0
  for _, thread in ipairs(threads) do
    covered = covered + math.min(thread:get("sent"), thread:get("total"))
  end
  io.write(string.format("covered: %d\n", covered))
end
