"""Which machine a number came from: CPUs here differ (AVX2 only, or AVX-512/VNNI), and
speeds and some scores differ with them, so benchmarks and evaluation reports record it."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

_WANTED = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def cpu_info() -> dict[str, Any]:
    """The CPU's name, core count and the vector instruction sets that decide speed."""
    name, flags = platform.processor(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return {
        "name": name,
        "cpus": os.cpu_count(),
        "instruction_sets": [f for f in _WANTED if f in flags],
    }


def describe(cpu: dict[str, Any]) -> str:
    """ "AMD EPYC, 2 cores, avx2 fma avx512f avx512_vnni" for a report's header."""
    sets = " ".join(cpu.get("instruction_sets") or []) or "no AVX2"
    return f"{cpu.get('name') or 'unknown CPU'}, {cpu.get('cpus')} cores, {sets}"
