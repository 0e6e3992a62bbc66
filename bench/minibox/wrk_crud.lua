-- wrk script for minibox CRUD throughput (issue 3, item 9):
--   taskset -c 0 env BOX_DB_PORT=$PGPORT BOX_WEB_PORT=0 BOX_WEB_THREAD=4 BOX_DB_POOL_MAXIMUM_POOL_SIZE=8 build/minibox/minibox
--   taskset -c 1 wrk -t2 -c16 -d15s -s bench/minibox/wrk_crud.lua http://127.0.0.1:$PORT
-- With several connections per wrk thread, a GET/PUT/DELETE can overtake its POST (non-2xx).
-- One CRUD cycle per 4 requests: POST, GET, PUT, DELETE of a Patient (ids per thread).
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  step = 0
  n = 0
end
local body = '{"resourceType":"Patient","name":[{"family":"Bench","given":["W"]}],"gender":"female","birthDate":"1980-01-01"}'
function request()
  local id = "w" .. tid .. "-" .. n
  local r
  if step == 0 then
    r = wrk.format("POST", "/fhir/Patient", {["Content-Type"]="application/fhir+json"},
      '{"resourceType":"Patient","id":"' .. id .. '","active":true}')
  elseif step == 1 then
    r = wrk.format("GET", "/fhir/Patient/" .. id)
  elseif step == 2 then
    r = wrk.format("PUT", "/fhir/Patient/" .. id, {["Content-Type"]="application/fhir+json"},
      '{"resourceType":"Patient","id":"' .. id .. '","active":false,"name":[{"family":"Bench"}]}')
  else
    r = wrk.format("DELETE", "/fhir/Patient/" .. id)
  end
  step = step + 1
  if step == 4 then step = 0; n = n + 1 end
  return r
end
ok = 0
bad = 0
function response(status, headers, body)
  if status < 300 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local tok, tbad = 0, 0
  for _, t in ipairs(threads) do tok = tok + t:get("ok"); tbad = tbad + t:get("bad") end
  io.write(string.format("2xx=%d non2xx=%d\n", tok, tbad))
  io.write(string.format("p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms\n",
    latency:percentile(50)/1000, latency:percentile(90)/1000, latency:percentile(99)/1000, latency.max/1000))
end
