-- wrk script for Q4: update contacts from a pool, never two in flight for the same contact,
-- sending each contact's current version (our server refuses a stale one, which would then
-- not be a real write) and reading the new one back from the answer.
-- Arguments after "--": path, bearer token ("-" for none), pool file ("<id> <version>" per
-- line), body template file (with __ID__, __VERSION__ and __NAME__), a tag unique to the run.
-- An answer fails when its status is not 200 or it carries a non-empty "errors" (top level or
-- in the payload). A contact whose answer names no id is lost from the pool; if the pool ever
-- runs dry, the request reuses a contact and counts as starved: the run is then invalid.

local threads = {}
responses, failures, lost, starved = 0, 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
end

local free, first, last = {}, 1, 0  -- a FIFO of contacts with no update in flight
local versions = {}
local path, headers, template, tag
local sent, previous = 0, nil

local function read(name)
  local file = assert(io.open(name, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  local token, pool_file
  path, token, pool_file, template, tag = args[1], args[2], args[3], read(args[4]), args[5]
  headers = {["Content-Type"] = "application/json"}
  if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
  for line in io.lines(pool_file) do
    local id, version = line:match("^(%S+)%s+(%d+)$")
    if id then
      last = last + 1
      free[last] = id
      versions[id] = version
    end
  end
  assert(last > 0, "empty pool file " .. pool_file)
end

function request()
  local id
  if first <= last then
    id = free[first]
    free[first] = nil
    first = first + 1
  else
    starved = starved + 1
    id = previous
  end
  previous = id
  sent = sent + 1
  -- Ids are base64url or uuids and the rest digits, so no "%" reaches gsub's replacement.
  local body = template:gsub("__ID__", id):gsub("__VERSION__", versions[id])
                       :gsub("__NAME__", "Bench " .. tag .. "-" .. sent)
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 or body:find('"errors"%s*:%s*%[%s*{') then failures = failures + 1 end
  local id = body:match('"id"%s*:%s*"([^"]+)"')
  if id and versions[id] then
    versions[id] = body:match('"version"%s*:%s*(%d+)') or versions[id]
    last = last + 1
    free[last] = id
  else
    lost = lost + 1
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("bench: responses=%d failures=%d lost=%d starved=%d\n",
                           thread:get("responses"), thread:get("failures"),
                           thread:get("lost"), thread:get("starved")))
  end
end
