-- The ONNX path of the convgen command line: recognize a model file, import it, add the weights files and report.

local import = require("generator.onnx.import")
local spec = require("generator.spec")
local weights = require("generator.weights")

local cli = {}

-- A .onnx name, or content that opens like a ModelProto (field 1, ir_version, a varint)
-- rather than like Lua source.
function cli.is_model(path)
  if path:lower():match("%.onnx$") then return true end
  local file = io.open(path, "rb")
  if not file then return false end
  local head = file:read(2) or ""
  file:close()
  return head:byte(1) == 0x08 and (head:byte(2) or 0x80) < 0x80
end

-- cli.load(path, opts) -> model, nil, imported | nil, errors
-- opts.batch, opts.layout, opts.unroll, opts.prefix as parsed by convgen.lua.
function cli.load(path, opts)
  local imported, errors = import.load(path, { batch = opts.batch, layout = opts.layout })
  if not imported then return nil, errors end
  -- Validated with the prefix the symbols will have (length, keywords, clashes).
  if opts.prefix then imported.spec.prefix = opts.prefix end
  local overrides = opts.unroll and { unroll = opts.unroll } or nil
  local model, problems = spec.validate(imported.spec, { path = path, labels = imported.labels, overrides = overrides })
  if not model then return nil, problems end
  -- The planner packs baked weights for the kernel that reads them (generator/prepack.lua).
  for i, layer in ipairs(model.layers) do layer.baked_weights = imported.layers[i].baked or nil end
  return model, nil, imported
end

-- The weights header and source, appended to the files emit.model returned.
function cli.add_outputs(outputs, template_dir, model, plans, imported, model_name)
  for _, f in ipairs(weights.files(template_dir, model, plans, imported, model_name)) do
    outputs[#outputs + 1] = f
  end
  return outputs
end

-- What --report adds: the nodes folded into layers and those the user's code provides.
function cli.report(imported)
  local lines = {}
  for i, layer in ipairs(imported.layers) do
    local weights_from = layer.baked and "baked weights" or "weights at run time"
    local fused = #layer.fused > 0 and ("; fused " .. table.concat(layer.fused, ", ")) or ""
    local note = layer.note and ("; " .. layer.note) or ""
    lines[#lines + 1] = string.format("  %s <- %s: '%s' -> '%s', %s%s%s", layer.name, imported.labels[i], layer.x,
      layer.y, weights_from, fused, note)
  end
  lines[#lines + 1] = ""
  if #imported.others == 0 then
    lines[#lines + 1] = "Every node of the model is generated."
  else
    lines[#lines + 1] = string.format("Not generated (%d node%s; your code provides them):", #imported.others,
      #imported.others == 1 and "" or "s")
    for _, other in ipairs(imported.others) do
      lines[#lines + 1] = string.format("  %s: %s -> %s", other.label, table.concat(other.inputs, ", "),
        table.concat(other.outputs, ", "))
    end
  end
  return "\nLayers from ONNX nodes:\n" .. table.concat(lines, "\n") .. "\n"
end

return cli
