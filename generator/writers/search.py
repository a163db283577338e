"""Static search: a Pagefind full-text index built from the model, and a small index for area and time.

Pagefind indexes a tiny HTML document per record made here from the model (title, description, keywords), never
the HTML writer's pages. The documents never touch the disk: they go to Pagefind's service mode (the binary the
`pagefind` package ships, spoken to over its stdin/stdout protocol) and the finished bundle comes back in memory,
to be written through the output tree and checked file by file against the bundle's own index.

Facet, area and time filters use `search/records.json`, which the search page's own script applies to Pagefind's
results. Pagefind's own filter index is not used: its files differ from build to build (the order of a hash map),
and geosite's builds are byte-identical.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

import cbor2
import orjson
from markupsafe import escape
from pagefind.service import get_executable

from generator import layout, parallel
from generator.errors import BuildError
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.writers.html_context import facet_values

OWNER = "search"
SKIPPED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")
"""Pagefind's own UI bundles: the search page has its own script, so these would only be dead weight."""
PAGEFIND_PROCESSES = 1
"""Parts indexed at once, each by a Pagefind process of its own holding 400-600 MB for a part of 10,000 records.
One, while the files of the part before are written: two halve the wall time of a 100k index (65 s to 35 s on two
cores) but put a 100k build above its 1.5 GB memory bound."""
PAGEFIND_STREAM_PREFIX = b"pagefind_dcd"
"""What Pagefind puts before the CBOR of its gzipped index files."""


def write(catalogue: Catalogue, out: OutputTree) -> Indexing:
    """Write the small index and start Pagefind on the parts: the build runs the other writers while Pagefind
    takes its records in (on a core of its own), then finishes the indexing."""
    out.write_json(layout.SEARCH_INDEX, {"records": [_entry(d) for d in catalogue.datasets]}, OWNER, compact=True)
    return Indexing(catalogue, out)


class Indexing:
    """Pagefind at work on the parts in the background: `finish` writes the bundles, `cancel` stops it all."""

    def __init__(self, catalogue: Catalogue, out: OutputTree):
        self.out, self.services = out, _Services()
        size = layout.PAGEFIND_PART_RECORDS
        self.folders = layout.pagefind_dirs(len(catalogue.datasets))
        parts = [catalogue.datasets[number * size:(number + 1) * size] for number in range(len(self.folders))]
        language = catalogue.language.split("-")[0].lower()
        self.pool = ThreadPoolExecutor(max_workers=PAGEFIND_PROCESSES)
        self.bundles = [self.pool.submit(_pagefind_bundle, part, language, self.services) for part in parts]
        parallel.hold_a_core_until_done(self.bundles)  # the writers' forked workers leave Pagefind its core

    def finish(self) -> None:
        try:
            for folder, bundle in zip(self.folders, self.bundles):
                files = bundle.result()
                _check_bundle(folder, files)
                for name in sorted(files):
                    if not name.startswith(SKIPPED):
                        self.out.write_bytes(f"{folder}/{name}", files[name], OWNER)
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Nothing left running: parts not started are dropped, Pagefind processes at work are stopped."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.services.stop_all()
        self.pool.shutdown(wait=True)


class _Services:
    """The Pagefind processes running, so that a failed build can stop them instead of waiting for them."""

    def __init__(self) -> None:
        self.running: set[subprocess.Popen[bytes]] = set()
        self.stopped = False
        self.lock = threading.Lock()

    def start(self, errors: IO[bytes]) -> subprocess.Popen[bytes]:
        with self.lock:
            if self.stopped:
                raise BuildError("search index: stopped")
            service = _service(errors)
            self.running.add(service)
            return service

    def end(self, service: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.running.discard(service)
        _stop(service)

    def stop_all(self) -> None:
        with self.lock:
            self.stopped = True
            running, self.running = list(self.running), set()
        for service in running:
            _stop(service)


def _entry(dataset: Dataset) -> dict[str, Any]:
    """What the search page needs to filter and list a record without fetching it; kept lean, as every visit loads it all."""
    time = dataset.time
    return {
        "id": dataset.id,
        "url": layout.record_html(dataset.id),
        "title": dataset.title,
        "bbox": [round(v, 4) for v in dataset.bbox] if dataset.bbox else None,
        "start": time.start if time else None,
        "end": (time.start if time.instant else time.end) if time else None,
        **facet_values(dataset),
    }


def _document(dataset: Dataset, language: str) -> str:
    """The text Pagefind indexes for a record (title, description, keywords, themes), as a tiny HTML page."""
    values = facet_values(dataset)
    text = " ".join([*values["keyword"], *values["theme"]])
    return (f'<!doctype html><html lang="{escape(language)}"><body><main data-pagefind-body>'
            f'<span data-pagefind-meta="id:{escape(dataset.id)}"></span><h1 data-pagefind-meta="title">{escape(dataset.title)}</h1>'
            f"<p>{escape(dataset.description)}</p><p>{escape(text)}</p></main></body></html>")


def _pagefind_bundle(datasets: list[Dataset], language: str, services: _Services) -> dict[str, bytes]:
    """One Pagefind bundle, {path in the bundle: bytes}, from a Pagefind service process of its own.

    Not the `pagefind` package's Python API: it sleeps 0.1 s per reply (1,000 s for 10,000 records), and its
    reader cannot take a reply over 2 MiB (asking it for the files hangs). Nor Pagefind's own write_files: the
    wrapper kills the service as soon as it replies, and its file writes (tokio files dropped unflushed) may still
    be in flight then.
    Here requests stream from a thread while replies are read, the files come back in one reply, and the
    process is waited for."""
    requests = [{"type": "NewIndex", "config": {"force_language": language}},
                *({"type": "AddFile", "index_id": 0, "url": f"/{d.id}.html", "file_path": None,
                   "file_contents": _document(d, language)} for d in datasets),
                {"type": "GetFiles", "index_id": 0}]
    with tempfile.TemporaryFile() as errors:
        service = services.start(errors)
        try:
            threading.Thread(target=_send, args=(service.stdin, requests), daemon=True).start()
            reply = _last_reply(_replies(service.stdout), datasets, errors)
            service.stdin.close()  # end of input: the service exits
            status = service.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise BuildError("search index: Pagefind did not exit within 60 s of the end of its input") from None
        finally:
            services.end(service)
        if status != 0:
            raise BuildError(f"search index: Pagefind exited with status {status}: {_tail(errors)}")
    return {file["path"]: base64.b64decode(file["content"]) for file in reply["files"]}


def _service(errors: IO[bytes]) -> subprocess.Popen[bytes]:
    """Pagefind's binary in service mode; its stderr goes to a file, so that it can never block on a full pipe."""
    binary = get_executable()
    if binary is None:
        raise BuildError("search index: Pagefind's binary is missing (pip install 'pagefind[extended]==1.5.2')")
    return subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)


def _stop(service: subprocess.Popen[bytes]) -> None:
    """No Pagefind process outlives its bundle, even when the build fails half way."""
    if service.poll() is None:
        service.kill()
        service.wait()
    for pipe in (service.stdin, service.stdout):
        with contextlib.suppress(OSError):
            pipe.close()


def _send(stdin: IO[bytes], requests: Iterable[dict[str, Any]]) -> None:
    """Each request as base64 JSON ended by a comma, numbered from 1; a dead process is reported by the reader."""
    try:
        for number, payload in enumerate(requests, start=1):
            stdin.write(base64.b64encode(orjson.dumps({"message_id": number, "payload": payload})) + b",")
        stdin.flush()
    except (BrokenPipeError, ValueError):  # ValueError: stdin closed by the reader after a failure
        pass


def _replies(stdout: IO[bytes]) -> Iterator[dict[str, Any]]:
    """Pagefind's replies, read as they come: base64 JSON, each ended by a comma (the files' reply is megabytes)."""
    pieces: list[bytes] = []
    while chunk := stdout.read1(1 << 20):  # type: ignore[attr-defined]
        *ends, rest = chunk.split(b",")
        for end in ends:
            pieces.append(end)
            yield orjson.loads(base64.b64decode(b"".join(pieces)))
            pieces = []
        pieces.append(rest)


def _last_reply(replies: Iterator[dict[str, Any]], datasets: list[Dataset], errors: IO[bytes]) -> dict[str, Any]:
    """The files' reply, once every record was indexed; a failed request fails the build naming its record."""
    last = len(datasets) + 2
    for reply in replies:
        payload, number = reply["payload"], reply.get("message_id")
        if payload["type"] == "Error":
            record = datasets[number - 2].id if isinstance(number, int) and 2 <= number < last else "the index"
            raise BuildError(f"search index: Pagefind failed on {record}: {payload.get('message')}")
        if payload["type"] == "NewIndex" and payload["index_id"] != 0:
            raise BuildError(f"search index: Pagefind numbered a new index {payload['index_id']}, not 0")
        if number == last:
            return payload
    raise BuildError(f"search index: Pagefind stopped before returning its files: {_tail(errors)}")


def _tail(errors: IO[bytes]) -> str:
    """The end of what Pagefind wrote to stderr, on one line."""
    errors.seek(0)
    return " ".join(errors.read().decode("utf-8", "replace").split())[-500:] or "no message"


def _check_bundle(folder: str, files: dict[str, bytes]) -> None:
    """Every file the bundle's entry and index name is there and not empty: the search page fails without them."""
    named = ["pagefind.js", "pagefind-entry.json"]
    try:
        entry = orjson.loads(files.get("pagefind-entry.json", b"{}"))
        for language in entry.get("languages", {}).values():
            meta = f"pagefind.{language['hash']}.pf_meta"
            named += [meta, f"wasm.{language.get('wasm') or 'unknown'}.pagefind"]  # no stemmer: the generic one
            named += _indexed_files(files[meta]) if files.get(meta) else []
    except (ValueError, KeyError, TypeError, EOFError, gzip.BadGzipFile, cbor2.CBORDecodeError) as error:
        raise BuildError(f"search index: {folder} has an unreadable Pagefind index ({error})") from None
    missing = [name for name in named if not files.get(name)] + [name for name, data in files.items() if not data]
    if missing:
        raise BuildError(f"search index: {folder}/{missing[0]} is missing or empty in Pagefind's bundle"
                         f" ({len(missing)} of its {len(named)} named files)")


def _indexed_files(meta: bytes) -> list[str]:
    """The record, word and filter files a Pagefind index file names: [version, pages, word chunks, filters, ...]."""
    text = gzip.decompress(meta)
    if not text.startswith(PAGEFIND_STREAM_PREFIX):
        raise ValueError("no Pagefind header")
    _, pages, chunks, filters, *_ = cbor2.loads(text[len(PAGEFIND_STREAM_PREFIX):])
    return ([f"fragment/{page[0]}.pf_fragment" for page in pages] + [f"index/{chunk[2]}.pf_index" for chunk in chunks]
            + [f"filter/{entry[1]}.pf_filter" for entry in filters])
