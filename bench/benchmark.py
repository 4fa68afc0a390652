"""Load benchmark: gunicorn on loopback with the fixture, driven by wrk from a second process,
then the system as deployed: nginx (deploy/nginx/nginx.conf) in front of the same gunicorn.

Prints requests/s and p50/p95/p99 latency per scenario; the app alone's throughput for the
cached, brotli-compressed / against the very same compressed bytes served as a static file by
whitenoise, in the same run; the bytes of / on the wire; the uncached time, size and bytes per
cell of / at three data sizes (bench_render), and of the 30 x 100 table through gunicorn as a
browser gets it; and each worker's peak resident memory. For the deployed system: the cached /
through nginx's cache against the very same bytes served by the same nginx as a static file,
once with the page's own headers (the same bytes on the wire) and once bare.
Run it with bench/run.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ORIGIN = f"http://127.0.0.1:{PORT}"
TIER_ORIGIN = f"http://127.0.0.1:{PORT + 1}"  # nginx in front of gunicorn, as deployed
STATIC_ORIGIN = f"http://127.0.0.1:{PORT + 2}"  # the same nginx serving a file, same headers
BARE_STATIC_ORIGIN = f"http://127.0.0.1:{PORT + 3}"  # and with only the headers brotli needs
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
GATE = (
    "step=0&services=many&tech_diversity=high&communication=sync"
    "&kubernetes=yes&change_frequency=often&needs=mtls"
)
BROTLI = "br"
# (name, path, seconds, Accept-Encoding); every scenario but the POST sends br, as browsers do.
SCENARIOS = [
    ("/ (cached, br)", "/", SOAK_SECONDS, BROTLI),
    ("static copy of / (br)", "/static/bench/index.html", SECONDS, BROTLI),
    ("/ (cached, identity)", "/", SECONDS, "identity"),
    ("/ filtered", "/?must=mtls-tcp&must=fault-injection", SECONDS, BROTLI),
    ("/compare/", "/compare/?mesh=istio-sidecar&mesh=linkerd", SECONDS, BROTLI),
    ("mesh page", "/meshes/linkerd/", SECONDS, BROTLI),
    ("/api/meshes.json", "/api/meshes.json", SECONDS, BROTLI),
    ("questionnaire POST", "POST /questionnaire/step/", SECONDS, "identity"),
]
TARGET_RATIO = 0.9
TARGET_WIRE_KB = 35
TARGET_TABLE_MS = 60
TARGET_TABLE_KB = 120
TABLE_MESHES, TABLE_FEATURES = 30, 100
TABLE_RUNS = int(os.environ.get("BENCH_TABLE_RUNS", "25"))


def start_server(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


def wait_until_up(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{ORIGIN}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def wrk(path: str, seconds: int, encoding: str, env: dict[str, str], origin: str = ORIGIN) -> dict:
    script = "post.lua" if path.startswith("POST ") else "report.lua"
    url = origin + (path.split(" ", 1)[1] if path.startswith("POST ") else path)
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-H",
        f"Accept-Encoding: {encoding}",
        "-s",
        str(ROOT / "bench" / script),
        url,
    ]
    output = subprocess.run(command, env=env, check=True, text=True, capture_output=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def fetch(path: str, encoding: str, port: int = PORT) -> tuple[bytes, int]:
    """The body of a GET and the bytes of the whole response (status line and headers too)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": encoding})
    response = connection.getresponse()
    body = response.read()
    head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in response.getheaders()
    )
    connection.close()
    assert response.status == 200, (path, response.status)
    assert encoding == "identity" or response.getheader("Content-Encoding") == encoding
    return body, len(head.encode()) + 2 + len(body)


def uncached_table(env: dict[str, str]) -> tuple[float, int, int]:
    """Median ms, brotli and raw bytes of / at 30 x 100 from one gunicorn worker, page cache off.

    Sequential requests, each on a new connection as a browser's first visit; the generated rows
    are taken out again afterwards (the database may be one named by DATABASE_URL).
    """
    shell = "from devtools.sample_data import {0}; {0}({1})"
    size = f"{TABLE_MESHES}, {TABLE_FEATURES}"
    manage(env, "shell", "-v0", "-c", shell.format("fill_table", size))
    server = start_server({**env, "PAGE_CACHE": "false", "WEB_CONCURRENCY": "1"})
    try:
        wait_until_up()
        for _ in range(5):
            fetch("/", BROTLI)
        timings = []
        for _ in range(TABLE_RUNS):
            start = time.perf_counter()
            body, _wire = fetch("/", BROTLI)
            timings.append((time.perf_counter() - start) * 1000)
        raw, _wire = fetch("/", "identity")
    finally:
        stop_server(server)
        manage(env, "shell", "-v0", "-c", shell.format("remove_generated", ""))
    return statistics.median(timings), len(body), len(raw)


def worker_peak_memory(master_pid: int) -> list[int]:
    """Peak resident set (VmHWM) of each gunicorn worker, in MiB."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) // 1024)
    return sorted(peaks)


def wrk_revalidations(env: dict[str, str]) -> dict:
    """The app alone answering a browser's revalidation of / (If-None-Match: its ETag)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    connection.request("GET", "/", headers={"Accept-Encoding": BROTLI})
    response = connection.getresponse()
    response.read()
    etag = response.getheader("ETag")
    connection.close()
    command = [
        "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s",
        "-H", f"Accept-Encoding: {BROTLI}", "-H", f"If-None-Match: {etag}",
        "-s", str(ROOT / "bench" / "report.lua"), ORIGIN + "/",
    ]  # fmt: skip
    output = subprocess.run(command, env=env, check=True, text=True, capture_output=True).stdout
    return json.loads(output.strip().splitlines()[-1])


# Headers nginx writes itself for a file, or that name the transfer rather than the page.
OWN_HEADERS = {"date", "server", "connection", "content-length", "content-type", "x-cache-status"}


def page_headers(port: int) -> list[tuple[str, str]]:
    """The headers nginx's cache sends with / (br), but those nginx writes itself for a file."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/", headers={"Accept-Encoding": BROTLI})
    response = connection.getresponse()
    response.read()
    connection.close()
    return [(k, v) for k, v in response.getheaders() if k.lower() not in OWN_HEADERS]


def static_server(port: int, static_dir: Path, headers: list[tuple[str, str]]) -> str:
    """A server block of the same nginx sending the brotli copy of / as a file, with `headers`."""
    lines = "".join(
        '            add_header {} "{}";\n'.format(name, value.replace('"', '\\"'))
        for name, value in headers
    )
    # With the page's own ETag, nginx's file ETag would be a second one.
    etag = "            etag off;\n" if any(k.lower() == "etag" for k, _v in headers) else ""
    return f"""
    server {{
        listen 127.0.0.1:{port};
        location = /index.html {{
            root {static_dir};
            default_type "text/html; charset=utf-8";
{etag}{lines}            try_files /index.html.br =404;
        }}
    }}
"""


def start_tier(work: Path, static_dir: Path, headers: list[tuple[str, str]]) -> subprocess.Popen:
    """nginx with the shipped configuration in front of gunicorn on PORT, plus two servers that
    serve the brotli copy of / as a file: one with the page's own headers (`headers`: the same
    bytes on the wire as the cached page), one with only those a browser needs to take brotli."""
    run_dir = work / "nginx"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir()
    if os.getuid() == 0:  # nginx's workers run as nobody then
        shutil.chown(run_dir, "nobody")
        work.chmod(0o755)
    config = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    config = (
        config.replace("@LISTEN@", TIER_ORIGIN.removeprefix("http://"))
        .replace("@UPSTREAM@", ORIGIN.removeprefix("http://"))
        .replace("@RUN_DIR@", str(run_dir))
    )
    bare = [("Content-Encoding", "br"), ("Vary", "Accept-Encoding")]
    config = (
        config[: config.rstrip().rindex("}")]
        + static_server(PORT + 2, static_dir, headers or bare)
        + static_server(PORT + 3, static_dir, bare)
        + "}\n"
    )
    (run_dir / "nginx.conf").write_text(config)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return subprocess.Popen(
        [nginx, "-e", "stderr", "-c", str(run_dir / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_tier(tier: subprocess.Popen) -> None:
    tier.send_signal(signal.SIGTERM)
    tier.wait(timeout=30)


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="mesh-bench-"))
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}",
        "SECURE_COOKIES": "false",
        "WEB_CONCURRENCY": str(WORKERS),
        "BIND": f"127.0.0.1:{PORT}",
    }
    print(f"Preparing a database at {env['DATABASE_URL']} …", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "import_meshes", str(ROOT / "fixtures" / "meshes.json"))
    manage(env, "collectstatic", "--noinput", "-v0")
    # bench_render is developer tooling (the devtools app), installed only with DEBUG on.
    render = manage({**env, "DEBUG": "true"}, "bench_render", "--runs", "25", capture=True)

    # The static reference: the very bytes of / (plain and brotli, as the portal sends them),
    # written where whitenoise serves them from; it finds the .br beside the file at start-up.
    static_copy = ROOT / "staticfiles" / "bench" / "index.html"
    static_copy.parent.mkdir(parents=True, exist_ok=True)
    manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from django.test import Client; from pathlib import Path; "
        "client = Client(HTTP_HOST='127.0.0.1'); "
        f"Path({str(static_copy)!r}).write_bytes(client.get('/').content); "
        f"Path({str(static_copy) + '.br'!r}).write_bytes("
        "client.get('/', HTTP_ACCEPT_ENCODING='br').content)",
    )

    try:
        server = start_server(env)
        results = []
        try:
            wait_until_up()
            # A CSRF secret has 32 letters and digits; as cookie and header it passes the check.
            csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
            wrk_env = {
                **env,
                "BENCH_BODY": GATE,
                "BENCH_CSRF": csrf,
                "BENCH_ORIGIN": ORIGIN,
                "BENCH_DIR": str(ROOT / "bench"),
            }
            fetch("/", BROTLI)  # stored in the shared cache
            page_br, wire_br = fetch("/", BROTLI)
            static_br, _ = fetch("/static/bench/index.html", BROTLI)
            assert static_br == page_br, "the static copy must be the very bytes of /"
            page_plain, wire_plain = fetch("/", "identity")
            for name, path, seconds, encoding in SCENARIOS:
                if not path.startswith("POST "):
                    fetch(path, encoding)  # warm the page cache
                results.append((name, path, seconds, wrk(path, seconds, encoding, wrk_env)))
            memory = worker_peak_memory(server.pid)
        finally:
            stop_server(server)
        # The system as deployed: nginx's cache in front of gunicorn, against the same nginx
        # serving the very same brotli bytes of / as a file.
        server = start_server(env)
        # Started once to read the page's headers as nginx's cache sends them, then again with a
        # file server sending the very same headers.
        tier = start_tier(work, static_copy.parent, [])
        try:
            wait_until_up()
            time.sleep(1)
            for _ in range(4):
                tier_br, _ = fetch("/", BROTLI, PORT + 1)
            assert tier_br == page_br, "nginx must pass on the very bytes of /"
            headers = page_headers(PORT + 1)
            stop_tier(tier)
            tier = start_tier(work, static_copy.parent, headers)
            time.sleep(1)
            for _ in range(4):
                tier_br, _ = fetch("/", BROTLI, PORT + 1)
            for port in (PORT + 2, PORT + 3):
                static_file, _ = fetch("/index.html", BROTLI, port)
                assert static_file == page_br, "the file must be the very bytes of /"
            # Interleaved rounds: the machine's own speed drifts by several per cent within a
            # minute, so each ratio compares runs made side by side, and the median is reported.
            rounds = []
            for _ in range(ROUNDS):
                rounds.append(
                    (
                        wrk("/", SECONDS, BROTLI, wrk_env, TIER_ORIGIN),
                        wrk("/index.html", SECONDS, BROTLI, wrk_env, STATIC_ORIGIN),
                        wrk("/index.html", SECONDS, BROTLI, wrk_env, BARE_STATIC_ORIGIN),
                    )
                )
            revalidations = wrk_revalidations(wrk_env)
        finally:
            stop_tier(tier)
            stop_server(server)
        table_ms, table_br, table_raw = uncached_table(env)
    finally:
        static_copy.unlink(missing_ok=True)
        Path(str(static_copy) + ".br").unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\nmachine: {os.cpu_count()} cores; gunicorn workers: {WORKERS}; "
        f"wrk: 2 threads, {CONNECTIONS} connections"
    )
    print(
        f"{'scenario':22} {'seconds':>7} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}"
    )
    for name, _path, seconds, r in results:
        print(
            f"{name:22} {seconds:7} {r['rps']:9.1f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} "
            f"{r['p99_ms']:8.2f} {r['errors']:7}"
        )
    by_name = {name: r for name, _p, _s, r in results}
    ratio = by_name["/ (cached, br)"]["rps"] / by_name["static copy of / (br)"]["rps"]
    verdict = {True: "met", False: "NOT met"}
    print(
        f"\napp alone: cached / (br) against the same bytes as a whitenoise static file: "
        f"{ratio:.2f} (no target: as deployed, nginx's cache carries cached pages)"
    )
    print(
        f"system as deployed, {ROUNDS} rounds of {SECONDS} s, cached / (br) through nginx's cache "
        "against the same brotli bytes as a file from the same nginx:"
    )
    print(
        f"  {'round':5} {'cache req/s':>11} {'p99 ms':>7} {'errors':>6} "
        f"{'file, same headers':>18} {'ratio':>5} {'bare file':>9} {'ratio':>5}"
    )
    same_ratios, bare_ratios = [], []
    for number, (cached, same, bare) in enumerate(rounds, 1):
        same_ratios.append(cached["rps"] / same["rps"])
        bare_ratios.append(cached["rps"] / bare["rps"])
        print(
            f"  {number:5} {cached['rps']:11.0f} {cached['p99_ms']:7.2f} {cached['errors']:6} "
            f"{same['rps']:18.0f} {same_ratios[-1]:5.2f} {bare['rps']:9.0f} {bare_ratios[-1]:5.2f}"
        )
    system = statistics.median(same_ratios)
    print(
        f"  median ratio against the file with the page's own headers (the same bytes on the "
        f"wire): {system:.2f} (target >= {TARGET_RATIO}: {verdict[system >= TARGET_RATIO]}); "
        f"against the bare file: {statistics.median(bare_ratios):.2f}"
    )
    print(
        f"app alone: revalidating / with its ETag (304) {revalidations['rps']:.0f} req/s "
        f"(p99 {revalidations['p99_ms']:.2f} ms)"
    )
    print(
        f"/ on the wire: {wire_br / 1000:.1f} KB with brotli ({len(page_br):,} bytes of body), "
        f"{wire_plain / 1000:.1f} KB uncompressed; brotli is {len(page_br) / len(page_plain):.1%} "
        f"of it (target <= {TARGET_WIRE_KB} KB: {verdict[wire_br <= TARGET_WIRE_KB * 1000]})"
    )
    print(
        f"errors at {CONNECTIONS} connections for {SOAK_SECONDS} s on /: "
        f"{by_name['/ (cached, br)']['errors']} (target 0)"
    )
    print("uncached / (bench_render: median, whole stack with brotli, page cache off):")
    print("  " + "\n  ".join(line for line in render.splitlines() if " shown " in line))
    cells = TABLE_MESHES * TABLE_FEATURES
    print(
        f"table of {TABLE_MESHES} x {TABLE_FEATURES} uncached through gunicorn (one worker, "
        f"{TABLE_RUNS} requests one after another, brotli): median {table_ms:.1f} ms (target <= "
        f"{TARGET_TABLE_MS}: {verdict[table_ms <= TARGET_TABLE_MS]}), {table_br / 1000:.1f} KB "
        f"with brotli (target <= {TARGET_TABLE_KB}: {verdict[table_br <= TARGET_TABLE_KB * 1000]})"
        f", {table_raw / 1000:.0f} KB raw; {table_raw / cells:.0f} B/cell raw, "
        f"{table_br / cells:.1f} B/cell brotli"
    )
    query_counts = {line.split(" queries")[0].split()[-1] for line in render.splitlines()
                    if " GET / " in line}  # fmt: skip
    print(f"queries for / at every size: {', '.join(sorted(query_counts))} (target: flat)")
    print(f"peak resident memory per worker (MiB): {memory} (target < 150)")


if __name__ == "__main__":
    main()
