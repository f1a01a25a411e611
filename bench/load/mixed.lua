-- wrk script for the "mixed" load: every request asks for the next path of a list of many public
-- pages (one path a line, in the file given after `--`), so that most requests miss the page cache.
-- Usage: wrk -t2 -c50 -d10s -s bench/load/mixed.lua http://127.0.0.1:PORT -- /tmp/paths.txt 2
-- (the last argument repeats the number of threads).
-- Thread n of N starts n/N of the way down the list, so the threads do not ask for the same pages
-- in step. Counts the X-Page-Cache answers (hit / miss / absent) and prints them with the figures
-- of wrk_report.lua.
dofile(debug.getinfo(1, "S").source:match("^@(.*)mixed%.lua$") .. "wrk_report.lua")

local threads = {}

setup = function(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

init = function(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  assert(#paths > 0, "no paths in " .. args[1])
  path_count = #paths
  position = math.floor(number * #paths / math.max(tonumber(args[2] or 1), 1))
  hits, misses, uncached = 0, 0, 0
end

request = function()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

response = function(status, headers, body)
  local answer = headers["X-Page-Cache"] or headers["x-page-cache"]
  if answer == "hit" then
    hits = hits + 1
  elseif answer == "miss" then
    misses = misses + 1
  else
    uncached = uncached + 1
  end
end

done = function(summary, latency, requests)
  local hit, miss, none = 0, 0, 0
  for _, thread in ipairs(threads) do
    hit = hit + thread:get("hits")
    miss = miss + thread:get("misses")
    none = none + thread:get("uncached")
  end
  report(summary, latency, string.format(', "paths": %d, "cache_hits": %d, "cache_misses": %d, "not_cached": %d',
    #threads > 0 and threads[1]:get("path_count") or 0, hit, miss, none))
end
