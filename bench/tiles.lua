-- wrk script for bench/tiles.sh: rotates through a list of tile paths (one per line), with
-- Accept-Encoding: gzip, and prints one machine-readable RESULT line when done.
--
--   wrk -t2 -c16 -d20s -s bench/tiles.lua http://127.0.0.1:PORT -- LIST_FILE THREADS [identity]
--
-- With "identity" it sends no Accept-Encoding, so servers answer uncompressed.
--
-- Each wrk thread walks the whole list in order, starting at its own offset, so the
-- threads do not ask for the same tile at the same moment.

local paths = {}
local i = 0
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  local file = args[1] or error("usage: -- LIST_FILE [THREADS]")
  local threads = tonumber(args[2] or "1")
  for line in io.lines(file) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no tile paths in " .. file) end
  i = math.floor((id or 0) * #paths / threads)
  if args[3] ~= "identity" then wrk.headers["Accept-Encoding"] = "gzip" end
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f MiB=%.1f "
      .. "connect=%d read=%d write=%d timeout=%d non2xx=%d\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.bytes / 1048576,
    e.connect, e.read, e.write, e.timeout, e.status))
end
