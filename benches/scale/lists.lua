-- wrk script: uncached product lists on the generated catalog
-- (seed-*.sql). Each request varies its ordering and page size, and its
-- search term or filters, so nearly every request misses the host's read
-- cache (1,000 terms or 50 categories x 8 orderings x 20 page sizes x 50
-- pages).
-- SCENARIO (from the environment):
--   search    `search=` for one of the 1,000 rare words (each in 0.1% of products)
--   filtered  a category, a price range and an ordering
--   list      the whole catalog in an ordering, pages 1 to 50, with the count
local scenario = os.getenv("SCENARIO") or "search"
local orderings = { "price", "-price", "sustainability_score", "-sustainability_score",
                    "name", "-name", "created_at", "-created_at" }
local syllables = { "ka", "lo", "mi", "ne", "ru", "ti", "vo", "ze", "qu", "xa" }

math.randomseed(os.time())

local function rare_word()
    local n = math.random(0, 999)
    return syllables[n % 10 + 1] .. syllables[math.floor(n / 10) % 10 + 1]
        .. syllables[math.floor(n / 100) % 10 + 1]
end

request = function()
    local query = "ordering=" .. orderings[math.random(#orderings)]
        .. "&page=" .. math.random(1, 50)
        .. "&page_size=" .. math.random(11, 30)
    if scenario == "search" then
        query = query .. "&search=" .. rare_word()
    elseif scenario == "filtered" then
        local low = math.random(0, 400)
        query = query .. "&category=category-" .. math.random(0, 49)
            .. "&min_price=" .. low .. "&max_price=" .. (low + math.random(10, 100))
    end
    return wrk.format("GET", "/api/v1/products?" .. query)
end
