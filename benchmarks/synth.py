"""Synthetic stores for the search benchmark: the seed chunks grown to 9,400 .. 200,000.

Plain copies would give every term of a copy exactly the document frequency of the seeds
times the number of copies, and a vocabulary that never grows; neither is what a real
corpus of 200,000 chunks looks like. So every copy of a seed document varies its text:

- every number becomes another number of the same length;
- about 30% of the copy's distinct words are swapped for other seed words, drawn by how
  often the seeds use them (so the word-frequency curve keeps its shape), and about 3%
  for a new made-up two-character word (so the vocabulary grows, as it does in real
  corpora); a swap holds for the whole copy, like a report about another park.

The keyword index gets the jieba search-mode tokens of the varied text. The vectors are
the seed chunk's real embedding plus Gaussian noise (sigma 0.015 per dimension, cosine
about 0.96 to the original), re-normalised: the HNSW graph then has realistic size and
neighbourhoods, but the vectors do not follow the varied text.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.index import Catalog, Index
from assistant.index import catalog as catalog_module
from assistant.index.tokenize import tokenize
from assistant.schema import Chunk

RECIPE = "v1: numbers, 30% word swaps, 3% new words, sigma 0.015"
NOISE_SIGMA = 0.015
SWAP_P = 0.30
NEW_P = 0.03
_CJK = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"\d")


class _Varier:
    """Makes varied copies of seed chunks and their keyword tokens."""

    def __init__(self, seed_chunks: list[Chunk]) -> None:
        import jieba

        self.words: dict[str, list[str]] = {}  # chunk text/heading -> precise jieba words
        counts: Counter[str] = Counter()
        for c in seed_chunks:
            for part in (c.heading, c.text):
                if part not in self.words:
                    self.words[part] = list(jieba.cut(part))
                    counts.update(w for w in self.words[part] if _CJK.search(w))
        self.vocab = list(counts)
        self.weights = [counts[w] for w in self.vocab]
        self.chars = sorted({ch for w in self.vocab for ch in w})
        self._expansion: dict[str, list[str]] = {}

    def expand(self, word: str) -> list[str]:
        """The search-mode tokens of one word (the word and its sub-words)."""
        out = self._expansion.get(word)
        if out is None:
            out = self._expansion[word] = tokenize(word)
        return out

    def mapping(self, rng: random.Random, words: set[str]) -> dict[str, str]:
        """One copy's word swaps: held for the whole copy."""
        out: dict[str, str] = {}
        for w in sorted(words):
            r = rng.random()
            if r < NEW_P:
                out[w] = "".join(rng.choice(self.chars) for _ in range(2))
            elif r < NEW_P + SWAP_P:
                out[w] = rng.choices(self.vocab, self.weights)[0]
        return out

    def vary(self, rng: random.Random, part: str, swaps: dict[str, str]) -> list[str]:
        out = []
        for w in self.words[part]:
            if _DIGITS.search(w):
                w = _DIGITS.sub(lambda _m: str(rng.randrange(10)), w)
            else:
                w = swaps.get(w, w)
            out.append(w)
        return out


def build(
    index: Index,
    target: int,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> int:
    """Grow an index holding the ingested seeds to about `target` chunks (see module doc)."""
    base = [c for c in index.catalog.all_chunks() if "~" not in c.doc_id]
    keys = [Catalog.cache_key(index.embedder.name, c.embed_text()) for c in base]
    cached = index.catalog.cached_vectors(keys)
    base_vecs = np.stack([cached[k] for k in keys]).astype(np.float32)
    by_doc: dict[str, list[int]] = {}
    for i, c in enumerate(base):
        by_doc.setdefault(c.doc_id, []).append(i)
    varier = _Varier(base)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    tokens_of: dict[str, str] = {}
    real_tokenize = catalog_module.tokenize
    # replace_chunks tokenises a chunk's keyword text with jieba; the varied tokens are known
    catalog_module.tokenize = lambda s: tokens_of[s].split(" ")  # type: ignore[assignment]
    t0 = time.perf_counter()
    copy = 0
    try:
        while index.catalog.chunk_count() < target:
            copy += 1
            ids: list[str] = []
            vecs: list[np.ndarray] = []
            metas: list[dict] = []
            for doc_id, rows in by_doc.items():
                new_doc = f"{doc_id}~{copy:05d}"
                if index.catalog.document(new_doc):
                    continue
                words = {
                    w
                    for i in rows
                    for p in (base[i].heading, base[i].text)
                    for w in varier.words[p]
                }
                swaps = varier.mapping(rng, {w for w in words if _CJK.search(w)})
                chunks = []
                for i in rows:
                    c = base[i]
                    heading_words = varier.vary(rng, c.heading, swaps)
                    text_words = varier.vary(rng, c.text, swaps)
                    heading, text = "".join(heading_words), "".join(text_words)
                    toks = [t for w in heading_words + text_words for t in varier.expand(w)]
                    new = replace(
                        c,
                        doc_id=new_doc,
                        chunk_id=f"{c.chunk_id}~{copy}",
                        heading=heading,
                        text=text,
                    )
                    # the keyword text starts with the document's identity (its title)
                    toks = real_tokenize(new.identity()) + toks
                    tokens_of[new.keyword_text()] = " ".join(toks)
                    chunks.append(new)
                noisy = base_vecs[rows] + nrng.normal(
                    0, NOISE_SIGMA, (len(rows), base_vecs.shape[1])
                )
                noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
                ids += [c.chunk_id for c in chunks]
                vecs.append(noisy.astype(np.float32))
                metas += [{"doc_id": c.doc_id, "ordinal": c.ordinal} for c in chunks]
                index.catalog.replace_chunks(new_doc, "", chunks[0].title, "synthetic", chunks)
                tokens_of.clear()
            if ids:
                index.vectors.upsert(ids, np.concatenate(vecs), metas)
            if log and copy % 100 == 0:
                log(f"    {index.catalog.chunk_count()} chunks, {time.perf_counter() - t0:.0f} s")
    finally:
        catalog_module.tokenize = real_tokenize
    return index.catalog.chunk_count()


def cached_store(
    cache: Path,
    seeds_data: Path,
    target: int,
    open_index: Callable[[Path], Index],
    log: Callable[[str], None] | None = None,
) -> Path:
    """A data dir with about `target` chunks, built once and kept under `cache`."""
    path = cache / f"{target}"
    stamp = path / "built.json"
    if stamp.is_file() and json.loads(stamp.read_text()).get("recipe") == RECIPE:
        return path
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(seeds_data, path)
    index = open_index(path)
    t0 = time.perf_counter()
    n = build(index, target, log=log)
    stamp.write_text(
        json.dumps({"recipe": RECIPE, "chunks": n, "build_s": round(time.perf_counter() - t0, 1)})
    )
    del index
    return path
