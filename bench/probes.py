"""What bench/cli.py and bench/cycle.py measure with: a light SMTP sink that notes when each
message arrived, and a process tree's peak RSS (and which of its processes are still alive),
read from /proc."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


class Sink:
    """An SMTP server on 127.0.0.1 that only notes when each message arrived (wall clock):
    no parsing, so it takes little of the CPU the runs it times need."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.arrivals: list[float] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.arrivals.append(time.time())
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())

    def channel(self) -> str:
        """An Apprise URL for this sink; {i} names the recipient."""
        port = self.controller.port
        return (
            f"mailto://127.0.0.1:{port}?mode=insecure&from=digest@example.org&to=r{{i}}@example.org"
        )

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PeakRss:
    """Peak memory of a process tree while it runs, sampled from /proc every `every` s: the
    sum over the tree's processes of each one's own peak (VmHWM). The tree is `root` and its
    descendants; with `only`, the descendants whose command line holds it, and theirs (a
    Runner's flow-run processes, not the forks of the serving process that share its pages).
    Processes already running on entry (but `root`) are not counted. `seen`: pid -> peak KiB.
    """

    root: int
    only: bytes | None = None
    every: float = 0.05
    peak_kb: int = 0
    seen: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _old: set[int] = field(default_factory=set)

    def __enter__(self) -> PeakRss:
        self._old = set(self._tree()) - {self.root}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> int:
        return round(self.peak_kb / 1024)

    def _run(self) -> None:
        seen = self.seen  # kept after a process exits
        while not self._stop.is_set():
            for pid in self._tree():
                hwm = _hwm_kb(pid) if pid not in self._old else 0
                if hwm:
                    seen[pid] = max(seen.get(pid, 0), hwm)
            self.peak_kb = max(self.peak_kb, sum(seen.values()))
            self._stop.wait(self.every)

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += children.get(pid, [])
        if self.only is None:
            return tree
        roots = [pid for pid in tree if self.only in _cmdline(pid)]
        out = []
        while roots:
            pid = roots.pop()
            out.append(pid)
            roots += children.get(pid, [])
        return out


def alive(pids) -> list[int]:
    """Those of pids still running (not zombies)."""
    out = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(pid)
    return out


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
