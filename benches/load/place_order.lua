-- wrk script: every request places an order for one unit of one product.
-- ORDER_TOKEN and ORDER_PRODUCT come from the environment (see http.sh);
-- with ORDER_SHIPPING set, the order names that shipping method (see
-- shipping.sh). wrk reports any answer other than 2xx as "Non-2xx".
local token = os.getenv("ORDER_TOKEN")
local product = os.getenv("ORDER_PRODUCT")
local shipping = os.getenv("ORDER_SHIPPING")
wrk.method = "POST"
wrk.path = "/api/v1/orders"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
if shipping and shipping ~= "" then
    wrk.body = '{"lines":[{"product_id":"' .. product .. '","quantity":1}],"shipping_method":"' .. shipping .. '"}'
else
    wrk.body = '{"lines":[{"product_id":"' .. product .. '","quantity":1}]}'
end
