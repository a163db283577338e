"""`geosite publish`: upload a built site to S3-compatible object storage.

Object stores serve what they are told: each object gets the Content-Type and Cache-Control of the
hosting policy (generator.writers.hosting), the same the Netlify and nginx configs send. Object stores have no
rewrites, so the OGC API URLs that other hosts redirect (`api`, `api/collections/{id}/items`, …) are laid out as
objects of their own, copies of the files they would redirect to (whose links are absolute when the build has a
base_url, so they read the same from either key). Only files whose
MD5 differs from the stored object are uploaded, so a second publish uploads nothing and an interrupted
one resumes where it stopped; pages go up after the data they link to. Stale objects are deleted only
when asked (`--delete`). Credentials come the usual AWS ways (environment, profile, instance role).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator import layout
from generator.errors import BuildError
from generator.writers import hosting

MD5_METADATA = "geosite-md5"
"""Multipart uploads have an ETag that is not the MD5 of the file; the MD5 is kept in this metadata key."""
MULTIPART_THRESHOLD = 64 * 1024 * 1024
HOST_ONLY_FILES = frozenset({layout.NETLIFY_HEADERS, layout.NETLIFY_REDIRECTS, layout.NOJEKYLL})
"""Netlify's and GitHub Pages' configuration files mean nothing to an object store."""
WORKERS = 8

Progress = Callable[[str], None]


@dataclass
class Plan:
    """What a publish changes: output-relative paths to upload, keys to delete, and what it leaves alone."""

    bucket: str
    prefix: str
    upload: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # an API object's key (prefix-relative) -> its file
    unchanged: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def source(self, rel: str) -> str:
        """The output file whose bytes go up under the key `rel`."""
        return self.sources.get(rel, rel)


def parse_target(target: str) -> tuple[str, str]:
    """(bucket, key prefix ending in '/' or empty) of s3://bucket/prefix."""
    parts = urlsplit(target)
    if parts.scheme != "s3" or not parts.netloc:
        raise BuildError(f"publish destination {target!r} is not s3://bucket/prefix")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def publish(site: Path, target: str, endpoint_url: str | None = None, delete: bool = False, dry_run: bool = False, progress: Progress | None = None, cors: bool = False) -> Plan:
    """Compare `site` with the objects under `target`, then upload the changed files (and delete stale ones)."""
    site = Path(site)
    if not site.is_dir():
        raise BuildError(f"{site}: no such folder; build it first with 'geosite build'")
    report = progress or (lambda text: None)
    bucket, prefix = parse_target(target)
    client = _client(endpoint_url)
    report("Listing the published objects")
    files = list(local_files(site))
    api = hosting.api_objects(files)
    plan = compare(site, [*files, *api], remote_objects(client, bucket, prefix), client, bucket, prefix, delete, api)
    if not dry_run:
        upload(client, site, plan, report)
        remove(client, plan, report)
        if cors:
            client.put_bucket_cors(Bucket=bucket, CORSConfiguration=bucket_cors())
    return plan


def bucket_cors() -> dict:
    """The bucket-wide CORS rule browsers need for range reads (S3 has no per-object CORS headers)."""
    return {
        "CORSRules": [
            {
                "AllowedOrigins": [hosting.CORS_HEADERS["Access-Control-Allow-Origin"]],
                "AllowedMethods": ["GET", "HEAD"],
                "AllowedHeaders": [h.strip() for h in hosting.CORS_PREFLIGHT["Access-Control-Allow-Headers"].split(",")],
                "ExposeHeaders": [h.strip() for h in hosting.CORS_HEADERS["Access-Control-Expose-Headers"].split(",")],
                "MaxAgeSeconds": int(hosting.CORS_PREFLIGHT["Access-Control-Max-Age"]),
            }
        ]
    }


def _client(endpoint_url: str | None):
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.client("s3", endpoint_url=endpoint_url)
    except BotoCoreError as exc:
        raise BuildError(f"cannot reach S3: {exc}") from None


def local_files(site: Path) -> Iterator[str]:
    """Output-relative paths of every file to publish, in a stable order."""
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and rel not in HOST_ONLY_FILES:
            yield rel


def remote_objects(client, bucket: str, prefix: str) -> dict[str, str]:
    """key -> ETag (without quotes) of every object under the prefix."""
    from botocore.exceptions import ClientError

    objects: dict[str, str] = {}
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            objects.update({item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])})
    except ClientError as exc:
        raise BuildError(f"cannot list s3://{bucket}/{prefix}: {exc.response['Error'].get('Message') or exc}") from None
    return objects


def compare(site: Path, files: Iterable[str], remote: dict[str, str], client, bucket: str, prefix: str, delete: bool, sources: dict[str, str] | None = None) -> Plan:
    """`files` are keys relative to the prefix; `sources` names the file of those that are not a file's own path."""
    plan = Plan(bucket, prefix, sources=dict(sources or {}))
    seen = set()
    for rel in files:
        key = prefix + rel
        seen.add(key)
        same = key in remote and _same_content(client, bucket, key, remote[key], file_md5(site / plan.source(rel)))
        (plan.unchanged if same else plan.upload).append(rel)
    plan.upload.sort(key=lambda rel: (not hosting.is_data_file(plan.source(rel)), rel.endswith(".html"), rel))
    plan.stale = sorted(set(remote) - seen)
    plan.delete = list(plan.stale) if delete else []
    return plan


def _same_content(client, bucket: str, key: str, etag: str, md5: str) -> bool:
    """A single-part upload's ETag is its MD5; a multipart one carries the MD5 in metadata."""
    if "-" not in etag:
        return etag == md5
    metadata = client.head_object(Bucket=bucket, Key=key).get("Metadata", {})
    return metadata.get(MD5_METADATA) == md5


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def object_headers(rel: str, md5: str) -> dict:
    """The upload's ExtraArgs: what the object store will answer with."""
    return {"ContentType": hosting.content_type(rel), "CacheControl": hosting.cache_control(rel), "Metadata": {MD5_METADATA: md5}}


def upload(client, site: Path, plan: Plan, report: Progress) -> None:
    """Data files first, then JSON, then pages: a reader never meets a link to a file not yet uploaded."""
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, max_concurrency=4)
    total = len(plan.upload)
    for start in range(0, total, WORKERS * 4):
        batch = plan.upload[start : start + WORKERS * 4]
        report(f"Uploading {start + 1}-{start + len(batch)} of {total}")
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda rel: _put(client, site, plan, rel, config), batch))


def _put(client, site: Path, plan: Plan, rel: str, config) -> None:
    source = plan.source(rel)
    path = site / source
    client.upload_file(os.fspath(path), plan.bucket, plan.prefix + rel, ExtraArgs=object_headers(source, file_md5(path)), Config=config)


def remove(client, plan: Plan, report: Progress) -> None:
    for start in range(0, len(plan.delete), 1000):
        batch = plan.delete[start : start + 1000]
        report(f"Deleting {len(batch)} stale objects")
        client.delete_objects(Bucket=plan.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True})
