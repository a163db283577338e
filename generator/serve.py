"""`geosite serve`: a local static server that answers like the emitted host configs do.

Python's http.server has no Range, ETag or CORS support, and map clients (rasterio /vsicurl/, pmtiles,
GDAL's OAPIF driver, browsers) depend on all three; this adds them to a threading server, applies the
same OGC API redirects and content types as the Netlify and nginx configs (generator.writers.hosting),
and, with a builder and a source folder to watch, rebuilds on change and reloads open pages.

A build for a known site URL (base_url) links to it absolutely; served here, that URL is replaced by this
server's own origin in every text document (as MkDocs' serve does), so clients, maps and code samples stay local.
"""

from __future__ import annotations

import collections
import email.utils
import logging
import os
import posixpath
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from generator.writers import hosting

log = logging.getLogger("geosite")

Builder = Callable[[Path, Path], object]
"""Builds the source folder (first argument) into the served folder (second), e.g. generator.build.build."""

CHUNK = 1 << 16
MAX_RANGES = 32
"""More ranges than this in one request are answered with the whole file (a cheap defence, as nginx does)."""
RELOAD_PATH = "/__geosite__/reload"
RELOAD_WAIT = 25.0
RELOAD_SCRIPT = (
    "<script>(function(){var v=%d;function poll(){fetch('%s?since='+v).then(function(r){return r.json()})"
    ".then(function(d){if(d.version!==v){location.reload()}else{poll()}}).catch(function(){setTimeout(poll,2000)})}poll()})();</script>"
)


@dataclass(frozen=True)
class Resource:
    """A file to send: its path, size and validators."""

    path: Path
    rel: str
    size: int
    mtime: float
    etag: str

    @classmethod
    def of(cls, path: Path, rel: str) -> Resource:
        stat = path.stat()
        return cls(path, rel, stat.st_size, stat.st_mtime, f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"')

    @property
    def last_modified(self) -> str:
        return email.utils.formatdate(self.mtime, usegmt=True)


class Reloader:
    """A build counter open pages long-poll; a rebuild bumps it and wakes them."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = threading.Condition()

    def bump(self) -> None:
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait(self, since: int, timeout: float = RELOAD_WAIT) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.version != since, timeout)
            return self.version


class SiteServer(ThreadingHTTPServer):
    """One thread per connection, so a slow download never blocks another client."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 resets connections when a map opens a burst of range requests

    def __init__(self, address: tuple[str, int], root: Path, reloader: Reloader | None = None):
        self.root = Path(root).resolve()
        self.reloader = reloader
        self.request_log: collections.deque[tuple[str, str, int]] = collections.deque(maxlen=10000)
        self._site_url: tuple[int, bytes | None] = (-1, None)
        super().__init__(address, SiteHandler)

    def site_url(self) -> bytes | None:
        """The URL the build was made for (from its landing page's `self` link), re-read when a rebuild changes it."""
        landing = self.root / "index.json"
        try:
            stamp = landing.stat().st_mtime_ns
        except OSError:
            return None
        if stamp != self._site_url[0]:
            self._site_url = (stamp, _built_for(landing))
        return self._site_url[1]

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-download is normal (range readers cancel); anything else is logged."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            log.exception("error answering %s", client_address[0])

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}/"


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SiteServer
    server_version = "geosite-serve"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_OPTIONS(self) -> None:
        """CORS preflight: browsers ask before sending Range or conditional headers cross-origin."""
        self._start(HTTPStatus.NO_CONTENT, {**hosting.CORS_HEADERS, **hosting.CORS_PREFLIGHT, "Content-Length": "0"})

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.server.request_log.append((self.command, self.path, int(code) if str(code).isdigit() else 0))
        super().log_request(code, size)

    def _answer(self, send_body: bool) -> None:
        url_path = urlsplit(self.path).path
        if url_path == RELOAD_PATH and self.server.reloader is not None:
            return self._reload_poll()
        target = hosting.resolve_route(url_path)
        if target is not None:
            return self._redirect("/" + target)
        rel = _safe_rel(url_path)
        if rel is None:
            return self._error(HTTPStatus.NOT_FOUND)
        path = self.server.root.joinpath(*rel.split("/")) if rel else self.server.root
        if not _inside(path, self.server.root):
            return self._error(HTTPStatus.NOT_FOUND)
        if path.is_dir():
            if not url_path.endswith("/"):
                return self._redirect(url_path + "/" + (f"?{urlsplit(self.path).query}" if urlsplit(self.path).query else ""), HTTPStatus.MOVED_PERMANENTLY)
            path, rel = path / "index.html", posixpath.join(rel, "index.html") if rel else "index.html"
        if not path.is_file():
            return self._error(HTTPStatus.NOT_FOUND)
        self._send_file(Resource.of(path, rel), send_body)

    def _send_file(self, resource: Resource, send_body: bool) -> None:
        headers = _file_headers(resource)
        status = _precondition(self.headers, resource)
        if status == HTTPStatus.NOT_MODIFIED:
            return self._start(status, {k: v for k, v in headers.items() if k != "Content-Type"})
        if status is not None:
            return self._start(status, {**headers, "Content-Length": "0"})
        if self.server.reloader is not None and resource.rel.endswith(".html"):
            return self._send_live_page(resource, headers, send_body)
        if self.server.site_url() and _is_text(headers["Content-Type"]):
            return self._send_localised(resource, headers, send_body)
        ranges = _requested_ranges(self.headers, resource)
        if ranges is None:
            self._start(HTTPStatus.OK, {**headers, "Content-Length": str(resource.size)})
            return self._copy(resource.path, [(0, resource.size - 1)] if send_body and resource.size else [])
        if not ranges:
            return self._start(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {**headers, "Content-Range": f"bytes */{resource.size}", "Content-Length": "0"})
        if len(ranges) == 1:
            start, end = ranges[0]
            self._start(HTTPStatus.PARTIAL_CONTENT, {**headers, "Content-Range": f"bytes {start}-{end}/{resource.size}", "Content-Length": str(end - start + 1)})
            return self._copy(resource.path, ranges if send_body else [])
        self._send_multipart(resource, headers, ranges, send_body)

    def _send_multipart(self, resource: Resource, headers: dict[str, str], ranges: list[tuple[int, int]], send_body: bool) -> None:
        """multipart/byteranges (RFC 9110 14.6): each part carries its own Content-Range."""
        boundary = f"geosite-{resource.etag.strip(chr(34))}"
        parts = [
            (f"\r\n--{boundary}\r\nContent-Type: {headers['Content-Type']}\r\nContent-Range: bytes {s}-{e}/{resource.size}\r\n\r\n".encode(), s, e)
            for s, e in ranges
        ]
        closing = f"\r\n--{boundary}--\r\n".encode()
        length = sum(len(head) + e - s + 1 for head, s, e in parts) + len(closing)
        self._start(HTTPStatus.PARTIAL_CONTENT, {**headers, "Content-Type": f"multipart/byteranges; boundary={boundary}", "Content-Length": str(length)})
        if send_body:
            for head, start, end in parts:
                self.wfile.write(head)
                self._copy(resource.path, [(start, end)])
            self.wfile.write(closing)

    def _send_localised(self, resource: Resource, headers: dict[str, str], send_body: bool) -> None:
        """A text document with the site's URL replaced by this server's origin (whole responses only, no ranges)."""
        body = self._localised(resource.path.read_bytes())
        local = {**headers, "ETag": resource.etag[:-1] + '-local"', "Content-Length": str(len(body))}
        local.pop("Accept-Ranges")
        self._start(HTTPStatus.OK, local)
        if send_body:
            self.wfile.write(body)

    def _localised(self, body: bytes) -> bytes:
        site_url = self.server.site_url()
        return body.replace(site_url, self._origin().encode()) if site_url else body

    def _origin(self) -> str:
        """This server as the client reached it (the Host header), ending with '/'."""
        host = self.headers.get("Host")
        return f"http://{host}/" if host else self.server.url

    def _send_live_page(self, resource: Resource, headers: dict[str, str], send_body: bool) -> None:
        """HTML with the reload script added before </body> (whole responses only, no ranges)."""
        version = self.server.reloader.version
        html = self._localised(resource.path.read_bytes()).decode("utf-8")
        script = RELOAD_SCRIPT % (version, RELOAD_PATH)
        html = html.replace("</body>", script + "</body>", 1) if "</body>" in html else html + script
        body = html.encode("utf-8")
        live = {**headers, "ETag": resource.etag[:-1] + f'-live{version}"', "Cache-Control": "no-store", "Content-Length": str(len(body))}
        live.pop("Accept-Ranges")
        self._start(HTTPStatus.OK, live)
        if send_body:
            self.wfile.write(body)

    def _reload_poll(self) -> None:
        query = dict(part.split("=", 1) for part in urlsplit(self.path).query.split("&") if "=" in part)
        since = int(query["since"]) if query.get("since", "").isdigit() else -1
        body = ('{"version":%d}' % self.server.reloader.wait(since)).encode()
        self._start(HTTPStatus.OK, {"Content-Type": "application/json", "Cache-Control": "no-store", "Content-Length": str(len(body))})
        self.wfile.write(body)

    def _redirect(self, location: str, status: HTTPStatus = HTTPStatus(hosting.REDIRECT_STATUS)) -> None:
        """An absolute Location: QGIS 3.22 does not resolve a relative one."""
        absolute = self._origin().rstrip("/") + quote(location, safe="/?=&%:@!$'()*+,;~-._")
        self._start(status, {**hosting.CORS_HEADERS, "Location": absolute, "Content-Length": "0"})

    def _error(self, status: HTTPStatus) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self._start(status, {**hosting.CORS_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))})
        if self.command != "HEAD":
            self.wfile.write(body)

    def _start(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _copy(self, path: Path, ranges: list[tuple[int, int]]) -> None:
        with open(path, "rb") as handle:
            for start, end in ranges:
                handle.seek(start)
                remaining = end - start + 1
                while remaining > 0:
                    block = handle.read(min(CHUNK, remaining))
                    if not block:
                        return
                    self.wfile.write(block)
                    remaining -= len(block)


def _built_for(landing: Path) -> bytes | None:
    """The base URL of the build whose landing page is `landing`; None for a build with relative links only."""
    import json

    try:
        links = json.loads(landing.read_bytes()).get("links", [])
    except (OSError, ValueError, AttributeError):
        return None
    own = next((link.get("href", "") for link in links if isinstance(link, dict) and link.get("rel") == "self"), "")
    return own[: -len("index.json")].encode() if own.startswith(("http://", "https://")) and own.endswith("/index.json") else None


TEXT_TYPES = ("text/", "application/json", "application/geo+json", "application/vnd.oai.openapi+json", "application/xml", "application/schema+json")


def _is_text(media_type: str) -> bool:
    return media_type.startswith(TEXT_TYPES)


def _file_headers(resource: Resource) -> dict[str, str]:
    return {
        "Content-Type": hosting.content_type(resource.rel),
        "ETag": resource.etag,
        "Last-Modified": resource.last_modified,
        "Cache-Control": hosting.cache_control(resource.rel),
        "Accept-Ranges": "bytes",
        **hosting.CORS_HEADERS,
    }


def _safe_rel(url_path: str) -> str | None:
    """The output-relative path of a URL path, or None when it tries to leave the folder."""
    parts = [unquote(p) for p in url_path.split("/") if p and p != "."]
    if any(p == ".." or "/" in p or "\\" in p or "\x00" in p for p in parts):
        return None
    return "/".join(parts)


def _inside(path: Path, root: Path) -> bool:
    """No symlink may lead out of the served folder."""
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False


def _precondition(headers, resource: Resource) -> HTTPStatus | None:
    """RFC 9110 section 13.2.2 order: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since."""
    if_match = headers.get("If-Match")
    if if_match is not None and not _etag_in(if_match, resource.etag, weak=False):
        return HTTPStatus.PRECONDITION_FAILED
    if if_match is None and _not_after(headers.get("If-Unmodified-Since"), resource) is False:
        return HTTPStatus.PRECONDITION_FAILED
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        return HTTPStatus.NOT_MODIFIED if _etag_in(if_none_match, resource.etag, weak=True) else None
    return HTTPStatus.NOT_MODIFIED if _not_after(headers.get("If-Modified-Since"), resource) else None


def _etag_in(header: str, etag: str, weak: bool) -> bool:
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags:
        return True
    return any((t[2:] if weak and t.startswith("W/") else t) == etag for t in tags)


def _not_after(http_date: str | None, resource: Resource) -> bool | None:
    """Whether the file was last modified at or before `http_date` (None when absent or unparseable)."""
    if not http_date:
        return None
    try:
        when = email.utils.parsedate_to_datetime(http_date).timestamp()
    except (TypeError, ValueError):
        return None
    return int(resource.mtime) <= when


def _requested_ranges(headers, resource: Resource) -> list[tuple[int, int]] | None:
    """None for the whole file (no Range, a stale If-Range, bad syntax); [] when nothing is satisfiable."""
    header = headers.get("Range")
    if not header or not _if_range_holds(headers.get("If-Range"), resource):
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    ranges: list[tuple[int, int]] = []
    for part in spec.split(","):
        parsed = _parse_range(part.strip(), resource.size)
        if parsed is False:
            return None
        if parsed is not None:
            ranges.append(parsed)
    return ranges if len(ranges) <= MAX_RANGES else None


def _parse_range(part: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) inclusive; None if unsatisfiable; False if malformed (the header is then ignored)."""
    first, dash, last = part.partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()) or (last and not last.isdigit()):
        return False
    if not first:
        length = int(last)
        return (max(0, size - length), size - 1) if length and size else None
    start = int(first)
    if last and int(last) < start:
        return False
    return (start, min(int(last) if last else size - 1, size - 1)) if start < size else None


def _if_range_holds(if_range: str | None, resource: Resource) -> bool:
    """If-Range: a strong ETag must match exactly; a date must equal Last-Modified."""
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        return if_range == resource.etag
    return if_range == resource.last_modified


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, reloader: Reloader | None = None) -> SiteServer:
    """A server bound to host:port (port 0 picks a free one) that has not started serving yet."""
    return SiteServer((host, port), Path(root), reloader)


def source_snapshot(src: Path, skip: Path | None = None) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under the source folder, to notice edits, additions and deletions;
    hidden folders and `skip` (an output folder inside the source) are left out, or each build would trigger the next."""
    snapshot = {}
    skip = skip.resolve() if skip is not None else None
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and Path(dirpath, d).resolve() != skip]
        for name in filenames:
            if not name.startswith(".") and not name.endswith("~"):
                stat = os.stat(os.path.join(dirpath, name))
                snapshot[os.path.join(dirpath, name)] = (stat.st_mtime_ns, stat.st_size)
    return snapshot


def watch(src: Path, dest: Path, builder: Builder, reloader: Reloader, stop: threading.Event, interval: float = 0.5) -> None:
    """Rebuild `dest` from `src` whenever a source file changes; a failed build keeps the last good site."""
    seen = source_snapshot(src, dest)
    while not stop.wait(interval):
        current = source_snapshot(src, dest)
        if current == seen:
            continue
        seen = current
        log.info("Source changed; rebuilding")
        try:
            builder(src, dest)
        except Exception as exc:  # the previous output stays in place; report in one line and keep watching
            log.error("rebuild failed: %s", "; ".join(str(p) for p in getattr(exc, "problems", [exc])))
            continue
        reloader.bump()


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, watch_src: Path | None = None, builder: Builder | None = None, ready: Callable[[SiteServer], None] | None = None) -> None:
    """Serve `root` until interrupted; with `watch_src` and `builder`, rebuild on source changes and reload pages."""
    reloader = Reloader() if watch_src is not None and builder is not None else None
    server = make_server(root, host, port, reloader)
    stop = threading.Event()
    if reloader is not None:
        threading.Thread(target=watch, args=(Path(watch_src), Path(root), builder, reloader, stop), daemon=True).start()
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()

