"""What a person may type or hand us: names, numbers and files, checked in one place.

The CLI, `profile apply` (YAML) and `import` (JSON) all go through these, so a value refused
on the command line is refused in a file too. Each check raises ConfigError with one line
that names the rule.
"""

from __future__ import annotations

import math
import os
import re
import stat
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from models.errors import ConfigError

MAX_NAME = 64
NAME_RULE = (
    f"1-{MAX_NAME} letters, digits, spaces, '-', '_' or '.', starting with a letter or digit"
)
# \w is Unicode letters, digits and "_"; the first character must be a letter or a digit,
# which also rules out ".", ".." and hidden-file names (a profile name is a folder name).
_NAME = re.compile(r"[^\W_][\w .-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

MB = 1024 * 1024
MAX_SEED_FILE = 10 * MB  # a Zotero export of ~8,000 items with abstracts; parses in ~1 s
MAX_YAML_FILE = 1 * MB  # profiles are a few hundred bytes each
MAX_EXPORT_FILE = 512 * MB  # years of delivery history
_CHUNK = MB


def check_name(value: str, what: str = "profile") -> str:
    """A profile or source name, stripped; raises ConfigError naming the rule."""
    if not isinstance(value, str):
        raise ConfigError(f"invalid {what} name {value!r}: {NAME_RULE}")
    name = unicodedata.normalize("NFC", value).strip()
    if len(name) > MAX_NAME or not _NAME.fullmatch(name):
        raise ConfigError(f"invalid {what} name {_shown(name)}: {NAME_RULE}")
    return name


def check_text(value: str, what: str, *, max_len: int = 500) -> str:
    """A free-text setting (keyword, author, description): no control characters, bounded."""
    if _CONTROL.search(value):
        raise ConfigError(f"{what} {_shown(value)} contains a control character")
    if len(value) > max_len:
        raise ConfigError(f"{what} {_shown(value)} is longer than {max_len} characters")
    return value


def scrub(value: str, limit: int) -> str:
    """Text from a file rather than a keyboard: control characters become spaces (a NUL
    breaks PostgreSQL), whitespace is collapsed, and the result is cut to `limit`."""
    return " ".join(_CONTROL.sub(" ", value).split())[:limit]


def source_location(text: str) -> str:
    """Where a source is read from: an http(s) URL as given, or a feed file on this machine
    as an absolute path (a relative one would point elsewhere from another directory, such
    as the one `paperround serve` runs in). The file must exist."""
    text = text.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise ConfigError(f"invalid URL {_shown(text)}: it names no host")
        return text
    if scheme == "file":
        path = Path(parts.path)
    elif scheme:
        raise ConfigError(
            f"unsupported URL scheme {scheme!r} in {_shown(text)}: "
            "give an http(s) URL or the path of a feed file"
        )
    else:
        path = Path(text).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"no feed file at {_shown(text)}: give an http(s) URL or the path of a feed file"
        )
    return str(path.resolve())


def finite(text: str | float, what: str = "value") -> float:
    """A finite number from text or a number; NaN and infinities are refused."""
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} {_shown(str(text))} is not a number") from None
    if not math.isfinite(number):
        raise ConfigError(f"{what} {_shown(str(text))} is not a finite number")
    return number


def read_text(path: Path, *, limit: int, what: str = "file") -> str:
    """A UTF-8 text file of at most `limit` bytes, never reading more than that.

    A regular file is refused by its size before a byte is read; anything else (/dev/zero,
    a pipe) is read in chunks and refused at the first NUL byte (no text format we read has
    one) or past `limit`: one line, instead of filling memory or parsing for minutes.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise _too_big(path, limit, what)
            while size <= limit and (chunk := f.read(min(_CHUNK, limit + 1 - size))):
                if (nul := chunk.find(b"\0")) >= 0:
                    raise _not_text(path, f"a NUL byte at offset {size + nul}", what)
                chunks.append(chunk)
                size += len(chunk)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > limit:
        raise _too_big(path, limit, what)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_text(path, f"byte 0x{data[exc.start]:02x} at offset {exc.start}", what) from None


def _too_big(path: Path, limit: int, what: str) -> ConfigError:
    return ConfigError(
        f"{path} is larger than {limit // MB} MB, the most a {what} may hold: "
        "split it or remove what is not needed"
    )


def _not_text(path: Path, where: str, what: str) -> ConfigError:
    return ConfigError(f"{path} is not UTF-8 text ({where}): expected a {what}")


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted for an error line: repr escapes control characters, long ones are cut."""
    return repr(value if len(value) <= limit else value[:limit] + "…")
