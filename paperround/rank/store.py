"""A fitted TextIndex on disk: fitted by one process, loaded by any other in milliseconds.

Why: a scheduler runs each flow run in a fresh process (Prefect's Runner and process
workers do), so an index kept in memory is refitted every run: 9-12 s and ~900 MB peak
over a 90-day window. Saved once, it loads in a few milliseconds (docs/ranking.md).

One index is one folder; files only, no pickle (nothing is executed on load):
  meta.json        format, code version, fingerprint, and the caller's fields; written last
  words.txt        the vocabulary, one token a line in id order, with ids in token_ids.npy
                   (rebuilding the dict from these is as fast as unpickling it, and safe)
  keys.json        the background rows' paper keys
  background_*.npy the window's CSR matrix as its three arrays (plus its shape in meta)
  <field>.npy      every other array, loaded memory-mapped (np.load(mmap_mode="r")): a
                   load reads no array, and processes on one machine share the pages.
A folder is written under a temporary name and renamed into place, so a reader never sees a
half-written one, and a writer killed midway leaves only a temporary folder, which
`prune` removes. Folders of a parent directory are listed by `indexes`; fits are
serialised by `fit_lock`. No SQL, no clock: callers bring both.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from paperround.rank import text
from paperround.rank.text import TextIndex

log = logging.getLogger(__name__)

FORMAT = 1
# What a saved index depends on besides its papers: the code that fits and writes it.
CODE_VERSION = hashlib.sha256(
    Path(text.__file__).read_bytes() + Path(__file__).read_bytes()
).hexdigest()[:12]
TEMP_PREFIX = ".tmp-"
LOCK_NAME = "lock"
_ARRAYS = (
    "unigram_col",
    "bigram_keys",
    "bigram_cols",
    "idf",
    "mean",
    "latent_terms",
    "components",
    "latent",
    "latent_mean",
)


def save_index(index: TextIndex, folder: Path, *, meta: dict) -> Path:
    """Write `index` to `folder` atomically (a temporary sibling renamed into place).

    `meta` is kept beside it and returned by load_index. An existing folder of that name is
    replaced (a refit of the same window).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder.parent))
    try:
        for name in _ARRAYS:
            _write_array(tmp / f"{name}.npy", getattr(index, name))
        bg = index.background
        for part in ("data", "indices", "indptr"):
            _write_array(tmp / f"background_{part}.npy", getattr(bg, part))
        ids = np.fromiter(index.tokens.values(), np.int64, len(index.tokens))
        _write_array(tmp / "token_ids.npy", ids)
        _write_bytes(tmp / "words.txt", "\n".join(index.tokens).encode())
        _write_bytes(tmp / "keys.json", json.dumps(index.keys).encode())
        head = {
            "format": FORMAT,
            "code": CODE_VERSION,
            "fingerprint": index.fingerprint,
            "background_shape": list(bg.shape),
            "meta": meta,
        }
        _write_bytes(tmp / "meta.json", json.dumps(head).encode())  # last: marks it whole
        if folder.exists():
            old = folder.with_name(f"{TEMP_PREFIX}old-{uuid.uuid4().hex}")
            folder.rename(old)
            tmp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(folder)
        _fsync_dir(folder.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def read_meta(folder: Path) -> dict | None:
    """The caller's fields of a whole index of this code, or None (absent, partial, older)."""
    try:
        head = json.loads((folder / "meta.json").read_bytes())
    except (OSError, ValueError):
        return None
    if head.get("format") != FORMAT or head.get("code") != CODE_VERSION:
        return None
    return head["meta"]


def load_index(folder: Path) -> tuple[TextIndex, dict] | None:
    """(the index, its meta) from a folder written by save_index; None if it is not one
    (removed meanwhile, or written by other code). Arrays are memory-mapped, read-only."""
    try:
        head = json.loads((folder / "meta.json").read_bytes())
        if head.get("format") != FORMAT or head.get("code") != CODE_VERSION:
            return None
        arrays = {name: _mapped(folder / f"{name}.npy") for name in _ARRAYS}
        parts = [_mapped(folder / f"background_{p}.npy") for p in _PARTS]
        words = (folder / "words.txt").read_bytes().decode().split("\n")
        ids = np.load(folder / "token_ids.npy")
        keys = tuple(json.loads((folder / "keys.json").read_bytes()))
    except (OSError, ValueError, KeyError) as exc:  # pruned under us, or damaged on disk
        log.warning("ranker index %s not loaded: %s", folder.name, exc)
        return None
    background = sp.csr_matrix(tuple(parts), shape=tuple(head["background_shape"]))
    index = TextIndex(
        tokens=dict(zip(words, ids.tolist(), strict=True)) if words != [""] else {},
        background=background,
        keys=keys,
        fingerprint=head["fingerprint"],
        **arrays,
    )
    return index, head["meta"]


_PARTS = ("data", "indices", "indptr")


def indexes(parent: Path) -> Iterator[tuple[Path, dict]]:
    """(folder, meta) of each whole index of this code under `parent`."""
    if not parent.is_dir():
        return
    for folder in sorted(parent.iterdir()):
        if folder.is_dir() and not folder.name.startswith(TEMP_PREFIX):
            meta = read_meta(folder)
            if meta is not None:
                yield folder, meta


def prune(parent: Path, keep: Path, *, mine: Callable[[dict], bool]) -> list[str]:
    """Remove every index under `parent` but `keep` that is `mine` (by its meta) or of
    other code, and leftover temporary folders. Call it holding fit_lock: a temporary
    folder is then no live writer's. A process still reading a removed index keeps its
    memory-mapped files until it lets go of them (POSIX unlink semantics)."""
    removed = []
    for folder in sorted(parent.iterdir()) if parent.is_dir() else []:
        if not folder.is_dir() or folder == keep:
            continue
        temp = folder.name.startswith(TEMP_PREFIX)
        meta = None if temp else read_meta(folder)
        if temp or meta is None or mine(meta):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


@contextmanager
def fit_lock(parent: Path) -> Iterator[None]:
    """Hold the index folder's lock (fcntl.flock on parent/lock), waiting for a process
    that holds it. The kernel drops a lock with its process, so a killed fitter never
    leaves one behind."""
    parent.mkdir(parents=True, exist_ok=True)
    with open(parent / LOCK_NAME, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another process is fitting the ranker's index; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mapped(path: Path) -> np.ndarray:
    """The array in `path`, memory-mapped read-only, as a plain ndarray (not np.memmap, whose
    every slice would be a memmap too)."""
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    return array.view(np.ndarray)


def _write_array(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as out:
        np.save(out, np.ascontiguousarray(array), allow_pickle=False)
        out.flush()
        os.fsync(out.fileno())


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
