"""The two systems measured side by side: loading a file into each, serving it, and watching the server's processes.

claimgraph is ``claimgraph --store DIR load FILE`` then ``claimgraph --store DIR serve --port P`` (updates with the
bearer token :data:`UPDATE_TOKEN`); Oxigraph is ``oxigraph load`` then ``oxigraph serve --union-default-graph``, so
that both answer a query without ``GRAPH`` over the union of the named graphs.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

UPDATE_TOKEN = "bench"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class Loaded:
    """How a load went: wall seconds, and the command that loaded."""

    seconds: float
    how: str


def _timed(command: list[str], what: str) -> float:
    """Run ``command`` and return its wall seconds.

    :raises RuntimeError: naming ``what`` and the command's last error line, if it fails.
    """
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({' '.join(command)}): {done.stderr.strip().splitlines()[-1:]}")
    return time.perf_counter() - start


def load_claimgraph(file: Path, directory: Path) -> Loaded:
    """Load ``file`` into a new claimgraph store at ``directory`` with ``claimgraph --store DIR load FILE``.

    :raises RuntimeError: if the load fails.
    """
    shutil.rmtree(directory, ignore_errors=True)
    command = [str(BIN / "claimgraph"), "--store", str(directory), "load", str(file)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=_environment({}))
    if done.returncode != 0:
        raise RuntimeError(f"claimgraph load failed: {done.stderr.strip()}")
    return Loaded(time.perf_counter() - start, "claimgraph load")


def load_oxigraph(file: Path, directory: Path) -> Loaded:
    """Load ``file`` into a new Oxigraph store at ``directory`` with ``oxigraph load``.

    :raises RuntimeError: if the load fails.
    """
    shutil.rmtree(directory, ignore_errors=True)
    return Loaded(_timed([str(BIN / "oxigraph"), "load", "--location", str(directory), "--file", str(file)],
                         "oxigraph load"), "oxigraph load")


def _environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without its ``CLAIMGRAPH_*`` settings, plus ``settings``."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("CLAIMGRAPH_")}
    return {**environment, **settings}


class Server:
    """A server process on a free loopback port, its whole process tree watched while it runs."""

    def __init__(self, name: str, command: list[str], port: int, env: dict[str, str], ready: str,
                 query_path: str, update_path: str, update_headers: dict[str, str]) -> None:
        self.name, self.port, self.query_path, self.update_path = name, port, query_path, update_path
        self.update_headers = update_headers
        start = time.monotonic()
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = start + 600
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=60) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start: {' '.join(command)}")
                time.sleep(0.2)
        #: Seconds from launch to the first 200 of the readiness path.
        self.started_s = time.monotonic() - start
        self.watch = Watch(self.process.pid)

    def stop(self) -> None:
        self.watch.stopped.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve_claimgraph(store: Path, data_dir: Path, timeout_s: int) -> Server:
    """``claimgraph serve`` over ``store``, archived texts from ``data_dir``, queries stopped after ``timeout_s``."""
    port = free_port()
    env = _environment({"CLAIMGRAPH_UPDATE_TOKEN": UPDATE_TOKEN, "CLAIMGRAPH_QUERY_TIMEOUT": str(timeout_s),
                        "CLAIMGRAPH_DATA_DIR": str(data_dir)})
    command = [str(BIN / "claimgraph"), "--store", str(store), "serve", "--port", str(port)]
    return Server("claimgraph", command, port, env, "/healthz", "/sparql", "/update",
                  {"Authorization": f"Bearer {UPDATE_TOKEN}"})


def serve_oxigraph(store: Path, timeout_s: int) -> Server:
    """``oxigraph serve`` (read-write, union default graph) over ``store``, queries stopped after ``timeout_s``."""
    port = free_port()
    command = [str(BIN / "oxigraph"), "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}",
               "--timeout-s", str(timeout_s), "--union-default-graph"]
    return Server("oxigraph", command, port, _environment({}), "/query?query=ASK%7B%7D", "/query", "/update", {})


class Watch:
    """Samples the memory of a process and all its descendants (RSS; PSS where the system gives it) in a thread,
    and sums their CPU seconds; :meth:`mark` starts a measured span, :meth:`span` ends it."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.root, self.every = psutil.Process(pid), every
        self.cpu: dict[int, float] = {}
        self.peak_rss = self.peak_pss = 0
        self.start_cpu = 0.0
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _tree(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _sample(self) -> None:
        while not self.stopped.wait(self.every):
            rss = pss = 0
            for process in self._tree():
                try:
                    info = process.memory_full_info()
                    times = process.cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss += info.rss
                pss += getattr(info, "pss", 0)
                with self.lock:
                    self.cpu[process.pid] = times.user + times.system
            with self.lock:
                self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)

    def mark(self) -> None:
        """Start a span: peaks are reset, CPU counted from now."""
        with self.lock:
            self.peak_rss = self.peak_pss = 0
            self.start_cpu = sum(self.cpu.values())

    def span(self) -> dict[str, float]:
        """The span's peak RSS and PSS (MiB) and the CPU seconds the server's processes spent in it."""
        time.sleep(self.every * 2)
        with self.lock:
            return {"peak_rss_mib": self.peak_rss / 2**20, "peak_pss_mib": self.peak_pss / 2**20,
                    "server_cpu_s": sum(self.cpu.values()) - self.start_cpu}
