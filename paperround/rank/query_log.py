"""Profiles' expanded queries kept beside the index they were expanded on, for other processes.

Why: a query (query.py) depends only on the profile's seeds and likes and on the index, so
it stays valid until the index is refitted; but a fresh process (each flow run under
`paperround serve`) starts with an empty cache and would expand every profile's query again:
at 1,000 profiles 2.2 s of a 3.8 s batched run, 12 ms a profile one at a time
(docs/ranking.md). Each query computed is appended to one file in the index's folder, and a
process loads them all with the index.

Format: records appended to `queries.log`, each
  header "<4sHII" (magic, key length, nnz, latent dims), key (ASCII), term ids (int32),
  weights (float32), latent row (float32), CRC-32 of all of it (uint32).
Appends hold an exclusive flock on the file. A writer killed mid-record leaves a torn
record; a reader skips any record whose CRC fails and resumes at the next magic, so what
follows is not lost. The same key written twice (two processes expanding one profile at
once) gives the same row; the last one read wins.
"""

from __future__ import annotations

import fcntl
import logging
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)

LOG_NAME = "queries.log"
_MAGIC = b"PRQ1"
_HEAD = struct.Struct("<4sHII")
_CRC = struct.Struct("<I")

Query = tuple[sp.csr_matrix, np.ndarray]  # (1 x terms tf-idf row, latent row): query.py's


def encode(key: str, query: Query) -> bytes:
    row, latent = query
    indices = np.ascontiguousarray(row.indices, np.int32)
    data = np.ascontiguousarray(row.data, np.float32)
    latent = np.ascontiguousarray(latent, np.float32)
    name = key.encode("ascii")
    body = b"".join(
        [
            _HEAD.pack(_MAGIC, len(name), len(indices), len(latent)),
            name,
            indices.tobytes(),
            data.tobytes(),
            latent.tobytes(),
        ]
    )
    return body + _CRC.pack(zlib.crc32(body))


def append_queries(folder: Path, queries: Mapping[str, Query]) -> None:
    """Append these queries to the folder's log, in one write under the file's lock."""
    if not queries:
        return
    blob = b"".join(encode(k, q) for k, q in queries.items())
    with open(folder / LOG_NAME, "ab") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        try:
            out.write(blob)
            out.flush()
        finally:
            fcntl.flock(out, fcntl.LOCK_UN)


def load_queries(folder: Path, *, n_terms: int) -> dict[str, Query]:
    """Every whole query in the folder's log ({} without one); torn records are skipped."""
    try:
        blob = (folder / LOG_NAME).read_bytes()
    except OSError:
        return {}
    out: dict[str, Query] = {}
    at, torn = 0, 0
    while at + _HEAD.size <= len(blob):
        parsed = _decode(blob, at, n_terms)
        if parsed is None:
            torn += 1
            at = blob.find(_MAGIC, at + 1)
            if at < 0:
                break
            continue
        key, query, at = parsed
        out[key] = query
    if torn:
        log.warning("skipped %d torn query records in %s", torn, folder / LOG_NAME)
    return out


def _decode(blob: bytes, at: int, n_terms: int) -> tuple[str, Query, int] | None:
    """(key, query, offset after the record) of the record at `at`, or None if not whole."""
    magic, key_len, nnz, dims = _HEAD.unpack_from(blob, at)
    end = at + _HEAD.size + key_len + 8 * nnz + 4 * dims
    if magic != _MAGIC or end + _CRC.size > len(blob):
        return None
    if zlib.crc32(memoryview(blob)[at:end]) != _CRC.unpack_from(blob, end)[0]:
        return None
    pos = at + _HEAD.size
    key = blob[pos : pos + key_len].decode("ascii")
    pos += key_len
    indices = np.frombuffer(blob, np.int32, nnz, pos)
    data = np.frombuffer(blob, np.float32, nnz, pos + 4 * nnz)
    latent = np.frombuffer(blob, np.float32, dims, pos + 8 * nnz)
    if nnz and int(indices.max()) >= n_terms:
        return None  # written for another index: cannot happen in one folder, but be safe
    row = sp.csr_matrix((data, indices, np.array([0, nnz], np.int32)), shape=(1, n_terms))
    return key, (row, latent), end + _CRC.size
