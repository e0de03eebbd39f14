-- wrk script: every request asks for a shipping quote for one product
-- (QUOTE_PRODUCT, from the environment; see shipping.sh).
local product = os.getenv("QUOTE_PRODUCT")
wrk.method = "POST"
wrk.path = "/api/v1/shipping/quote"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"lines":[{"product_id":"' .. product .. '","quantity":2}]}'
