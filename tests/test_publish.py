"""`geosite publish` against a real S3-compatible server (moto in server mode) on loopback."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.publish import MD5_METADATA, parse_target, publish
from generator.writers import hosting

BUCKET = "site-bucket"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    from serving_site import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "build"
    files = {
        "index.html": b"<html><body>home</body></html>",
        "index.json": b'{"links": []}',
        "collections/a/items/index.json": b'{"type": "FeatureCollection", "features": []}',
        "datasets/a/a.pmtiles": b"PMTiles" + bytes(range(256)) * 8,
        "datasets/a/a.tif": b"II*\x00" + bytes(200),
        "_headers": b"/*\n  X: y\n",
        "_redirects": b"/api /index.json 302\n",
        ".nojekyll": b"",
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


API_OBJECTS = {"api": "index.json", "api/collections/a/items": "collections/a/items/index.json"}
"""The OGC API URLs other hosts redirect, laid out as objects (object storage has no rewrites)."""


def keys(client, prefix: str = "") -> set[str]:
    return {item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix) for item in page.get("Contents", [])}


def test_parse_target():
    assert parse_target("s3://b/some/prefix/") == ("b", "some/prefix/")
    assert parse_target("s3://b") == ("b", "")
    with pytest.raises(BuildError):
        parse_target("https://b/prefix")


def test_first_publish_uploads_everything_with_types_and_cache_policy(s3, s3_endpoint, site):
    plan = publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    expected = {"index.html", "index.json", "collections/a/items/index.json", "datasets/a/a.pmtiles", "datasets/a/a.tif", *API_OBJECTS}
    assert set(plan.upload) == expected and plan.unchanged == []
    assert keys(s3) == {f"www/{rel}" for rel in expected}, "host-only files (_headers, _redirects, .nojekyll) stay out"
    assert plan.upload.index("datasets/a/a.pmtiles") < plan.upload.index("index.json") < plan.upload.index("index.html")
    for rel in expected:
        head = s3.head_object(Bucket=BUCKET, Key=f"www/{rel}")
        source = API_OBJECTS.get(rel, rel)
        assert head["ContentType"] == hosting.content_type(source)
        assert head["CacheControl"] == hosting.cache_control(source)
        assert head["Metadata"][MD5_METADATA] == head["ETag"].strip('"')
    for key, source in API_OBJECTS.items():
        assert s3.get_object(Bucket=BUCKET, Key=f"www/{key}")["Body"].read() == (site / source).read_bytes()


def test_second_publish_uploads_nothing_and_a_change_uploads_one_file(s3, s3_endpoint, site):
    publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    again = publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    assert again.upload == [] and len(again.unchanged) == 7
    (site / "index.json").write_text('{"links": [], "changed": true}')
    changed = publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    assert changed.upload == ["api", "index.json"]  # the landing page, and its copy at the API URL
    body = s3.get_object(Bucket=BUCKET, Key="www/index.json")["Body"].read()
    assert json.loads(body)["changed"] is True


def test_stale_objects_are_deleted_only_with_delete(s3, s3_endpoint, site):
    publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    s3.put_object(Bucket=BUCKET, Key="other/keep.txt", Body=b"outside the prefix")
    (site / "datasets/a/a.tif").unlink()
    kept = publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    assert kept.stale == ["www/datasets/a/a.tif"] and kept.delete == []
    assert "www/datasets/a/a.tif" in keys(s3)
    deleted = publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint, delete=True)
    assert deleted.delete == ["www/datasets/a/a.tif"]
    assert "www/datasets/a/a.tif" not in keys(s3) and "other/keep.txt" in keys(s3)


def test_dry_run_changes_nothing(s3, s3_endpoint, site):
    plan = publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint, dry_run=True)
    assert len(plan.upload) == 7
    assert keys(s3) == set()


def test_an_interrupted_publish_resumes_with_the_rest(s3, s3_endpoint, site, monkeypatch):
    from generator import publish as publish_module

    real_put, calls = publish_module._put, []

    def flaky(client, root, plan, rel, config):
        calls.append(rel)
        if rel == "index.html":
            raise ConnectionError("network went away")
        real_put(client, root, plan, rel, config)

    monkeypatch.setattr(publish_module, "_put", flaky)
    with pytest.raises(ConnectionError):
        publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    monkeypatch.setattr(publish_module, "_put", real_put)
    resumed = publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    assert resumed.upload == ["index.html"]


PUBLIC_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}
"""How a website bucket is opened to anonymous readers (the README's S3 section)."""


def test_the_published_site_reads_back_over_http(s3, s3_endpoint, site):
    publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    host, port = s3_endpoint.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", f"/{BUCKET}/www/datasets/a/a.pmtiles", headers={"Range": "bytes=0-6"})
    response = connection.getresponse()
    assert response.status == 206 and response.read() == b"PMTiles"
    assert response.getheader("Content-Type") == "application/vnd.pmtiles"
    connection.close()


def test_cli_publish_prints_the_plan(s3, s3_endpoint, site):
    from typer.testing import CliRunner

    from generator.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["publish", str(site), "--to", f"s3://{BUCKET}/cli", "--endpoint-url", s3_endpoint])
    assert first.exit_code == 0, first.output
    assert "uploaded index.html" in first.output
    second = runner.invoke(app, ["publish", str(site), f"s3://{BUCKET}/cli", "--endpoint-url", s3_endpoint])
    assert second.exit_code == 0 and "Uploaded 0 file(s), 7 unchanged" in second.output


def test_missing_bucket_is_one_line_error(s3, s3_endpoint, site):
    with pytest.raises(BuildError, match="cannot list s3://no-such-bucket/"):
        publish(site, "s3://no-such-bucket/x", endpoint_url=s3_endpoint)


def test_cors_option_lets_browsers_read_ranges(s3, s3_endpoint, site):
    publish(site, f"s3://{BUCKET}/www", endpoint_url=s3_endpoint, cors=True)
    rule = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"][0]
    assert rule["AllowedOrigins"] == ["*"] and "Range" in rule["AllowedHeaders"]
    assert {"Content-Range", "ETag", "Accept-Ranges"} <= set(rule["ExposeHeaders"])
