local loads = 0
loads = loads + 1
return {
  twice = function(x) return 2 * x end,
  loads = function() return loads end,
}
