"""Geometry arithmetic for vector data in CRS84: the antimeridian, latitude limits, extents and spatial order."""

from __future__ import annotations

import numpy as np
import shapely

from generator.model import BBox

WORLD_X = 360.0
HILBERT_ORDER = 16


def needs_longitude_fix(bounds: np.ndarray) -> np.ndarray:
    """Geometries reaching past ±180° or wider than half the globe (a ring jumping across the antimeridian)."""
    with np.errstate(invalid="ignore"):
        return (bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 2] - bounds[:, 0] > 180)


def fix_longitudes(geometry: shapely.Geometry) -> shapely.Geometry:
    """Bring a geometry into -180..180, cutting it at the antimeridian instead of letting it wrap the globe.

    Points are wrapped. Lines and polygons first have their jumps across ±180 unwrapped (a ring going
    from 179° to -179° really goes on to 181°), then are cut into the pieces on each side of the meridian.
    """
    west, _, east, _ = shapely.bounds(geometry)
    if shapely.get_type_id(geometry) in (0, 4):
        return shapely.transform(geometry, _wrap_x, include_z=shapely.has_z(geometry))
    if west >= -180 and east <= 180 and not _has_jump(geometry):
        return geometry
    unwrapped = _unwrap(geometry)
    pieces = [_shifted_piece(unwrapped, offset) for offset in (-WORLD_X, 0.0, WORLD_X)]
    pieces = [p for p in pieces if p is not None]
    return shapely.union_all(pieces) if len(pieces) > 1 else pieces[0]


def _wrap_x(coords: np.ndarray) -> np.ndarray:
    coords = coords.copy()
    coords[:, 0] = (coords[:, 0] + 180.0) % WORLD_X - 180.0
    return coords


def _unwrap(geometry: shapely.Geometry) -> shapely.Geometry:
    """Make each ring/line continuous: a step of more than 180° in longitude is taken the short way round."""

    def unwrap(coords: np.ndarray) -> np.ndarray:
        coords = coords.copy()
        coords[:, 0] = np.rad2deg(np.unwrap(np.deg2rad(coords[:, 0])))
        return coords

    parts = shapely.get_parts(geometry)
    fixed = [_map_rings(part, unwrap) for part in parts]
    return shapely.union_all(shapely.make_valid(np.array(fixed))) if len(fixed) > 1 else shapely.make_valid(fixed[0])


def _has_jump(geometry: shapely.Geometry) -> bool:
    """A step of more than 180° between consecutive vertices, not merely along the ±180 edge itself."""
    for part in shapely.get_parts(geometry):
        for line in _lines(part):
            x = shapely.get_coordinates(line)[:, 0]
            steps = np.abs(np.diff(x)) > 180
            on_edge = (np.abs(x[:-1]) == 180) | (np.abs(x[1:]) == 180)
            if np.any(steps & ~on_edge):
                return True
    return False


def _lines(part: shapely.Geometry) -> list[shapely.Geometry]:
    if shapely.get_type_id(part) == 3:
        return [shapely.get_exterior_ring(part), *shapely.get_interior_ring(part, range(shapely.get_num_interior_rings(part)))]
    return [part]


def _map_rings(part: shapely.Geometry, function) -> shapely.Geometry:
    if shapely.get_type_id(part) == 3:
        rings = [shapely.get_coordinates(r, include_z=shapely.has_z(part)) for r in _lines(part)]
        return shapely.Polygon(function(rings[0]), [function(r) for r in rings[1:]])
    return shapely.LineString(function(shapely.get_coordinates(part, include_z=shapely.has_z(part))))


def _shifted_piece(geometry: shapely.Geometry, offset: float) -> shapely.Geometry | None:
    """The part of `geometry` lying in the world copy at `offset`, moved back into -180..180."""
    window = shapely.box(-180.0 + offset, -90.0, 180.0 + offset, 90.0)
    piece = shapely.intersection(geometry, window)
    if shapely.is_empty(piece) or shapely.get_dimensions(piece) < shapely.get_dimensions(geometry):
        return None
    return shapely.transform(piece, lambda c: c - np.array([offset] + [0.0] * (c.shape[1] - 1)), include_z=shapely.has_z(piece))


def clamp_latitudes(geometry: shapely.Geometry) -> shapely.Geometry:
    """Latitudes a hair beyond the poles (rounding in the source) are put back on them."""

    def clamp(coords: np.ndarray) -> np.ndarray:
        coords = coords.copy()
        coords[:, 1] = np.clip(coords[:, 1], -90.0, 90.0)
        return coords

    return shapely.transform(geometry, clamp, include_z=shapely.has_z(geometry))


def longitude_intervals(geometries: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """(west, east) of each geometry, of each part for multi-part geometries spanning more than half the globe."""
    wide = (bounds[:, 2] - bounds[:, 0]) > 180
    narrow = bounds[~wide & ~np.isnan(bounds[:, 0])][:, [0, 2]]
    if not wide.any():
        return narrow
    parts = shapely.get_parts(geometries[wide])
    return np.vstack([narrow, shapely.bounds(parts)[:, [0, 2]]])


def extent(intervals: np.ndarray, south: float, north: float) -> BBox | None:
    """The dataset's box: across the antimeridian (west > east) when that is the narrower fit of at most half the globe."""
    if len(intervals) == 0:
        return None
    west, east = float(intervals[:, 0].min()), float(intervals[:, 1].max())
    gap_start, gap_end = _largest_gap(intervals)
    crossing_width = WORLD_X - (gap_end - gap_start)
    if gap_end > gap_start and crossing_width <= 180 and crossing_width < east - west:
        return (gap_end, south, gap_start, north)
    return (west, south, east, north)


def _largest_gap(intervals: np.ndarray) -> tuple[float, float]:
    """The widest stretch of longitude no interval covers, inside -180..180."""
    order = np.argsort(intervals[:, 0], kind="stable")
    starts, ends = intervals[order, 0], np.maximum.accumulate(intervals[order, 1])
    gaps = starts[1:] - ends[:-1]
    if len(gaps) == 0 or gaps.max() <= 0:
        return (0.0, 0.0)
    best = int(np.argmax(gaps))
    return (float(ends[best]), float(starts[best + 1]))


def hilbert_order(bounds: np.ndarray) -> np.ndarray:
    """Row order along a Hilbert curve through the boxes' centres; rows without geometry go last."""
    centre_x = (bounds[:, 0] + bounds[:, 2]) / 2
    centre_y = (bounds[:, 1] + bounds[:, 3]) / 2
    size = (1 << HILBERT_ORDER) - 1
    x = np.nan_to_num((centre_x + 180.0) / 360.0 * size, nan=size).clip(0, size).astype(np.uint64)
    y = np.nan_to_num((centre_y + 90.0) / 180.0 * size, nan=size).clip(0, size).astype(np.uint64)
    keys = _hilbert_keys(x, y)
    keys[np.isnan(centre_x)] = np.iinfo(np.uint64).max
    return np.argsort(keys, kind="stable")


def _hilbert_keys(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The classic xy-to-distance walk, vectorised over all points at once."""
    keys = np.zeros(len(x), dtype=np.uint64)
    n = np.uint64(1 << HILBERT_ORDER)
    s = n >> np.uint64(1)
    while s > 0:
        rx = ((x & s) > 0).astype(np.uint64)
        ry = ((y & s) > 0).astype(np.uint64)
        keys += s * s * ((np.uint64(3) * rx) ^ ry)
        flip = ry == 0
        swap_x = flip & (rx == 1)
        x = np.where(swap_x, n - np.uint64(1) - x, x)
        y = np.where(swap_x, n - np.uint64(1) - y, y)
        x, y = np.where(flip, y, x), np.where(flip, x, y)
        s >>= np.uint64(1)
    return keys
