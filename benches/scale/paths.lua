-- wrk script: GET one of the request paths in the file $PATHS (one per
-- line), at random: API v2 pages made by cursors.py, which the host does
-- not cache.
local paths = {}

init = function(args)
    for line in io.lines(os.getenv("PATHS")) do
        paths[#paths + 1] = line
    end
    math.randomseed(os.time())
end

request = function()
    return wrk.format("GET", paths[math.random(#paths)])
end
