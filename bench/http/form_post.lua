-- wrk script: web-form posts with a different e-mail each, so none is taken for
-- a double submit and every one is stored.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
local n = 0
request = function()
  n = n + 1
  local body = "salutation=Frau&first_name=Erika&last_name=Muster&company=Muster+GmbH" ..
    "&email=erika." .. tid .. "." .. n .. "%40example.com&phone=%2B49+30+1234567" ..
    "&zip=10115&city=Berlin&country=DE&product=WP-200&quantity=1" ..
    "&message=Bitte+um+Rueckruf&newsletter=1&utm_campaign=bench"
  return wrk.format("POST", "/forms/bench", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
