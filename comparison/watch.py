"""Watching the outside world: are the cited source pages still there, and did a mesh ship a
release newer than the version the data describes? (manage.py check_sources / check_releases)

Requests go out through urllib with a clear User-Agent and a timeout, at most `workers` at a time
and at most one per `interval` seconds to the same host. Nothing here changes the mesh data: the
results are stored beside it (SourceCheck, ReleaseWatch) for editors to act on.
"""

from __future__ import annotations

import datetime
import email.utils
import socket
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .choices import Stage
from .conformance import evidence
from .models import Mesh, ReleaseWatch, SourceCheck, Support
from .signals import data_updated
from .versions import is_newer, is_prerelease, version_key

# Release feeds are small; a larger answer is not a feed we understand.
MAX_FEED_BYTES = 2 * 1024 * 1024
GONE = {404, 410}  # the page is gone for good: no need to wait for a second failure
ATOM = "{http://www.w3.org/2005/Atom}"


def user_agent() -> str:
    return (
        f"service-mesh-portal/{settings.RELEASE_VERSION} "
        f"(checks cited sources and release feeds; +{settings.SITE_URL})"
    )


@dataclass
class FetchResult:
    url: str
    status: int | None = None  # None: no HTTP answer (DNS, refused, timeout)
    final_url: str = ""
    redirects: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400

    @property
    def moved(self) -> bool:
        """Permanently redirected to another address."""
        return self.final_url != self.url and any(code in (301, 308) for code, _ in self.redirects)


class HostThrottle:
    """At most one request per `interval` seconds to each host, across all worker threads."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.next_slot: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot.get(host, 0.0))
            self.next_slot[host] = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class _RecordRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, chain: list[tuple[int, str]], throttle: HostThrottle) -> None:
        self.chain = chain
        self.throttle = throttle

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.chain.append((code, newurl))
        if urlsplit(newurl).scheme not in ("http", "https"):
            return None  # only the web: never file:// or other schemes
        self.throttle.wait(newurl)
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"  # follow a HEAD with a HEAD, not a download
        return new


def _request(
    url: str, method: str, timeout: float, throttle: HostThrottle, read: int
) -> FetchResult:
    result = FetchResult(url=url)
    opener = urllib.request.build_opener(_RecordRedirects(result.redirects, throttle))
    request = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent()})
    throttle.wait(url)
    try:
        with opener.open(request, timeout=timeout) as response:
            result.status = response.status
            result.final_url = response.url
            if read:
                result.body = response.read(read + 1)
                if len(result.body) > read:
                    result.error = f"answer larger than {read} bytes"
                    result.body = b""
    except urllib.error.HTTPError as error:
        result.status = error.code
        result.final_url = error.url or url
        result.error = f"HTTP {error.code}"
        error.close()
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, socket.gaierror):
            result.error = f"DNS: {reason}"
        elif isinstance(reason, TimeoutError | socket.timeout):
            result.error = f"timed out after {timeout:g} s"
        else:
            result.error = str(reason)[:300]
    except TimeoutError:
        result.error = f"timed out after {timeout:g} s"
    except (HTTPException, OSError, ValueError) as error:
        result.error = f"{type(error).__name__}: {error}"[:300]
    return result


def fetch(url: str, timeout: float, throttle: HostThrottle, read: int = 0) -> FetchResult:
    """HEAD the URL (GET when the body is wanted); a server refusing HEAD is asked again by GET."""
    if urlsplit(url).scheme not in ("http", "https"):
        return FetchResult(url=url, error="not an http(s) address")
    if read:
        return _request(url, "GET", timeout, throttle, read)
    result = _request(url, "HEAD", timeout, throttle, 0)
    if result.status is not None and result.status >= 400:
        # Many servers answer HEAD with 403, 404 or 405 although GET works; GET decides.
        result = _request(url, "GET", timeout, throttle, 0)
    return result


def fetch_all(
    urls: Iterable[str],
    *,
    workers: int,
    timeout: float,
    interval: float,
    read: int = 0,
) -> dict[str, FetchResult]:
    throttle = HostThrottle(interval)
    urls = sorted(set(urls))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = pool.map(lambda url: fetch(url, timeout, throttle, read), urls)
        return dict(zip(urls, results, strict=True))


# --- check_sources -----------------------------------------------------------------------------


def cited_sources() -> list[str]:
    return sorted(set(Support.objects.exclude(source="").values_list("source", flat=True)))


@transaction.atomic
def record_source_checks(results: dict[str, FetchResult], broken_after: int) -> list[SourceCheck]:
    """Store each URL's result; a source is broken after `broken_after` failed checks in a row
    (at once when the page answers 404 or 410). Returns the checks whose public state changed."""
    now = timezone.now()
    existing = {check.url: check for check in SourceCheck.objects.filter(url__in=results)}
    changed = []
    for url, result in results.items():
        check = existing.get(url) or SourceCheck(url=url)
        was = (check.broken, check.failing_since)
        check.checked_at = now
        check.status = result.status
        check.final_url = result.final_url[:2000]
        check.redirects = [[code, location] for code, location in result.redirects]
        check.error = result.error[:300]
        if result.ok:
            check.last_ok, check.failures, check.failing_since = now, 0, None
            check.broken, check.moved = False, result.moved
        else:
            check.failures += 1
            check.failing_since = check.failing_since or now
            check.broken = check.failures >= broken_after or result.status in GONE
        check.save()
        if (check.broken, check.broken and check.failing_since) != (was[0], was[0] and was[1]):
            changed.append(check)
    # Sources no longer cited anywhere need no record.
    SourceCheck.objects.exclude(url__in=cited_sources()).delete()
    if changed:
        data_updated.send(sender=SourceCheck)  # public cells show "unreachable since"
    return changed


# --- check_releases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    title: str
    url: str
    date: datetime.datetime | None

    @property
    def name(self) -> str:
        """The release's name: its title, or the tag at the end of its link if only that has a
        version number (GitHub's titles are sometimes prose)."""
        tag = self.url.rstrip("/").rsplit("/", 1)[-1]
        if version_key(self.title) is None and version_key(tag) is not None:
            return tag
        return self.title

    @property
    def prerelease(self) -> bool:
        return is_prerelease(self.name) or is_prerelease(self.title)


def _when(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    text = text.strip()
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)  # RSS dates
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def parse_feed(body: bytes) -> list[Release]:
    """The releases in an Atom or RSS 2.0 document. Raises ValueError if it is neither."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise ValueError(f"not XML: {error}") from error
    releases = []
    if root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            link = next(
                (
                    el.get("href", "")
                    for el in entry.iter(f"{ATOM}link")
                    if el.get("rel", "alternate") == "alternate"
                ),
                "",
            )
            title = (entry.findtext(f"{ATOM}title") or "").strip()
            date = _when(entry.findtext(f"{ATOM}updated") or entry.findtext(f"{ATOM}published"))
            releases.append(Release(title=title, url=link, date=date))
    elif root.tag == "rss":
        for item in root.iter("item"):
            releases.append(
                Release(
                    title=(item.findtext("title") or "").strip(),
                    url=(item.findtext("link") or "").strip(),
                    date=_when(item.findtext("pubDate")),
                )
            )
    else:
        raise ValueError(f"neither an Atom nor an RSS feed (root element {root.tag!r})")
    return releases


def latest_release(releases: list[Release]) -> Release | None:
    """The newest stable release: by version number when the feed's releases have one (feeds mix
    patch releases of several lines), otherwise by date."""
    stable = [release for release in releases if not release.prerelease]
    versioned = [release for release in stable if version_key(release.name) is not None]
    if versioned:
        return max(versioned, key=lambda release: version_key(release.name) or ())
    dated = [release for release in stable if release.date is not None]
    return max(dated, key=lambda release: release.date) if dated else None  # type: ignore[arg-type,return-value]


def newer_than_data(mesh: Mesh, release: Release) -> bool:
    """Whether `release` is newer than what the mesh's data describes: a higher version than
    current_version, or (for feeds without version numbers) published after the last
    verification."""
    if version_key(release.name) is not None and version_key(mesh.current_version) is not None:
        return is_newer(release.name, mesh.current_version)
    if version_key(release.name) is None and release.date is not None:
        return timezone.localdate(release.date) > mesh.last_verified
    return False


@transaction.atomic
def record_release_check(mesh: Mesh, result: FetchResult) -> ReleaseWatch:
    watch, _ = ReleaseWatch.objects.get_or_create(mesh=mesh)
    was = (watch.new_release, watch.new_release_date)
    watch.checked_at = timezone.now()
    watch.error = result.error[:300]
    if result.ok and not result.error:
        try:
            latest = latest_release(parse_feed(result.body))
        except ValueError as error:
            latest, watch.error = None, str(error)[:300]
        if latest is not None:
            watch.latest_release = latest.name[:200]
            watch.latest_release_date = latest.date
            watch.latest_release_url = latest.url[:500]
            if newer_than_data(mesh, latest):
                watch.new_release = latest.name[:200]
                watch.new_release_date = timezone.localdate(latest.date or timezone.now())
                watch.new_release_url = latest.url[:500]
            else:
                watch.clear_flag()
    elif not watch.error:
        watch.error = f"HTTP {result.status}"
    watch.save()
    if was != (watch.new_release, watch.new_release_date):
        # The flag decides which cells are stale on public pages.
        data_updated.send(sender=ReleaseWatch)
    return watch


def check_releases(
    meshes: Iterable[Mesh], *, workers: int, timeout: float, interval: float
) -> list[ReleaseWatch]:
    meshes = [mesh for mesh in meshes if mesh.release_feed_url]
    results = fetch_all(
        [mesh.release_feed_url for mesh in meshes],
        workers=workers,
        timeout=timeout,
        interval=interval,
        read=MAX_FEED_BYTES,
    )
    return [record_release_check(mesh, results[mesh.release_feed_url]) for mesh in meshes]


def check_sources(
    urls: list[str] | None = None,
    *,
    workers: int,
    timeout: float,
    interval: float,
    broken_after: int,
    progress: Callable[[str], None] | None = None,
) -> dict[str, FetchResult]:
    urls = cited_sources() if urls is None else urls
    if progress:
        progress(f"Checking {len(urls)} source URLs…")
    results = fetch_all(urls, workers=workers, timeout=timeout, interval=interval)
    record_source_checks(results, broken_after)
    return results


@dataclass(frozen=True)
class ReleaseFollowUp:
    """A release the watch saw, with the cells it most likely changed."""

    mesh: Mesh
    release: str
    date: datetime.date | None
    notes_url: str
    cells: list[tuple[Support, str]]  # the cell and why it may have changed


def release_follow_ups() -> list[ReleaseFollowUp]:
    """For each mesh with a new release: its cells whose stage could have moved (alpha, beta,
    preview, deprecated) or whose "tested" mark was earned on an older version."""
    watches = list(ReleaseWatch.objects.exclude(new_release="").select_related("mesh"))
    if not watches:
        return []
    tested = evidence([watch.mesh for watch in watches]).tested
    moving = [Stage.ALPHA, Stage.BETA, Stage.PREVIEW, Stage.DEPRECATED]
    follow_ups = []
    for watch in sorted(watches, key=lambda w: w.mesh.name):
        cells = []
        for cell in watch.mesh.supports.select_related("feature").order_by("feature__name"):
            proof = tested.get((cell.mesh_id, cell.feature_id))
            if cell.stage in moving:
                cells.append((cell, f"{cell.get_stage_display()} in the data"))
            elif proof is not None and is_newer(watch.new_release, proof.mesh_version):
                cells.append((cell, f"tested on {proof.mesh_version}"))
        follow_ups.append(
            ReleaseFollowUp(
                watch.mesh, watch.new_release, watch.new_release_date, watch.new_release_url, cells
            )
        )
    return follow_ups
