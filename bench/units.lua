-- wrk script of bench/run.py: requests drawn at random from a list of "units" written to a file.
--
-- Each line of $BENCH_UNITS is one unit: a category, then one or more requests separated by tabs,
-- each written as two flag characters and a path: "m" (or "-") sends the member's session cookie
-- ($BENCH_COOKIE), "h" (or "-") sends "HX-Request: true". A unit with two requests (a thread page,
-- then its overlay) is a member's whole page view: its requests are sent in turn on this wrk thread's
-- connections before the next unit is drawn. $BENCH_WEIGHTS ("category=weight,…") weighs the
-- categories (default: equal); within a category every unit is equally likely.
--
-- At the end, one line per category: "UNITS <category> <units drawn>" (each unit holds one page).

local threads = {}
local next_id = 0

function setup(thread)
   next_id = next_id + 1
   thread:set("tid", next_id)
   table.insert(threads, thread)
end

local categories = {}   -- name -> list of units (each a list of formatted requests)
local order = {}        -- category names, with cumulative weights
local cumulative = {}
local total_weight = 0
counts = {}             -- global: read by done() through thread:get

function init(args)
   math.randomseed(os.time() * 1000 + 7919 * (tid or 0))
   local cookie = os.getenv("BENCH_COOKIE") or ""
   for line in io.lines(os.getenv("BENCH_UNITS")) do
      local unit, category = {}, nil
      for field in string.gmatch(line, "[^\t]+") do
         if category == nil then
            category = field
         else
            local headers = { ["Accept-Language"] = "fr" }
            if field:sub(1, 1) == "m" then headers["Cookie"] = cookie end
            if field:sub(2, 2) == "h" then headers["HX-Request"] = "true" end
            unit[#unit + 1] = wrk.format("GET", field:sub(3), headers)
         end
      end
      if categories[category] == nil then
         categories[category] = {}
         counts[category] = 0
      end
      table.insert(categories[category], unit)
   end
   local weights = {}
   for pair in string.gmatch(os.getenv("BENCH_WEIGHTS") or "", "[^,]+") do
      local name, weight = pair:match("^(.-)=([%d.]+)$")
      weights[name] = tonumber(weight)
   end
   for name, _ in pairs(categories) do
      total_weight = total_weight + (weights[name] or 1)
      order[#order + 1] = name
      cumulative[#cumulative + 1] = total_weight
   end
end

local current, step = nil, 0

function request()
   if current == nil or step >= #current then
      local draw, index = math.random() * total_weight, #order
      for i, bound in ipairs(cumulative) do
         if draw < bound then index = i; break end
      end
      local name = order[index]
      local units = categories[name]
      current, step = units[math.random(#units)], 0
      counts[name] = counts[name] + 1
   end
   step = step + 1
   return current[step]
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for name, count in pairs(thread:get("counts")) do
         total[name] = (total[name] or 0) + count
      end
   end
   for name, count in pairs(total) do
      io.write(string.format("UNITS %s %d\n", name, count))
   end
end
