"""The README's documented source format must stay valid against the published schemas."""

from __future__ import annotations

import re

from generator.source.validate import validate_document
from generator.source.yamlfile import read_yaml
from tests.conftest import REPO


def readme_yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_examples_validate(tmp_path):
    blocks = readme_yaml_blocks()
    catalogue = next(b for b in blocks if b.lstrip().startswith("id:"))
    dataset = next(b for b in blocks if "source: rivers.gpkg" in b)
    for name, text, schema in (("catalogue.yaml", catalogue, "catalogue.schema.json"), ("dataset.yaml", dataset, "dataset.schema.json")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert validate_document(read_yaml(path), schema) == [], name


def test_readme_option_fragments_validate(tmp_path):
    """The data-option snippets are parts of a dataset.yaml: with a title added they must validate."""
    fragments = [b for b in readme_yaml_blocks() if not b.lstrip().startswith(("id:", "title:"))]
    assert len(fragments) >= 2
    for number, text in enumerate(fragments):
        path = tmp_path / f"fragment{number}.yaml"
        path.write_text("title: Example\n" + text, encoding="utf-8")
        assert validate_document(read_yaml(path), "dataset.schema.json") == [], text


def test_readme_opens_with_the_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)```", text, re.S)[:2]
    assert "geosite build" in commands[0]
    assert "pytest" in commands[1]
    assert "pytest" in (REPO / ".ci/run").read_text()
