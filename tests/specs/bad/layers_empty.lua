-- Bad spec: an empty layer list.
return {
  prefix = "net_",
  layers = {},
}
