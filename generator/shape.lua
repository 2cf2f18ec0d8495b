-- Shape arithmetic for one spatial axis of a 2-D convolution: output size and SAME padding.
local shape = {}

-- Number of input positions one output position spans once the kernel is dilated.
function shape.effective_kernel(k, dilation)
  return (k - 1) * dilation + 1
end

-- floor((in + before + after - effective_kernel) / stride) + 1. The result is below 1
-- when the dilated kernel does not fit in the padded input; callers report that.
function shape.out_size(in_size, k, stride, dilation, pad_before, pad_after)
  local room = in_size + pad_before + pad_after - shape.effective_kernel(k, dilation)
  return room // stride + 1
end

-- TensorFlow / ONNX SAME_UPPER: the output has ceil(in / stride) positions, and when
-- the total padding is odd the extra row or column goes after (bottom / right).
function shape.same_padding(in_size, k, stride, dilation)
  local out = (in_size + stride - 1) // stride
  local needed = (out - 1) * stride + shape.effective_kernel(k, dilation) - in_size
  local total = math.max(needed, 0)
  local before = total // 2
  return before, total - before
end

return shape
