"""The e5 encoder as an ONNX graph for onnxruntime, in fp32, q4 or int8 (see `fast_e5`), and
the CPU features that decide which is exact and fast here.

A few protobuf fields are all an ONNX model needs; writing them here avoids depending on
the `onnx` package, which is not installed.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.embeddings.e5_file import F32, QK, E5File, dequantize

_MS = "com.microsoft"  # onnxruntime's contrib operators


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _pb_int(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _pb_bytes(field: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return _varint((field << 3) | 2) + _varint(len(data)) + data


_ONNX_TYPES = {
    np.dtype(np.float32): 1,
    np.dtype(np.uint8): 2,
    np.dtype(np.int8): 3,
    np.dtype(np.int64): 7,
}


def _pb_tensor(name: str, arr: np.ndarray) -> bytes:
    arr = np.ascontiguousarray(arr)
    dims = b"".join(_pb_int(1, d) for d in arr.shape)
    return (
        dims + _pb_int(2, _ONNX_TYPES[arr.dtype]) + _pb_bytes(8, name) + _pb_bytes(9, arr.tobytes())
    )


def _pb_attr(name: str, value: int | float | list[int]) -> bytes:
    head = _pb_bytes(1, name)
    if isinstance(value, float):
        return head + _varint((2 << 3) | 5) + F32.pack(value) + _pb_int(20, 1)
    if isinstance(value, int):
        return head + _pb_int(3, value) + _pb_int(20, 2)
    return head + b"".join(_pb_int(8, v) for v in value) + _pb_int(20, 7)


def _pb_value_info(name: str, elem_type: int, dims: list[int | str]) -> bytes:
    shape = b"".join(
        _pb_bytes(1, _pb_int(1, d) if isinstance(d, int) else _pb_bytes(2, d)) for d in dims
    )
    tensor_type = _pb_int(1, elem_type) + _pb_bytes(2, shape)
    return _pb_bytes(1, name) + _pb_bytes(2, _pb_bytes(1, tensor_type))


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[bytes] = []
        self.inits: list[bytes] = []
        self._n = 0

    def const(self, name: str, arr: np.ndarray) -> str:
        self.inits.append(_pb_tensor(name, arr))
        return name

    def op(
        self, op_type: str, inputs: list[str], n_out: int = 1, domain: str = "", **attrs: Any
    ) -> Any:
        self._n += 1
        outs = [f"t{self._n}_{k}" for k in range(n_out)]
        body = b"".join(_pb_bytes(1, i) for i in inputs) + b"".join(_pb_bytes(2, o) for o in outs)
        body += _pb_bytes(4, op_type) + b"".join(
            _pb_bytes(5, _pb_attr(k, v)) for k, v in attrs.items()
        )
        if domain:
            body += _pb_bytes(7, domain)
        self.nodes.append(body)
        return outs[0] if n_out == 1 else outs

    def model(self, inputs: list[bytes], outputs: list[bytes]) -> bytes:
        graph = b"".join(_pb_bytes(1, n) for n in self.nodes) + _pb_bytes(2, "fast_e5")
        graph += b"".join(_pb_bytes(5, t) for t in self.inits)
        graph += b"".join(_pb_bytes(11, i) for i in inputs) + b"".join(
            _pb_bytes(12, o) for o in outputs
        )
        opsets = _pb_bytes(8, _pb_int(2, 17)) + _pb_bytes(8, _pb_bytes(1, _MS) + _pb_int(2, 1))
        return _pb_int(1, 8) + _pb_bytes(2, "assistant.fast_e5") + opsets + _pb_bytes(7, graph)


SIMD_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def cpu_flags() -> list[str]:
    """The instruction sets that pick onnxruntime's kernels here (from /proc/cpuinfo; Linux)."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return []
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    present = set(line.partition(":")[2].split())
    return [f for f in SIMD_FLAGS if f in present]


def int8_is_exact_here() -> bool:
    """False on x86 CPUs without VNNI, whose u8 x s8 kernel (vpmaddubsw) can saturate int16
    sums at full 8-bit weight range; there weights use 7 bits instead."""
    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686"):
        return True
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return any(f in flags for f in (" avx512_vnni", " avx_vnni", " amx_int8"))


def build_onnx(
    f: E5File, precision: Literal["int8", "fp32", "q4"] = "fp32", weight_levels: int = 127
) -> bytes:
    """The encoder for ONE window: input `x` [S, H] (word + position + type embeddings),
    output `pooled` [H], the mean of the final hidden states over all S tokens.

    fp32: the Q4_0 weights dequantised to float32 (exact), plain MatMul (prepacked sgemm).
    q4: MatMulNBits keeps the Q4_0 weights (4 bits in memory) with float32 activations: the
    same maths as fp32 in an eighth of the memory, slower for long inputs.
    int8: weights dequantised and re-quantised to int8 per output column, activations to u8
    per token at run time, so the GEMM runs on integer units (about 5x float32 here).
    """
    H, NH, FF = f.H, f.NH, f.FF
    g = _Graph()
    axis0 = g.const("axis0", np.array([0], np.int64))
    if precision == "int8":
        one = g.const("one", np.array(1.0, np.float32))
        zp = g.const("zp128", np.array(128, np.uint8))
        inv_levels = g.const("inv127", np.array(1.0 / 127.0, np.float32))
        tiny = g.const("tiny", np.array(1e-30, np.float32))
        axis1 = g.const("axis1", np.array([1], np.int64))

    def matmul(x: str, names: list[str], n_in: int) -> str:
        """x [S, K] @ W^T for the Q4 weights `names` (stacked on outputs), without bias."""
        blocks = f.blocks(names, n_in)
        label = names[0]
        if precision == "fp32":
            w32 = np.ascontiguousarray(dequantize(blocks).T)  # [K, N], exact: q * fp16 scale
            return g.op("MatMul", [x, g.const(label, w32)])
        if precision == "q4":
            nib = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)  # [N, nb, 32]
            packed = (nib[..., 0::2] | (nib[..., 1::2] << 4)).astype(
                np.uint8
            )  # 2 per byte, in order
            scales = blocks["d"].astype(np.float32).reshape(-1)
            inputs = [x, g.const(label, packed), g.const(label + ".scale", scales)]
            n_out = blocks.shape[0]
            return g.op(
                "MatMulNBits",
                inputs,
                domain=_MS,
                K=n_in,
                N=n_out,
                bits=4,
                block_size=QK,
                accuracy_level=1,
            )
        w = dequantize(blocks).T  # [K, N]
        col_scale = np.abs(w).max(axis=0) / weight_levels
        col_scale[col_scale == 0] = 1.0
        w8 = g.const(label, np.rint(w / col_scale).astype(np.int8))
        ws = g.const(label + ".scale", col_scale.astype(np.float32))
        amax = g.op("ReduceMax", [g.op("Abs", [x])], axes=[1], keepdims=0)
        row_scale = g.op("Max", [g.op("Mul", [amax, inv_levels]), tiny])
        row_zp = g.op("Expand", [zp, g.op("Shape", [row_scale])])
        xq = g.op("QuantizeLinear", [x, row_scale, row_zp], axis=0)
        acc = g.op("MatMulIntegerToFloat", [xq, w8, one, ws, zp], domain=_MS)
        return g.op("Mul", [acc, g.op("Unsqueeze", [row_scale, axis1])])

    def const(name: str) -> str:
        return g.const(name, f.f32(name))

    h = g.op(
        "LayerNormalization", ["x", const("emb.ln.w"), const("emb.ln.b")], axis=-1, epsilon=f.eps
    )
    for i in range(f.NL):
        p = f"l{i}."
        qkv = matmul(h, [p + "q.w", p + "k.w", p + "v.w"], H)
        q, k, v = g.op("Split", [g.op("Unsqueeze", [qkv, axis0])], n_out=3, axis=-1)
        bias = g.const(
            p + "qkv.b", np.concatenate([f.f32(p + "q.b"), f.f32(p + "k.b"), f.f32(p + "v.b")])
        )
        ctx = g.op("MultiHeadAttention", [q, k, v, bias], domain=_MS, num_heads=NH)
        attn = matmul(g.op("Squeeze", [ctx, axis0]), [p + "ao.w"], H)
        ln1 = [const(p + "aln.w"), const(p + "aln.b"), const(p + "ao.b")]
        h1 = g.op("SkipLayerNormalization", [attn, h, *ln1], domain=_MS, epsilon=f.eps)
        mid = g.op("BiasGelu", [matmul(h1, [p + "fi.w"], H), const(p + "fi.b")], domain=_MS)
        ln2 = [const(p + "oln.w"), const(p + "oln.b"), const(p + "fo.b")]
        h = g.op(
            "SkipLayerNormalization",
            [matmul(mid, [p + "fo.w"], FF), h1, *ln2],
            domain=_MS,
            epsilon=f.eps,
        )
    pooled = g.op("ReduceMean", [h], axes=[0], keepdims=0)
    g.nodes.append(
        b"".join([_pb_bytes(1, pooled), _pb_bytes(2, "pooled"), _pb_bytes(4, "Identity")])
    )
    return g.model([_pb_value_info("x", 1, ["S", H])], [_pb_value_info("pooled", 1, [H])])
