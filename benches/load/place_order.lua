-- wrk script: every request places an order for one unit of one product.
-- ORDER_TOKEN and ORDER_PRODUCT come from the environment (see http.sh);
-- wrk reports any answer other than 2xx as "Non-2xx".
local token = os.getenv("ORDER_TOKEN")
local product = os.getenv("ORDER_PRODUCT")
wrk.method = "POST"
wrk.path = "/api/v1/orders"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"lines":[{"product_id":"' .. product .. '","quantity":1}]}'
