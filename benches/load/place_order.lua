-- wrk script: every request places an order for one unit of one product.
-- ORDER_TOKEN and ORDER_PRODUCT come from the environment (see http.sh).
local token = os.getenv("ORDER_TOKEN")
local product = os.getenv("ORDER_PRODUCT")
wrk.method = "POST"
wrk.path = "/api/v1/orders"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"lines":[{"product_id":"' .. product .. '","quantity":1}]}'

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  for status, n in pairs(statuses) do
    io.write(string.format("status %d: %d\n", status, n))
  end
end
