"""Bounding-box arithmetic in CRS84 that understands boxes crossing the antimeridian (west > east)."""

from __future__ import annotations

from typing import Any

from generator.model import BBox


def split_at_antimeridian(bbox: BBox) -> list[BBox]:
    """One box, or two when it crosses the antimeridian, each with west <= east."""
    west, south, east, north = bbox
    if west <= east:
        return [bbox]
    return [(west, south, 180.0, north), (-180.0, south, east, north)]


def bbox_area(bbox: BBox) -> float:
    """Area in square degrees (a comparison measure, not a real area)."""
    return sum((e - w) * (n - s) for w, s, e, n in split_at_antimeridian(bbox))


def intersection_area(a: BBox, b: BBox) -> float:
    total = 0.0
    for aw, as_, ae, an in split_at_antimeridian(a):
        for bw, bs, be, bn in split_at_antimeridian(b):
            width = min(ae, be) - max(aw, bw)
            height = min(an, bn) - max(as_, bs)
            if width >= 0 and height >= 0:
                total += width * height
    return total


def boxes_touch(a: BBox, b: BBox, margin: float = 0.0) -> bool:
    """Whether the boxes overlap once each is grown by `margin` degrees (zero-area boxes included)."""
    for aw, as_, ae, an in split_at_antimeridian(a):
        for bw, bs, be, bn in split_at_antimeridian(b):
            if aw - margin <= be and bw - margin <= ae and as_ - margin <= bn and bs - margin <= an:
                return True
    return False


def bbox_geometry(bbox: BBox) -> dict[str, Any]:
    """GeoJSON geometry of the box: a Point for a degenerate box, a MultiPolygon when it crosses 180°."""
    west, south, east, north = bbox
    if west == east and south == north:
        return {"type": "Point", "coordinates": [west, south]}
    rings = [[[[w, s], [e, s], [e, n], [w, n], [w, s]]] for w, s, e, n in split_at_antimeridian(bbox)]
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def rounded(bbox: BBox, digits: int = 7) -> list[float]:
    """JSON-friendly bbox: ~1 cm precision is plenty for an extent."""
    return [round(float(v), digits) for v in bbox]
