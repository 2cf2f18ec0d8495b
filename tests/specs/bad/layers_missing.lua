-- Bad spec: no 'layers' key at all.
return {
  prefix = "net_",
}
