-- Reads the services of each issue of the first drill, as rules see them:
-- a list, empty when the issue names none.
return {
  run = function(arg, ctx)
    local out = {}
    for _, issue in ipairs(ctx.model.drills[1].issues) do
      local names = {}
      for _, s in ipairs(issue.services) do names[#names + 1] = s end
      out[#out + 1] = { id = issue.id, n = #issue.services, services = table.concat(names, ",") }
    end
    return out
  end,
}
