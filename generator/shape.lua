-- Former home of the output-size and SAME-padding formulas, kept so existing requires work: see generator/geometry.lua.
return require("generator.geometry")
