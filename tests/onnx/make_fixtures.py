#!/usr/bin/python3
# Writes the ONNX fixture models of tests/onnx/fixtures/ and the expected per-layer outputs (numpy, float64 reference).
#
# Run by hand with Debian's python3-onnx and python3-numpy (apt-get install python3-onnx);
# `make test` reads only the committed outputs. Deterministic: fixed seeds, fixed names.
# Each fixture directory holds model.onnx and, for every layer the importer makes,
# <node>_x.pb (the layer's input) and <node>_y.pb (the expected output of the layer with
# its folded BatchNormalization and fused activation, computed here independently).
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
OPSET = [helper.make_opsetid("", 13)]


def conv_ref(x, w, b, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), group=1):
    """NCHW convolution in float64; pads = (top, left, bottom, right) as ONNX orders them."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - (dilation[0] * (kh - 1) + 1)) // stride[0] + 1
    ow = (wd + pads[1] + pads[3] - (dilation[1] * (kw - 1) + 1)) // stride[1] + 1
    y = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                r0, c0 = i * dilation[0], j * dilation[1]
                patch = xp[:, g * cg:(g + 1) * cg, r0:r0 + stride[0] * (oh - 1) + 1:stride[0],
                           c0:c0 + stride[1] * (ow - 1) + 1:stride[1]]
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, w[g * mg:(g + 1) * mg, :, i, j])
    if b is not None:
        y += b.astype(np.float64)[None, :, None, None]
    return y


def conv_transpose_ref(x, w, b, stride, pads, group):
    """NCHW transposed convolution in float64; w is (C, M/group, KH, KW); pads = (top, left, bottom, right)."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, c, h, wd = x.shape
    _, mg, kh, kw = w.shape
    cg = c // group
    full = np.zeros((n, mg * group, (h - 1) * stride[0] + kh, (wd - 1) * stride[1] + kw))
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("nchw,cm->nmhw", x[:, g * cg:(g + 1) * cg], w[g * cg:(g + 1) * cg, :, i, j])
                full[:, g * mg:(g + 1) * mg, i:i + stride[0] * (h - 1) + 1:stride[0],
                     j:j + stride[1] * (wd - 1) + 1:stride[1]] += contrib
    y = full[:, :, pads[0]:full.shape[2] - pads[2], pads[1]:full.shape[3] - pads[3]]
    if b is not None:
        y = y + b.astype(np.float64)[None, :, None, None]
    return y


def bn_ref(y, scale, beta, mean, var, eps):
    f = scale.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    return (y - mean[None, :, None, None]) * f[None, :, None, None] + beta[None, :, None, None]


class Net:
    """A graph under construction with the float64 forward pass alongside."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.inits, self.layers = [], [], []

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def conv(self, name, x, xv, m, k, stride=1, pads=None, bias=True, group=1, auto_pad=None):
        c = xv.shape[1]
        w = (self.rng.standard_normal((m, c // group, k, k)) * np.sqrt(2.0 / (c // group * k * k))).astype(np.float32)
        b = (self.rng.standard_normal(m) * 0.1).astype(np.float32) if bias else None
        inputs = [x, self.const(name + "_w", w)] + ([self.const(name + "_b", b)] if bias else [])
        attrs = {"kernel_shape": [k, k], "strides": [stride, stride], "group": group}
        if auto_pad:
            attrs["auto_pad"] = auto_pad
        else:
            attrs["pads"] = list(pads or [k // 2] * 4)
        self.nodes.append(helper.make_node("Conv", inputs, [name + "_out"], name=name, **attrs))
        return name + "_out", w, b, attrs

    def bn(self, name, x, xv, eps=1e-5):
        m = xv.shape[1]
        p = [(self.rng.uniform(0.5, 1.5, m)), self.rng.standard_normal(m) * 0.1, self.rng.standard_normal(m) * 0.1,
             self.rng.uniform(0.5, 1.5, m)]
        p = [a.astype(np.float32) for a in p]
        names = [self.const(name + s, a) for s, a in zip(("_scale", "_bias", "_mean", "_var"), p)]
        self.nodes.append(helper.make_node("BatchNormalization", [x] + names, [name + "_out"], name=name,
                                           epsilon=eps))
        return name + "_out", bn_ref(xv, *p, eps)

    def op(self, op, name, inputs, **attrs):
        self.nodes.append(helper.make_node(op, inputs, [name + "_out"], name=name, **attrs))
        return name + "_out"

    def record(self, name, xv, yv):
        self.layers.append((name, xv.astype(np.float32), yv.astype(np.float32)))

    def save(self, case, inputs, outputs, value_info=()):
        graph = helper.make_graph(self.nodes, case, inputs, outputs, self.inits, value_info=list(value_info))
        model = helper.make_model(graph, opset_imports=OPSET, producer_name="convgen make_fixtures.py")
        save(case, model, self.layers)


def save(case, model, layers):
    d = os.path.join(HERE, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for name, xv, yv in layers:
        for suffix, arr in (("_x.pb", xv), ("_y.pb", yv)):
            with open(os.path.join(d, name + suffix), "wb") as f:
                f.write(numpy_helper.from_array(arr, name + suffix[:2]).SerializeToString())


def tensor_info(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def conv_bn_relu(rng):
    """Conv -> BatchNormalization -> Relu: one layer, BN folded, Relu fused."""
    net = Net(rng)
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    t, w, b, _ = net.conv("conv", "x", x, 8, 3)
    y0 = conv_ref(x, w, b, pads=(1, 1, 1, 1))
    t, y1 = net.bn("bn", t, y0)
    t = net.op("Relu", "relu", [t])
    net.record("conv", x, np.maximum(y1, 0))
    net.save("conv_bn_relu", [tensor_info("x", [1, 3, 8, 8])], [tensor_info(t, [1, 8, 8, 8])])


def convtranspose_bn(rng):
    """ConvTranspose (groups 2, stride 2, asymmetric pads) -> BatchNormalization -> Relu, folded and fused."""
    net = Net(rng)
    x = rng.standard_normal((1, 4, 5, 4)).astype(np.float32)
    w = (rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(np.float32)
    b = (rng.standard_normal(6) * 0.1).astype(np.float32)
    net.nodes.append(helper.make_node("ConvTranspose", ["x", net.const("up_w", w), net.const("up_b", b)], ["up_out"],
                                      name="up", group=2, strides=[2, 2], pads=[1, 0, 0, 1], kernel_shape=[3, 3]))
    y0 = conv_transpose_ref(x, w, b, (2, 2), (1, 0, 0, 1), 2)
    t, y1 = net.bn("bn", "up_out", y0)
    t = net.op("Relu", "relu", [t])
    net.record("up", x, np.maximum(y1, 0))
    net.save("convtranspose_bn", [tensor_info("x", [1, 4, 5, 4])], [tensor_info(t, list(y0.shape))])


def double(rng):
    """A float64 model: Conv (groups 2, stride 2) -> Clip(-1, 1) with double bounds."""
    net = Net(rng)
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((6, 2, 3, 3)) * 0.3
    b = rng.standard_normal(6) * 0.1
    net.nodes.append(helper.make_node("Conv", ["x", net.const("conv_w", w), net.const("conv_b", b)], ["conv_out"],
                                      name="conv", group=2, strides=[2, 2], pads=[1, 1, 1, 1]))
    y = np.clip(conv_ref(x, w, b, stride=(2, 2), pads=(1, 1, 1, 1), group=2), -1, 1)
    t = net.op("Clip", "clip", ["conv_out", net.const("lo", np.float64(-1)), net.const("hi", np.float64(1))])
    net.layers.append(("conv", x, y))
    info = [helper.make_tensor_value_info("x", TensorProto.DOUBLE, list(x.shape)),
            helper.make_tensor_value_info(t, TensorProto.DOUBLE, list(y.shape))]
    net.save("double", info[:1], info[1:])


def clip(rng):
    """Clip(0, 6) from constant inputs -> relu6; Clip with only a minimum -> clamp."""
    net = Net(rng)
    x = rng.standard_normal((1, 4, 6, 6)).astype(np.float32) * 4
    t, w, b, _ = net.conv("conv_a", "x", x, 4, 3)
    ya = np.clip(conv_ref(x, w, b, pads=(1, 1, 1, 1)), 0, 6)
    # The upper bound comes from a Constant node, as some exporters write it.
    net.nodes.append(helper.make_node("Constant", [], ["six"], name="six",
                                      value=numpy_helper.from_array(np.array(6, np.float32), "six")))
    t = net.op("Clip", "clip6", [t, net.const("zero", np.float32(0)), "six"])
    net.record("conv_a", x, ya)
    xb = ya.astype(np.float32)
    t, w, b, _ = net.conv("conv_b", t, xb, 4, 3)
    yb = np.maximum(conv_ref(xb, w, b, pads=(1, 1, 1, 1)), -0.25)
    t = net.op("Clip", "clip_min", [t, net.const("lo", np.float32(-0.25))])
    net.record("conv_b", xb, yb)
    net.save("clip", [tensor_info("x", [1, 4, 6, 6])], [tensor_info(t, [1, 4, 6, 6])])


def two_consumers(rng):
    """The conv's output feeds Relu and Sigmoid: nothing is fused, both are the user's."""
    net = Net(rng)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    t, w, b, _ = net.conv("conv", "x", x, 3, 3)
    net.record("conv", x, conv_ref(x, w, b, pads=(1, 1, 1, 1)))
    r = net.op("Relu", "relu", [t])
    s = net.op("Sigmoid", "sigmoid", [t])
    net.save("two_consumers", [tensor_info("x", [1, 2, 5, 5])],
             [tensor_info(r, [1, 3, 5, 5]), tensor_info(s, [1, 3, 5, 5])])


def same_lower(rng):
    """auto_pad SAME_LOWER with stride 2 and an even kernel: the extra padding goes first."""
    net = Net(rng)
    x = rng.standard_normal((1, 2, 7, 7)).astype(np.float32)
    t, w, b, _ = net.conv("conv", "x", x, 3, 4, stride=2, auto_pad="SAME_LOWER")
    # out = ceil(7/2) = 4; total = (4-1)*2 + 4 - 7 = 3: 2 before, 1 after.
    net.record("conv", x, conv_ref(x, w, b, stride=(2, 2), pads=(2, 2, 1, 1)))
    net.save("same_lower", [tensor_info("x", [1, 2, 7, 7])], [tensor_info(t, [1, 3, 4, 4])])


def symbolic_batch(rng):
    """A symbolic batch dimension 'N' and a shape reached through MaxPool; imported with --batch 3."""
    net = Net(rng)
    x = rng.standard_normal((3, 3, 8, 8)).astype(np.float32)
    p = net.op("MaxPool", "pool", ["x"], kernel_shape=[2, 2], strides=[2, 2])
    xp = x.reshape(3, 3, 4, 2, 4, 2).max(axis=(3, 5))
    t, w, b, _ = net.conv("conv", p, xp, 4, 3)
    net.record("conv", xp, conv_ref(xp, w, b, pads=(1, 1, 1, 1)))
    net.save("symbolic_batch", [tensor_info("x", ["N", 3, 8, 8])], [tensor_info(t, ["N", 4, 4, 4])])


def shapes(rng):
    """Shapes through Pad, AveragePool, Mul, Concat and value_info; a weight shared through Identity."""
    net = Net(rng)
    x = rng.standard_normal((1, 2, 8, 8)).astype(np.float32)
    p = net.op("Pad", "pad", ["x", net.const("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))])
    a = net.op("AveragePool", "avg", [p], kernel_shape=[2, 2], strides=[2, 2])
    m = net.op("Mul", "scale", [a, net.const("half", np.float32(0.5))])
    c = net.op("Concat", "cat", [m, m], axis=1)
    xv = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).reshape(1, 2, 5, 2, 5, 2).mean(axis=(3, 5)) * 0.5
    xv = np.concatenate([xv, xv], axis=1).astype(np.float32)
    t, w, b, _ = net.conv("conv_a", c, xv, 4, 3)
    ya = conv_ref(xv, w, b, pads=(1, 1, 1, 1))
    net.record("conv_a", xv, ya)
    # A shape convgen cannot infer (Reshape), declared in value_info.
    r = net.op("Reshape", "reshape", [t, net.const("shape", np.array([1, 4, 5, 5], np.int64))])
    shared = net.op("Identity", "shared_w", ["conv_a_w"])
    net.nodes.append(helper.make_node("Conv", [r, shared], ["conv_b_out"], name="conv_b", kernel_shape=[3, 3],
                                      pads=[1, 1, 1, 1]))
    xb = ya.astype(np.float32)
    net.record("conv_b", xb, conv_ref(xb, w, None, pads=(1, 1, 1, 1)))
    net.save("shapes", [tensor_info("x", [1, 2, 8, 8])], [tensor_info("conv_b_out", [1, 4, 5, 5])],
             value_info=[tensor_info(r, [1, 4, 5, 5])])


def resnet8(rng):
    """MLPerf Tiny ResNet-8 (as examples/resnet8) with BatchNormalization and random weights."""
    net = Net(rng)
    x = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)

    def cbr(name, t, tv, m, k, stride=1, pads=None, relu=True, bn=True):
        out, w, b, attrs = net.conv(name, t, tv, m, k, stride, pads)
        p = attrs["pads"]
        yv = conv_ref(tv, w, b, (stride, stride), (p[0], p[1], p[2], p[3]))
        if bn:
            out, yv = net.bn(name + "_bn", out, yv)
        if relu:
            out = net.op("Relu", name + "_relu", [out])
            yv = np.maximum(yv, 0)
        net.record(name, tv, yv)
        return out, yv.astype(np.float32)

    t, tv = cbr("conv1", "x", x, 16, 3)
    a, av = cbr("s1_a", t, tv, 16, 3)
    b, bv = cbr("s1_b", a, av, 16, 3, relu=False)
    t = net.op("Relu", "s1_out", [net.op("Add", "s1_add", [t, b])])
    tv = np.maximum(tv + bv, 0).astype(np.float32)
    for stack, m in (("s2", 32), ("s3", 64)):
        a, av = cbr(stack + "_a", t, tv, m, 3, stride=2, pads=[0, 0, 1, 1])
        b, bv = cbr(stack + "_b", a, av, m, 3, relu=False)
        s, sv = cbr(stack + "_short", t, tv, m, 1, stride=2, pads=[0, 0, 0, 0], relu=False, bn=False)
        t = net.op("Relu", stack + "_out", [net.op("Add", stack + "_add", [s, b])])
        tv = np.maximum(sv + bv, 0).astype(np.float32)
    g = net.op("GlobalAveragePool", "pool", [t])
    f = net.op("Flatten", "flatten", [g])
    fc_w = net.const("fc_w", (rng.standard_normal((10, 64)) * 0.1).astype(np.float32))
    fc_b = net.const("fc_b", np.zeros(10, np.float32))
    y = net.op("Gemm", "fc", [f, fc_w, fc_b], transB=1)
    net.save("resnet8", [tensor_info("x", [1, 3, 32, 32])], [tensor_info(y, [1, 10])])


def bad_models(rng):
    """Models that must be rejected with one clear error each (truncated/bit-flipped ones come from the test)."""
    x = [tensor_info("x", [1, 1, 4, 4])]
    y = [tensor_info("y", [1, 1, 2, 2])]
    w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    conv = helper.make_node("Conv", ["x"], ["y"], name="conv3", kernel_shape=[3, 3])
    model = helper.make_model(helper.make_graph([conv], "missing_weight", x, y), opset_imports=OPSET)
    save("bad_missing_weight", model, [])
    a = helper.make_node("Relu", ["t2"], ["t1"], name="a")
    b = helper.make_node("Conv", ["t1", "w"], ["t2"], name="b")
    c = helper.make_node("Conv", ["x", "w"], ["y"], name="c")
    model = helper.make_model(helper.make_graph([c, a, b], "cycle", x, y, [w]), opset_imports=OPSET)
    save("bad_cycle", model, [])
    odd = TensorProto()
    odd.name = "w"
    odd.dims.extend([1, 1, 3, 3])
    odd.data_type = 99
    odd.raw_data = bytes(36)
    model = helper.make_model(helper.make_graph([c], "unknown_type", x, y, [odd]), opset_imports=OPSET)
    save("bad_unknown_type", model, [])
    ext = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    ext.ClearField("raw_data")
    ext.data_location = TensorProto.EXTERNAL
    entry = ext.external_data.add()
    entry.key, entry.value = "location", "weights.bin"
    model = helper.make_model(helper.make_graph([c], "external", x, y, [ext]), opset_imports=OPSET)
    save("bad_external_data", model, [])
    shape = numpy_helper.from_array(np.array([1, 1, 4, 4], np.int64), "shape")
    reshape = helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape")
    conv = helper.make_node("Conv", ["r", "w"], ["y"], name="conv", kernel_shape=[3, 3])
    model = helper.make_model(helper.make_graph([reshape, conv], "unknown_shape", x, y, [shape, w]),
                              opset_imports=OPSET)
    save("bad_unknown_shape", model, [])
    conv = helper.make_node("Conv", ["x", "w"], ["t"], name="conv", kernel_shape=[3, 3])
    bn_params = [numpy_helper.from_array(np.array([v], np.float32), n)
                 for n, v in (("s", 1.0), ("b", 0.0), ("m", 0.0), ("v", -1.0))]
    bn = helper.make_node("BatchNormalization", ["t", "s", "b", "m", "v"], ["y"], name="bn")
    model = helper.make_model(helper.make_graph([conv, bn], "negative_variance", x, y, [w] + bn_params),
                              opset_imports=OPSET)
    save("bad_negative_variance", model, [])


def main():
    rng = np.random.default_rng(20261130)
    for make in (conv_bn_relu, clip, two_consumers, same_lower, symbolic_batch, resnet8, bad_models, shapes,
                 convtranspose_bn, double):
        make(rng)
    print("fixtures written to", HERE, file=sys.stderr)


if __name__ == "__main__":
    main()
