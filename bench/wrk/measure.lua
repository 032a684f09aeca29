-- wrk script for every bench measurement: counts response codes per thread and prints one
-- JSON line (prefixed BENCH_JSON) at the end. `-- post` sends a new report per request as
-- a citizen's app would (JSON to POST /api/v1/reports/), each with its own text and link.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

local mode = "get"
local counter = 0
statuses = {}

function init(args)
  mode = args[1] or "get"
  if mode == "post" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Accept"] = "application/json"
  end
end

local districts = {"330302", "330303", "330304", "330305", "330324", "330326",
                   "330327", "330328", "330329", "330381", "330382", "330383"}

function request()
  if mode ~= "post" then
    return wrk.request()
  end
  counter = counter + 1
  local body = string.format(
    '{"category":"rumor","platform":"wechat",' ..
    '"url":"https://mp.weixin.qq.com/s/bench-%d-%d",' ..
    '"content":"群里在传自来水被污染了，千万别喝，压测第%d-%d条",' ..
    '"district":"%s"}',
    thread_id, counter, thread_id, counter, districts[(counter % 12) + 1])
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    if seen then
      for code, n in pairs(seen) do
        counts[code] = (counts[code] or 0) + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', code, n))
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    table.concat(parts, ",")))
end
