"""The MDN HTTP Observatory's real scanner against a local gunicorn served over TLS.

Installs the npm package (@mdn/mdn-http-observatory) into a cache directory, makes a throwaway
self-signed certificate for localhost, serves the portal with production settings over HTTPS and
over plain HTTP (which redirects to HTTPS), scans each page and prints its score and grade.

The scanner is told to trust the throwaway certificate (NODE_EXTRA_CA_CERTS), so it grades HSTS
and the redirect as on a real site. Every test must pass; only the results a certificate the
scanner does not trust would cause (*-invalid-cert) are tolerated. Run it with bench/observatory.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CACHE_DIR = Path(os.environ.get("PORTAL_CACHE_DIR", "/var/cache/service-mesh-portal"))
PACKAGE = "@mdn/mdn-http-observatory"
PAGES = [
    "/",
    "/?must=mtls-tcp&must=fault-injection",
    "/compare/?mesh=linkerd&mesh=kuma",
    "/meshes/linkerd/",
    "/overview/",
    "/changes/",
    "/api/meshes.json",
    "/questionnaire/",
    "/de/",
    "/admin/login/",
]
# What an untrusted certificate costs: the scanner counts neither HSTS nor the redirect then.
CERTIFICATE_RESULTS = {"hsts-invalid-cert", "redirection-invalid-cert"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_scanner() -> Path:
    npm_dir = CACHE_DIR / "observatory"
    package_dir = npm_dir / "node_modules" / "@mdn" / "mdn-http-observatory"
    if not (package_dir / "package.json").exists():
        npm_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--silent", PACKAGE],
            cwd=npm_dir,
            check=True,
        )
    # Its install script would download the HSTS preload list; offline, an empty one does.
    preload = package_dir / "conf" / "hsts-preload.json"
    if not preload.exists():
        preload.write_text("{}")
    return package_dir


def self_signed_certificate(work: Path) -> tuple[Path, Path]:
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def wait_until_up(url: str, timeout: float = 30) -> None:
    context = ssl._create_unverified_context()  # our own throwaway certificate
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def main() -> int:
    package_dir = install_scanner()
    work = Path(tempfile.mkdtemp(prefix="mesh-observatory-"))
    http_port, https_port = free_port(), free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{work / 'observatory.sqlite3'}",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_SSL_HOST": f"localhost:{https_port}",
        "SECURE_HSTS_PRELOAD": "true",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "4",
    }
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["import_meshes", str(ROOT / "fixtures" / "meshes.json")],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    cert, key = self_signed_certificate(work)
    gunicorn = [PYTHON, "-m", "gunicorn", "-c", "portal/gunicorn_conf.py"]
    servers = [
        subprocess.Popen(
            [*gunicorn, "--certfile", str(cert), "--keyfile", str(key), "portal.wsgi"],
            cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{https_port}"},
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [*gunicorn, "portal.wsgi"],
            cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{http_port}"},
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_until_up(f"https://localhost:{https_port}/healthz")
        wait_until_up(f"http://localhost:{http_port}/healthz")
        output = subprocess.run(
            ["node", str(ROOT / "bench" / "observatory-scan.mjs"), str(package_dir), "localhost",
             str(http_port), str(https_port), *PAGES],
            # The throwaway certificate is trusted as its own root for this scan only; should
            # that fail, NODE_TLS_REJECT_UNAUTHORIZED=0 still lets the scanner connect.
            env={
                **os.environ,
                "NODE_EXTRA_CA_CERTS": str(cert),
                "NODE_TLS_REJECT_UNAUTHORIZED": "0",
            },
            check=True,
            capture_output=True,
            text=True,
        ).stdout  # fmt: skip
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    version = json.loads((package_dir / "package.json").read_text())["version"]
    print(
        f"MDN HTTP Observatory {version}: https://localhost:{https_port} (throwaway certificate), "
        f"http://localhost:{http_port} redirecting to it"
    )
    print(f"{'page':42} {'score':>5} {'grade':>5}  tests passed  failed")
    failures = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        result = json.loads(line)
        if "error" in result:
            failures.append(f"{result['path']}: {result['error']}")
            continue
        failed = [f"{name} ({test['result']})" for name, test in result["tests"].items()
                  if not test["pass"]]  # fmt: skip
        print(
            f"{result['path']:42} {result['score']:5} {result['grade']:>5}  "
            f"{result['testsPassed']:>5}/{result['testsQuantity']:<6} {', '.join(failed) or '-'}"
        )
        failures += [
            f"{result['path']}: {name} {test['result']}"
            for name, test in result["tests"].items()
            if not test["pass"] and test["result"] not in CERTIFICATE_RESULTS
        ]
    if failures:
        print("FAIL (other than the certificate):\n  " + "\n  ".join(failures))
        return 1
    print("no test fails (other than for the certificate)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
