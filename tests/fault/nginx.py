"""The hall's nginx (deploy/nginx-hall.conf, as shipped) in front of the web servers, for the fault suite and
the benchmarks: a process of its own with its own prefix, configuration and free ports on 127.0.0.1.

The shipped file goes in unchanged but for its listen addresses, its certificate (a self-signed one for
127.0.0.1, made here) and the ports of `hall serve` it passes to: every other line is what a hall runs.
nginx runs in the foreground as a user without privileges (`nobody` when the tests run as root), its pid,
logs and temporary files inside its own directory, removed on `stop`.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

from content.broker.local import LOOPBACK, free_port
from tests.conftest import REPO, WAIT_S

SHIPPED = REPO / "deploy" / "nginx-hall.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

_MAIN = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    include {dir}/hall.conf;
}}
"""


def nginx_available() -> bool:
    return Path(NGINX).is_file() and shutil.which("openssl") is not None


def hall_conf(*, public: int, console: int, pages: int, staff: int, cert: Path, key: Path) -> str:
    """The shipped file with nginx listening on 127.0.0.1:`public` and :`console`, passing to `hall serve`'s
    pages on `pages` and its console on `staff`. Each line changed must be there as shipped."""
    text = SHIPPED.read_text(encoding="utf-8")
    changes = [
        ("listen 443 ssl;", f"listen {LOOPBACK}:{public} ssl;", 1),
        ("listen 192.168.1.10:8443 ssl;", f"listen {LOOPBACK}:{console} ssl;", 1),
        ("/etc/ssl/hall/hall.crt;", f"{cert};", 2),
        ("/etc/ssl/hall/hall.key;", f"{key};", 2),
        ("proxy_pass http://127.0.0.1:8080;", f"proxy_pass http://{LOOPBACK}:{pages};", 2),
        ("proxy_pass http://127.0.0.1:8081;", f"proxy_pass http://{LOOPBACK}:{staff};", 1),
    ]
    for old, new, times in changes:
        assert text.count(old) == times, f"{SHIPPED.name}: expected {old!r} {times} times"
        text = text.replace(old, new)
    return text


class Nginx:
    """nginx with the hall's configuration in front of `pages` and `staff` (the ports `hall serve` listens on):
    the public pages on `public_url`, the console on `console_url`, both https with `context` trusting them."""

    def __init__(self, pages: int, staff: int) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hall-nginx-"))
        self.public, self.console = free_port(), free_port()
        cert, key = self.dir / "hall.crt", self.dir / "hall.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={LOOPBACK}",
             "-addext", f"subjectAltName=IP:{LOOPBACK}", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        conf = hall_conf(public=self.public, console=self.console, pages=pages, staff=staff, cert=cert, key=key)
        (self.dir / "hall.conf").write_text(conf, encoding="utf-8")
        (self.dir / "nginx.conf").write_text(_MAIN.format(dir=self.dir), encoding="utf-8")
        (self.dir / "tmp").mkdir()
        self._user: str | None = None
        if os.geteuid() == 0:  # never nginx as root: as nobody, owning its directory
            self._user = "nobody"
            for path in [self.dir, *self.dir.rglob("*")]:
                shutil.chown(path, "nobody")
        self.context = ssl.create_default_context(cafile=str(cert))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def public_url(self) -> str:
        return f"https://{LOOPBACK}:{self.public}"

    @property
    def console_url(self) -> str:
        return f"https://{LOOPBACK}:{self.console}"

    def _argv(self, *extra: str) -> list[str]:
        return [
            NGINX,
            "-p",
            str(self.dir),
            "-c",
            str(self.dir / "nginx.conf"),
            "-e",
            str(self.dir / "error.log"),
            *extra,
        ]

    def start(self) -> Self:
        checked = subprocess.run(self._argv("-t"), capture_output=True, user=self._user, timeout=30)
        assert checked.returncode == 0, checked.stderr.decode()
        self._process = subprocess.Popen(
            self._argv("-g", "daemon off;"), user=self._user, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # nginx says nothing when it listens: its ports answer, or it has ended.
        deadline = time.monotonic() + WAIT_S
        for port in (self.public, self.console):
            while True:
                try:
                    socket.create_connection((LOOPBACK, port), timeout=1).close()
                    break
                except OSError:
                    if self._process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"nginx did not start: {self.log()}") from None
                    time.sleep(0.05)
        return self

    def log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(WAIT_S)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(WAIT_S)
            assert self._process.stderr is not None
            self._process.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
