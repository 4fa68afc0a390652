"""The deployed layout for real: deploy/nginx/serve starts nginx (deploy/nginx/nginx.conf) in front
of gunicorn, on a database of DATABASE_URL's kind and a Redis of its own.

Slow clients and short bodies must cost nginx a socket, never a gunicorn worker; public pages come
from nginx's cache and an edit shows through within 5 s; a stopped or frozen app leaves cached
pages answered and every other request answered with 503 within the documented bounds."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.core.test_faults import (  # noqa: F401  (database and redis are fixtures used here)
    BASE_DIR,
    Answer,
    database,
    environment,
    free_port,
    manage,
    redis,
    request,
    wait_for_port,
)

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
    pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx (scripts/test has it)"),
]


class Served:
    """deploy/nginx/serve as the container runs it: nginx on one port, gunicorn on loopback."""

    def __init__(self, env: dict[str, str], run_dir: Path) -> None:
        self.port = free_port()
        self.app_port = free_port()
        self.run_dir = run_dir
        self.app_env = env
        self.env = {
            **env,
            "LISTEN": f"127.0.0.1:{self.port}",
            "BIND": f"127.0.0.1:{self.app_port}",
            "NGINX_RUN_DIR": str(run_dir),
            "WEB_CONCURRENCY": "2",
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Served:
        self.log = (self.run_dir.parent / "serve.log").open("wb")
        self.process = subprocess.Popen(
            ["deploy/nginx/serve"], cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=self.log
        )
        wait_for_port(self.port, 30)
        wait_for_port(self.app_port, 30)
        deadline = time.monotonic() + 30
        while len(self.gunicorn()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.log.close()

    def gunicorn(self) -> list[int]:
        """The gunicorn master and its workers."""
        assert self.process is not None
        pids = []
        for child in children(self.process.pid):
            if b"gunicorn" in Path(f"/proc/{child}/cmdline").read_bytes():
                pids += [child, *children(child)]
        return pids

    def logged(self) -> str:
        return (self.run_dir.parent / "serve.log").read_text(errors="replace")


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture(scope="module")
def served(database, redis, tmp_path_factory) -> Served:  # noqa: F811
    env = environment(database, REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    # nginx's workers run as nobody when the tests run as root: its directory must be reachable.
    run_dir = Path(tempfile.mkdtemp(prefix="portal-nginx-"))
    run_dir.chmod(0o755)
    with Served(env, run_dir / "nginx") as server:
        yield server
    shutil.rmtree(run_dir, ignore_errors=True)


def timed(port: int, path: str, **kwargs) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = request(port, "GET", path, **kwargs)
    return answer, time.monotonic() - started


def cached_pages_served_and_health_unavailable(served: Served) -> None:
    """With the app or its database not answering: cached pages within 1 s, /healthz 503 in time."""
    time.sleep(2.5)  # the cached copies are past s-maxage: nginx must ask the app again
    for path in ("/", "/changes/"):
        answer, seconds = timed(served.port, path)
        assert answer.status == 200 and b"<html" in answer.body, path
        assert seconds < 1, (path, seconds)
    health, seconds = timed(served.port, "/healthz")
    assert health.status == 503 and seconds < 3.5, (health.status, seconds)


def test_public_pages_come_from_the_cache_and_an_edit_shows_within_5_seconds(served):
    path = "/meshes/kuma/"
    request(served.port, "GET", path)
    again = request(served.port, "GET", path)
    assert again.status == 200 and again.headers["x-cache-status"] == "HIT"
    assert "s-maxage=" in again.headers["cache-control"]

    summary = f"Edited through the admin at {time.time():.0f}"
    manage(
        served.app_env,  # the same shared cache, whose data version retires the pages
        "shell",
        "-c",
        "from comparison.models import Mesh\n"
        "mesh = Mesh.objects.get(slug='kuma')\n"
        f"mesh.summary = {summary!r}\n"
        "mesh.save()\n",
    )
    edited = time.monotonic()
    while summary.encode() not in request(served.port, "GET", path).body:
        assert time.monotonic() - edited < 5, "the edit did not show through the cache within 5 s"
        time.sleep(0.2)


def test_revalidation_keeps_the_copy_when_nothing_changed(served):
    # Stored first (a slow first render may time out and leave nothing to keep).
    deadline = time.monotonic() + 20
    while (first := request(served.port, "GET", "/overview/")).headers["x-cache-status"] != "HIT":
        assert time.monotonic() < deadline, "the page was never stored"
        time.sleep(0.2)
    deadline = time.monotonic() + 4  # s-maxage is 2 s: by then nginx must ask the app again
    while (expired := request(served.port, "GET", "/overview/")).headers["x-cache-status"] == "HIT":
        assert time.monotonic() < deadline, "the copy was never revalidated"
        time.sleep(0.2)
    # The app answered 304 (or is being asked in the background): the copy is kept, not renewed.
    assert expired.headers["x-cache-status"] in {"STALE", "UPDATING", "REVALIDATED"}
    assert expired.headers["etag"] == first.headers["etag"]
    # Once the background revalidation is done, the kept copy is fresh again.
    deadline = time.monotonic() + 5
    while request(served.port, "GET", "/overview/").headers["x-cache-status"] != "HIT":
        assert time.monotonic() < deadline, "the revalidated copy never became fresh"
        time.sleep(0.2)


def test_requests_with_a_session_pass_by_the_cache(served):
    answer = request(served.port, "GET", "/", headers={"Cookie": "sessionid=anything"})
    assert answer.status == 200 and answer.headers["x-cache-status"] == "BYPASS"


def test_a_foreign_host_is_refused_even_for_a_cached_page(served):
    request(served.port, "GET", "/")
    assert request(served.port, "GET", "/").headers["x-cache-status"] == "HIT"
    assert request(served.port, "GET", "/", headers={"Host": "evil.example"}).status == 400


def slow_client(port: int, stop: threading.Event) -> None:
    """Slowloris: a request line, then one header line every 2 s, never the blank line."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        while not stop.wait(2):
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                return


def short_body(port: int, results: list[bytes]) -> None:
    """A POST that announces 1,000 bytes and sends 10."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/recommend HTTP/1.1\r\nHost: localhost\r\n"
            b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"must": '
        )
        try:
            results.append(sock.recv(1000))
        except OSError as error:
            results.append(repr(error).encode())


def test_fifty_slow_clients_and_a_short_body_leave_the_site_answering_within_a_second(served):
    stop = threading.Event()
    slow = [threading.Thread(target=slow_client, args=(served.port, stop)) for _ in range(50)]
    short_results: list[bytes] = []
    short = [
        threading.Thread(target=short_body, args=(served.port, short_results)) for _ in range(4)
    ]
    for thread in slow + short:
        thread.start()
    try:
        time.sleep(1)
        probes = []
        deadline = time.monotonic() + 14  # past nginx's 10 s client timeouts
        while time.monotonic() < deadline:
            for path in ("/healthz", "/compare/?mesh=linkerd&mesh=kuma"):
                answer, seconds = timed(served.port, path, headers={"Cookie": "sessionid=x"})
                probes.append((path, answer.status, seconds))
            time.sleep(0.3)
    finally:
        stop.set()
        for thread in slow + short:
            thread.join(30)
    slowest = max(seconds for _, _, seconds in probes)
    assert all(status == 200 for _, status, _ in probes), probes
    assert slowest < 1, f"a probe took {slowest:.2f} s"
    # nginx gave up on the short bodies itself (408 or a closed socket); gunicorn never saw them.
    assert len(short_results) == 4
    assert not any(result.startswith(b"HTTP/1.1 5") for result in short_results), short_results
    log = served.logged()
    assert "WORKER TIMEOUT" not in log and "SystemExit" not in log, log[-3000:]


def test_a_stopped_app_leaves_cached_pages_and_answers_503_in_time(served):
    for path in ("/", "/changes/"):
        request(served.port, "GET", path)
    pids = served.gunicorn()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        cached_pages_served_and_health_unavailable(served)
        uncached, seconds = timed(served.port, "/meshes/istio-sidecar/?never=cached")
        assert uncached.status == 503 and uncached.headers["retry-after"] == "30"
        assert seconds < 5.5, seconds
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    deadline = time.monotonic() + 30
    while request(served.port, "GET", "/healthz").status != 200:
        assert time.monotonic() < deadline, "the app did not come back"
        time.sleep(0.5)


# A frozen PostgreSQL ------------------------------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql")


def postgres_binaries() -> Path | None:
    found = sorted(PG_BIN.glob("*/bin/postgres"))
    return found[-1].parent if found else None


class OwnPostgres:
    """A PostgreSQL cluster of this test's own, so it can be frozen without touching anyone's."""

    def __init__(self, root: Path) -> None:
        self.bin = postgres_binaries()
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def run(self, *args: str) -> list[str]:
        # PostgreSQL refuses to run as root; the cluster belongs to the postgres user then.
        return ["runuser", "-u", "postgres", "--", *args] if os.getuid() == 0 else list(args)

    def __enter__(self) -> OwnPostgres:
        assert self.bin is not None
        self.root.mkdir(parents=True)
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(
            self.run(
                str(self.bin / "initdb"),
                "-D",
                str(self.root / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
            ),
            check=True,
            capture_output=True,
        )
        self.start()
        return self

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.run(
                str(self.bin / "postgres"),
                "-D", str(self.root / "data"),
                "-p", str(self.port),
                "-k", str(self.root),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, 30)
        time.sleep(0.5)

    def stop(self) -> None:
        """A clean, fast shutdown (SIGINT); start() brings the same cluster back."""
        assert self.process is not None
        # runuser (as root) does not pass signals on: the postmaster is its child then.
        postmaster = children(self.process.pid) if os.getuid() == 0 else [self.process.pid]
        for pid in postmaster:
            os.kill(pid, signal.SIGINT)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            for pid in self.pids():
                os.kill(pid, signal.SIGKILL)
            self.process.wait(5)

    def __exit__(self, *exc: object) -> None:
        self.thaw()
        self.stop()

    def pids(self) -> list[int]:
        """The postmaster and every backend: freezing only one would let the others answer."""
        assert self.process is not None
        return [self.process.pid, *descendants(self.process.pid)]

    def signal(self, number: int) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):  # a backend that has just ended
                os.kill(pid, number)

    def freeze(self) -> None:
        self.signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.signal(signal.SIGCONT)


@pytest.fixture(scope="module")
def frozen_site(redis, tmp_path_factory):  # noqa: F811
    """The deployed layout on a PostgreSQL of its own (not DATABASE_URL's, which others use)."""
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    root.chmod(0o755)
    try:
        with OwnPostgres(root / "cluster") as postgres:
            url = f"postgres://postgres@127.0.0.1:{postgres.port}/postgres"
            env = environment(url, REDIS_URL=f"redis://127.0.0.1:{redis.port}/1")
            manage(env, "migrate", "--noinput")
            manage(env, "import_meshes", "fixtures/meshes.json")
            with Served(env, root / "nginx") as server:
                yield server, postgres
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(postgres_binaries() is None, reason="needs PostgreSQL's server binaries")
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a PostgreSQL fault: runs with the PostgreSQL suite",
)
def test_a_frozen_database_answers_within_the_documented_bounds(frozen_site):
    served, postgres = frozen_site
    for path in ("/", "/changes/", "/healthz"):
        assert request(served.port, "GET", path).status == 200, path
    postgres.freeze()
    try:
        cached_pages_served_and_health_unavailable(served)
        answers = []
        for path in ("/meshes/linkerd/?a=1", "/features/mtls-tcp/?b=2", "/api/meshes.json?c=3"):
            answer, seconds = timed(served.port, path, timeout=30)
            answers.append((path, answer.status, seconds))
        assert all(status == 503 and seconds < 5.5 for _, status, seconds in answers), answers
    finally:
        postgres.thaw()
    deadline = time.monotonic() + 40
    while request(served.port, "GET", "/healthz").status != 200:
        assert time.monotonic() < deadline, "the portal did not recover from the frozen database"
        time.sleep(0.5)
    assert request(served.port, "GET", "/meshes/linkerd/?after=thaw").status == 200

    # Stopped outright, the database refuses connections: the app itself answers 503 at once.
    request(served.port, "GET", "/overview/")
    postgres.stop()
    try:
        health, seconds = timed(served.port, "/healthz")
        assert health.status == 503 and seconds < 3, (health.status, seconds)
        cached, seconds = timed(served.port, "/overview/")
        assert cached.status == 200 and seconds < 1, (cached.status, seconds)
        uncached, seconds = timed(served.port, "/features/tracing/?stopped=1")
        assert uncached.status == 503 and uncached.headers["retry-after"] == "30", uncached
        assert b"temporarily unavailable" in uncached.body.lower() and seconds < 3
    finally:
        postgres.start()
    deadline = time.monotonic() + 40
    while request(served.port, "GET", "/healthz").status != 200:
        assert time.monotonic() < deadline, "the portal did not recover from the stopped database"
        time.sleep(0.5)
