-- wrk script: GET /api/v1/leads/ID for ids read from the file named by the
-- first script argument (one id per line), in a random order.
local ids = {}
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  math.randomseed(os.time() + (tid or 0))
end
request = function()
  return wrk.format("GET", "/api/v1/leads/" .. ids[math.random(#ids)])
end
