-- wrk script for the realistic mix: requests walk a pre-drawn list of paths (bench/mix.py draws
-- them from a Zipf distribution over the archive) and count the page cache's hits and misses.
hits, misses, other = 0, 0, 0
local paths = {}
local position = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  math.randomseed(os.time() + #threads + math.floor(os.clock() * 1000000))
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  local state = headers["X-Page-Cache"]
  if state == "hit" then
    hits = hits + 1
  elseif state == "miss" then
    misses = misses + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local h, m, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    m = m + thread:get("misses")
    o = o + thread:get("other")
  end
  io.write(string.format("MIX hits=%d misses=%d other=%d\n", h, m, o))
end
