"""On-disk cache of built road graphs and matrices, as numpy .npz files (no pickle).

Keys are SHA-256 hashes of the extract file's bytes and every parameter that changes the result
(speed tables, snapping and van settings, the points), plus a format version bumped whenever the
code computes something different. A missing, unwritable or corrupt cache only costs a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.network.graph import HIGHWAY_KMH, MAXSPEED_WORDS, OTHER_HIGHWAY_KMH
from planner.network.osm import DRIVE_EXCLUDE, WAY_TAGS, NetworkError
from planner.scenario import NetworkSettings, Point

FORMAT_VERSION = "vanplan-network-1"
MATRIX_FILES = 32  # matrices kept per cache dir; older ones are deleted when a new one is saved


def extract_key(path: Path) -> str:
    """Hash of the extract's bytes, the road rules and the format version: names the cached graph."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise NetworkError(f"OSM extract {path} is not readable: {exc.strerror}") from exc
    rules = {
        "highway_kmh": HIGHWAY_KMH,
        "other_kmh": OTHER_HIGHWAY_KMH,
        "maxspeed_words": MAXSPEED_WORDS,
        "drive_exclude": {k: rx.pattern for k, rx in DRIVE_EXCLUDE.items()},
        "way_tags": WAY_TAGS,
    }
    digest.update(json.dumps(rules, sort_keys=True).encode())
    return digest.hexdigest()


def matrix_key(graph_key: str, settings: NetworkSettings, points: Sequence[Point]) -> str:
    """Hash of the graph key, the van and snapping settings and the points' exact coordinates."""
    digest = hashlib.sha256(graph_key.encode())
    digest.update(repr((settings.van_speed_factor, settings.max_snap_m)).encode())
    digest.update(np.array([(p.lat, p.lon) for p in points], dtype=np.float64).tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Cache:
    """A cache directory (None: caching off); created on first save."""

    root: Path | None

    def path(self, kind: str, key: str) -> Path | None:
        """File holding one cached item, or None when caching is off."""
        return None if self.root is None else self.root / f"{kind}-{key}.npz"

    def load(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        """The arrays saved under this key, or None if absent or unreadable."""
        path = self.path(kind, key)
        if path is None or not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            os.utime(path)  # recently used: kept longest by `save(..., keep=...)`
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            return None
        return arrays

    def save(self, kind: str, key: str, arrays: Mapping[str, np.ndarray], keep: int | None = None) -> None:
        """Write arrays atomically, keep the `keep` most recently used of the kind; skip if unwritable."""
        path = self.path(kind, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, allow_pickle=False, **arrays)
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
            if keep is not None:
                files = sorted(
                    path.parent.glob(f"{kind}-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True
                )
                for old in files[keep:]:
                    old.unlink(missing_ok=True)
        except OSError:
            return
