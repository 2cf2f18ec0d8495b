-- Bad spec: 'layers' is a string.
return {
  layers = "conv1",
}
