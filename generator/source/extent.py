"""Reconcile an extent declared in YAML with the one measured from the data."""

from __future__ import annotations

from generator.errors import SourceError
from generator.geo import bbox_area, boxes_touch, intersection_area
from generator.model import BBox
from generator.source.yamlfile import YamlDocument

MARGIN_DEGREES = 0.5
"""How far apart a declared and a measured extent may lie and still be taken as rounding, not a mistake."""

MIN_SHARED_FRACTION = 0.1
"""At least this share of the data's extent must fall inside the declared one."""


def check_declared_bbox(doc: YamlDocument, declared: BBox | None, measured: BBox | None) -> BBox | None:
    """The extent to publish: the declared one if it agrees with the data, else the data's; wild disagreement is an error.

    A declared extent may be larger than the data (a coverage area), but not elsewhere on the globe or mostly
    beside it: that is almost always swapped axes, a wrong sign or a copy-paste from another dataset.
    """
    if declared is None or measured is None:
        return declared or measured
    if not boxes_touch(declared, measured, MARGIN_DEGREES):
        raise SourceError(doc.problem(("bbox",), f"declared bbox {list(declared)} does not overlap the data's extent {_fmt(measured)}; fix or remove it"))
    data_area = bbox_area(measured)
    if data_area > 0 and intersection_area(declared, measured) < MIN_SHARED_FRACTION * data_area:
        raise SourceError(doc.problem(("bbox",), f"declared bbox {list(declared)} leaves most of the data's extent {_fmt(measured)} outside; fix or remove it"))
    return declared


def _fmt(bbox: BBox) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in bbox) + "]"
