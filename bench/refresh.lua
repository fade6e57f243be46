-- wrk: each thread (one connection) rotates its own refresh token back to back.
-- Arguments: a file of refresh tokens, one a line; thread i takes line i.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("line", threads)
end

function init(args)
  local n = 0
  for value in io.lines(args[1]) do
    n = n + 1
    if n == line then token = value end
  end
end

function request()
  local body = '{"refresh_token":"' .. token .. '"}'
  return wrk.format("POST", "/auth/refresh", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 200 then
    token = string.match(body, '"refresh_token":%s*"([^"]+)"')
  end
end
