"""The app served by gunicorn, for the browser tests and the benchmarks; and `passport` runs."""

from __future__ import annotations

import contextlib
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_passport(env: dict[str, str], *args: str) -> None:
    """Run the `passport` command (as an administrator would), failing with its output."""
    done = subprocess.run(
        [str(BIN / "passport"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"passport {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@dataclass(frozen=True)
class Certificate:
    """A PEM certificate and its private key, for gunicorn to serve TLS."""

    cert_file: Path
    key_file: Path


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str
    pid_file: Path
    stdout: Path
    stderr: Path
    certificate: Certificate | None = None


@contextlib.contextmanager
def gunicorn(
    target: str,
    host: str,
    port: int,
    env: dict[str, str],
    folder: Path,
    *options: str,
    tls: Certificate | None = None,
) -> Iterator[Server]:
    """Serve `target` (over TLS with `tls`) until the block ends; ready once /healthz answers."""
    pid_file, stdout, stderr = folder / "gunicorn.pid", folder / "stdout.log", folder / "err.log"
    if tls:
        options = (*options, "--certfile", str(tls.cert_file), "--keyfile", str(tls.key_file))
    command = [
        str(BIN / "gunicorn"),
        *("--pid", str(pid_file), "-b", f"{host}:{port}", "--chdir", str(ROOT)),
        *options,
        target,
    ]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
    scheme = "https" if tls else "http"
    server = Server(process, f"{scheme}://{host}:{port}", pid_file, stdout, stderr, tls)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        _stop(server)


def _wait_until_healthy(server: Server) -> None:
    # Over TLS, the health check trusts exactly the server's own certificate.
    cafile = str(server.certificate.cert_file) if server.certificate else None
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped on start:\n{server.stderr.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(
                f"{server.url}/healthz", timeout=2, context=context
            ) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz in 30 s:\n{server.stderr.read_text()}")


def _stop(server: Server) -> None:
    try:
        pid = int(server.pid_file.read_text().strip())
    except (OSError, ValueError):
        pid = server.process.pid
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)
        server.process.wait(timeout=10)
