-- wrk script for a read: POST the JSON bodies of a file in turn (one per line; a single line
-- repeats), count failed answers.
-- Arguments after "--": path, bearer token ("-" for none), file holding the JSON bodies.
-- An answer fails when its status is not 200 or it carries a non-empty top-level "errors".

local threads = {}
responses, failures = 0, 0  -- globals, so that done() can read them from each thread

function setup(thread)
  table.insert(threads, thread)
end

local request_texts, next_index = {}, 0

function init(args)
  local path, token, body_file = args[1], args[2], args[3]
  local headers = {["Content-Type"] = "application/json"}
  if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
  for body in io.lines(body_file) do
    if body ~= "" then table.insert(request_texts, wrk.format("POST", path, headers, body)) end
  end
  assert(#request_texts > 0, "no request bodies in " .. body_file)
end

function request()
  next_index = next_index % #request_texts + 1
  return request_texts[next_index]
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 or body:find('"errors"%s*:%s*%[%s*{') then failures = failures + 1 end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("bench: responses=%d failures=%d lost=0 starved=0\n",
                           thread:get("responses"), thread:get("failures")))
  end
end
