"""Vector datasets end to end: messy sources in, downloads, Features pages and PMTiles out, all checked."""

from __future__ import annotations

import gzip
import json
import logging
import posixpath
from pathlib import Path

import geopandas
import mapbox_vector_tile
import numpy as np
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from pmtiles.reader import MmapSource, Reader, all_tiles

from generator import layout
from generator.build import build
from generator.check.schemas import validate_document
from generator.errors import GeositeError
from generator.output import describe_file
from tests.conftest import write_source

HERE = Path(__file__).resolve().parent
NC = HERE / "data" / "vector" / "nc"
MAX_TILE_BYTES = 500_000


def feature(geometry, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def polygon(*ring) -> dict:
    return {"type": "Polygon", "coordinates": [list(ring)]}


MESSY = [
    feature(polygon([0, 0], [1, 0], [1, 1], [0, 1], [0, 0]), name="fine", n=1),
    feature(polygon([0, 0], [1, 1], [1, 0], [0, 1], [0, 0]), name="bow-tie", n=2),
    feature(polygon([0, 0], [1, 0], [1, 1], [0, 1]), name="unclosed", n=3),
    feature(None, name="no geometry", n=4),
    feature({"type": "Polygon", "coordinates": "not coordinates"}, name="garbage", n=5),
    feature({"type": "Point", "coordinates": [1.5, 2.5, 120.0]}, name="with z", n=6),
    feature(polygon([179, -17], [-179, -17], [-179, -16], [179, -16], [179, -17]), name="jumps the antimeridian", n=7),
    feature({"type": "Point", "coordinates": [180.0000001, 90.0000001]}, name="just past the corner", n=9),
    feature({"type": "Point", "coordinates": [2, 3]}, **{"name with spaces": "x", "long text": "é" * 5000, "n": 8, "NAME": "upper case twin"}),
]
MESSY_KEPT = len(MESSY) - 1  # the unclosed ring is dropped; the garbage geometry is read as null by GDAL

FIJI = [
    feature({"type": "MultiPolygon", "coordinates": [
        [[[177.0, -18.0], [180.0, -18.0], [180.0, -16.0], [177.0, -16.0], [177.0, -18.0]]],
        [[[-180.0, -17.0], [-178.5, -17.0], [-178.5, -16.5], [-180.0, -16.5], [-180.0, -17.0]]],
    ]}, name="Fiji"),
    feature({"type": "Point", "coordinates": [-178.2, -19.0]}, name="Lau"),
]


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def points_table(count: int, seed: int = 1) -> geopandas.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(5, 15, count), rng.uniform(45, 55, count)
    return geopandas.GeoDataFrame({"name": [f"p{i}" for i in range(count)], "value": rng.integers(0, 100, count)},
                                  geometry=geopandas.points_from_xy(x, y), crs="EPSG:4326")


def dataset_yaml(title: str, source: str, extra: str = "") -> str:
    return f"title: {title}\nlicense: CC-BY-4.0\nrights: © Test makers\nsource: {source}\n{extra}"


def make_files(folder: Path) -> dict[str, Path]:
    """Every input kind the tests cover, generated here (only the NC shapefile is a copied real file)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"datasets/messy/messy.geojson": write_geojson(folder / "messy.geojson", MESSY),
             "datasets/fiji/fiji.geojson": write_geojson(folder / "fiji.geojson", FIJI)}
    for suffix in ("shp", "shx", "dbf", "prj"):
        files[f"datasets/nc/nc.{suffix}"] = NC / f"nc.{suffix}"
    towns, roads = points_table(30), geopandas.GeoDataFrame({"ref": ["A1"]}, geometry=[shapely.LineString([(5, 45), (6, 46)])], crs="EPSG:4326")
    pyogrio.write_dataframe(roads, folder / "two.gpkg", layer="roads")
    pyogrio.write_dataframe(towns, folder / "two.gpkg", layer="towns", append=True)
    files["datasets/layers/two.gpkg"] = folder / "two.gpkg"
    latin = geopandas.GeoDataFrame({"city": ["Zürich", "Genève"]}, geometry=geopandas.points_from_xy([8.54, 6.14], [47.37, 46.2]), crs="EPSG:4326")
    pyogrio.write_dataframe(latin, folder / "latin.shp", encoding="latin1")
    for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
        files[f"datasets/latincpg/latin.{suffix}"] = folder / f"latin.{suffix}"
        files[f"datasets/latin/latin.{suffix}"] = folder / f"latin.{suffix}"
    del files["datasets/latin/latin.cpg"]  # this copy relies on the encoding option instead
    pts = points_table(2500)
    pts.assign(lng=pts.geometry.x, lat_deg=pts.geometry.y).drop(columns="geometry").to_csv(folder / "points.csv", index=False)
    files["datasets/csvpoints/points.csv"] = folder / "points.csv"
    wkt = points_table(5).to_crs("EPSG:3857")
    wkt.assign(shape=wkt.geometry.to_wkt()).drop(columns="geometry").to_csv(folder / "wkt.csv", index=False)
    files["datasets/csvwkt/wkt.csv"] = folder / "wkt.csv"
    pyogrio.write_dataframe(points_table(40, seed=2), folder / "in.fgb")
    files["datasets/fgb/in.fgb"] = folder / "in.fgb"
    points_table(50, seed=3).to_parquet(folder / "in.parquet", write_covering_bbox=True)
    files["datasets/parquet/in.parquet"] = folder / "in.parquet"
    near = 0.00001  # about a metre
    toy = [feature(polygon([0, 0], [2, 0], [2, 2], [0, 2], [0, 0]), name="square"),
           feature(polygon([near, near], [2 + near, near], [2 + near, 2 + near], [near, 2 + near], [near, near]), name="nudged copy")]
    files["datasets/toy/toy.geojson"] = write_geojson(folder / "toy.geojson", toy)
    outlier = points_table(4, seed=5)
    outlier.loc[3, "geometry"] = shapely.Point(1_000_000, 1_000_000)  # a stray projected coordinate
    pyogrio.write_dataframe(outlier, folder / "outlier.fgb")
    files["datasets/outlier/outlier.fgb"] = folder / "outlier.fgb"
    (folder / "town.osm").write_text(OSM_XML, encoding="utf-8")
    files["datasets/osm/town.osm"] = folder / "town.osm"
    for driver, suffix in (("KML", "kml"), ("GML", "gml")):
        pyogrio.write_dataframe(points_table(4, seed=4), folder / f"in.{suffix}", driver=driver)
        files[f"datasets/{suffix}/in.{suffix}"] = folder / f"in.{suffix}"
    return files


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="tests">
 <node id="1" lat="51.5" lon="-0.1" version="1"><tag k="amenity" v="cafe"/><tag k="name" v="Café"/></node>
 <node id="2" lat="51.51" lon="-0.11" version="1"/>
 <node id="3" lat="51.52" lon="-0.12" version="1"/>
 <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/><tag k="name" v="High Street"/></way>
</osm>
"""

DATASETS = {
    "messy": dataset_yaml("Messy polygons", "messy.geojson", "tiles:\n  attributes: [name, n, long text]\n"),
    "fiji": dataset_yaml("Fiji", "fiji.geojson"),
    "nc": dataset_yaml("North Carolina", "nc.shp", "downloads:\n  extra_crs: [source, EPSG:3857]\n"),
    "layers": dataset_yaml("Towns", "{path: two.gpkg, layer: towns}"),
    "latin": dataset_yaml("Cities", "{path: latin.shp, encoding: latin1}"),
    "latincpg": dataset_yaml("Cities with a .cpg", "latin.shp"),
    "csvpoints": dataset_yaml("CSV points", "{path: points.csv, lon: lng, lat: lat_deg}", "features:\n  page_size: 1000\ntiles:\n  maxzoom: 6\n"),
    "csvwkt": dataset_yaml("CSV WKT", "{path: wkt.csv, wkt: shape, crs: EPSG:3857}"),
    "fgb": dataset_yaml("FlatGeobuf input", "in.fgb"),
    "parquet": dataset_yaml("GeoParquet input", "in.parquet"),
    "osm": dataset_yaml("OSM streets", "{path: town.osm, layer: lines}"),
    "toy": dataset_yaml("Big square, close point", "toy.geojson"),
    "outlier": dataset_yaml("One stray point", "outlier.fgb"),
    "kml": dataset_yaml("KML points", "in.kml"),
    "gml": dataset_yaml("GML points", "in.gml"),
}
EXPECTED_COUNTS = {"messy": MESSY_KEPT, "fiji": 2, "nc": 100, "layers": 30, "latin": 2, "latincpg": 2, "csvpoints": 2500, "csvwkt": 5, "fgb": 40, "parquet": 50, "osm": 1, "kml": 4, "gml": 4, "toy": 2, "outlier": 3}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, list[str]]:
    """One build of every vector case, with the build log captured."""
    root = tmp_path_factory.mktemp("vector")
    src = write_source(root, DATASETS, files=make_files(root / "files"))
    handler = _Records()
    logger = logging.getLogger("geosite")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        build(src, root / "site")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    return root / "site", handler.messages


def load(site_root: Path, rel: str) -> dict:
    return json.loads((site_root / rel).read_text(encoding="utf-8"))


def all_features(site_root: Path, dataset_id: str) -> list[dict]:
    """Follow `next` from page 1, as a client would."""
    rel, features = layout.features_page(dataset_id, 1), []
    while rel:
        page = load(site_root, rel)
        assert page["numberReturned"] == len(page["features"])
        features += page["features"]
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(rel), following[0])) if following else None
    return features


@pytest.mark.parametrize("dataset_id", sorted(EXPECTED_COUNTS))
def test_following_next_yields_every_kept_feature(site, dataset_id):
    root, _ = site
    features = all_features(root, dataset_id)
    first = load(root, layout.features_page(dataset_id, 1))
    assert len(features) == first["numberMatched"] == EXPECTED_COUNTS[dataset_id]
    assert len({f["id"] for f in features}) == len(features)


def test_pages_link_first_last_prev_next(site):
    root, _ = site
    pages = [load(root, layout.features_page("csvpoints", n)) for n in (1, 2, 3)]
    assert [p["numberReturned"] for p in pages] == [1000, 1000, 500]
    rels = [{link["rel"] for link in p["links"]} for p in pages]
    assert "prev" not in rels[0] and "next" in rels[0]
    assert {"prev", "next"} <= rels[1]
    assert "next" not in rels[2] and {"first", "last", "self", "collection"} <= rels[2]
    assert all(p["timeStamp"].endswith("Z") for p in pages)


def test_every_features_document_validates(site):
    root, _ = site
    checked = 0
    for dataset_id in EXPECTED_COUNTS:
        for path in sorted((root / "collections" / dataset_id).rglob("*.json"))[:60]:
            document = json.loads(path.read_text(encoding="utf-8"))
            assert validate_document(document) == [], path
            checked += 1
    assert checked > 30


def test_small_datasets_have_a_document_per_feature(site):
    root, _ = site
    for item in all_features(root, "messy"):
        single = load(root, layout.feature_json("messy", str(item["id"])))
        assert single["properties"] == item["properties"] and single["geometry"] == item["geometry"]
        assert {link["rel"] for link in single["links"]} == {"self", "collection", "alternate"}  # alternate: its HTML page


def test_geopandas_reads_an_items_page(site):
    root, _ = site
    frame = geopandas.read_file(root / layout.features_page("nc", 1))
    assert len(frame) == 100 and frame.crs.to_epsg() == 4326
    assert frame.total_bounds == pytest.approx([-84.32, 33.88, -75.46, 36.59], abs=0.05)


def test_downloads_exist_with_true_size_checksum_and_crs(site):
    root, _ = site
    for dataset_id in EXPECTED_COUNTS:
        stac = load(root, layout.stac_collection(dataset_id))
        record = load(root, layout.record_json(dataset_id))
        keys = set(stac["assets"])
        assert {"geoparquet", "geopackage", "flatgeobuf", "pmtiles"} <= keys
        for asset in stac["assets"].values():
            path = (root / layout.stac_collection(dataset_id)).parent / asset["href"]
            size, checksum = describe_file(path.resolve())
            assert (asset["file:size"], asset["file:checksum"]) == (size, checksum), asset["href"]
        enclosures = {link["href"].rsplit("/", 1)[-1] for link in record["links"] if link["rel"] == "enclosure"}
        assert {f"{dataset_id}.parquet", f"{dataset_id}.gpkg", f"{dataset_id}.fgb"} <= enclosures


def test_downloads_hold_the_features_in_wgs84(site):
    root, _ = site
    for suffix in ("gpkg", "fgb"):
        frame = pyogrio.read_dataframe(root / layout.dataset_file("nc", f"nc.{suffix}"))
        assert len(frame) == 100 and frame.crs.to_epsg() == 4326
    parquet = geopandas.read_parquet(root / layout.dataset_file("messy", "messy.parquet"))
    assert len(parquet) == MESSY_KEPT and parquet.geometry.isna().sum() == 2  # null geometries are kept
    assert parquet.geometry.has_z.sum() == 1


def test_flatgeobuf_and_geoparquet_answer_bbox_queries(site):
    root, _ = site
    everything = pyogrio.read_dataframe(root / layout.dataset_file("csvpoints", "csvpoints.fgb"))
    box = (5, 45, 7, 47)
    inside = everything.cx[5:7, 45:47]
    fgb = pyogrio.read_dataframe(root / layout.dataset_file("csvpoints", "csvpoints.fgb"), bbox=box)
    parquet = geopandas.read_parquet(root / layout.dataset_file("csvpoints", "csvpoints.parquet"), bbox=box)
    assert 0 < len(inside) < len(everything)
    assert sorted(fgb["fid"]) == sorted(inside["fid"]) == sorted(parquet["fid"])


def test_geoparquet_is_1_1_with_bbox_covering_in_spatial_order(site):
    root, _ = site
    path = root / layout.dataset_file("csvpoints", "csvpoints.parquet")
    geo = json.loads(pq.read_schema(path).metadata[b"geo"])
    column = geo["columns"][geo["primary_column"]]
    assert geo["version"] == "1.1.0" and column["encoding"] == "WKB"
    assert column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups >= 1
    boxes = pq.read_table(path, columns=["bbox"]).column("bbox").combine_chunks()
    x = boxes.field("xmin").to_numpy()
    y = boxes.field("ymin").to_numpy()
    steps = np.hypot(np.diff(x), np.diff(y))
    shuffled = np.hypot(np.diff(np.sort(x)[np.random.default_rng(0).permutation(len(x))]), np.diff(y))
    assert steps.mean() < shuffled.mean() / 5  # neighbours in the file are neighbours on the ground


def test_extra_crs_geopackages(site):
    root, _ = site
    stac = load(root, layout.stac_collection("nc"))
    extra = {key: asset for key, asset in stac["assets"].items() if key.startswith("geopackage-")}
    assert set(extra) == {"geopackage-epsg-4267", "geopackage-epsg-3857"}
    frame = pyogrio.read_dataframe(root / layout.dataset_file("nc", "nc.epsg-3857.gpkg"))
    assert frame.crs.to_epsg() == 3857 and len(frame) == 100 and frame.total_bounds[0] < -9_000_000


def tiles_of(root: Path, dataset_id: str) -> tuple[dict, list[tuple[tuple[int, int, int], bytes]]]:
    with open(root / layout.pmtiles_archive(dataset_id), "rb") as handle:
        reader = Reader(MmapSource(handle))
        return reader.header(), list(all_tiles(reader.get_bytes))


@pytest.mark.parametrize("dataset_id", sorted(EXPECTED_COUNTS))
def test_pmtiles_are_small_and_decode_to_the_dataset_layer(site, dataset_id):
    root, _ = site
    header, tiles = tiles_of(root, dataset_id)
    assert header["tile_type"].name == "MVT" and tiles
    assert max(len(data) for _, data in tiles) <= MAX_TILE_BYTES
    for _, data in tiles[:20]:
        layers = mapbox_vector_tile.decode(gzip.decompress(data))
        assert set(layers) == {dataset_id}


def test_tiles_keep_chosen_attributes_and_skip_null_geometries(site):
    root, _ = site
    header, tiles = tiles_of(root, "messy")
    top = [data for (z, _, _), data in tiles if z == header["max_zoom"]]
    properties = [f["properties"] for data in top for f in mapbox_vector_tile.decode(gzip.decompress(data))["messy"]["features"]]
    assert properties and all(set(p) <= {"name", "n", "long text", "fid"} for p in properties)  # fid 0 cannot be an MVT id
    assert "no geometry" not in {p.get("name") for p in properties}
    assert max(len(p.get("long text", "")) for p in properties) <= 500
    tilejson = load(root, layout.tilejson("messy"))
    assert tilejson["vector_layers"][0]["id"] == "messy" and "Test makers" in tilejson["attribution"]


def test_guessed_maximum_zoom_is_kept_in_proportion(site):
    """tippecanoe guesses a high zoom for features a metre apart; 2° squares would then fill millions of tiles."""
    root, messages = site
    header, tiles = tiles_of(root, "toy")
    assert header["max_zoom"] <= 14 and len(tiles) <= 4096
    assert any(m.startswith("toy: tippecanoe guessed maximum zoom") for m in messages)


def test_defects_are_reported_by_dataset_and_count(site):
    _, messages = site
    log = "\n".join(messages)
    assert "messy: 1 features dropped: geometry could not be parsed" in log
    assert "messy: 1 invalid geometries repaired" in log
    assert "messy: 2 features without geometry" in log
    assert "messy: 2 geometries cut at the antimeridian or wrapped into -180..180" in log
    assert "messy: 1 geometries with latitudes beyond ±90" in log
    assert "outlier: 1 features dropped: coordinates not finite or far outside ±180°/±90°" in log


def test_antimeridian_extent_has_west_greater_than_east(site):
    root, _ = site
    west, south, east, north = load(root, layout.collection_json("fiji"))["extent"]["spatial"]["bbox"][0]
    assert (west, east) == pytest.approx((177.0, -178.2))
    assert (south, north) == pytest.approx((-19.0, -16.0))
    record = load(root, layout.record_json("fiji"))
    assert record["geometry"]["type"] == "MultiPolygon"


def test_polygon_jumping_the_antimeridian_is_cut_into_two(site):
    root, _ = site
    jumping = next(f for f in all_features(root, "messy") if f["properties"]["name"] == "jumps the antimeridian")
    geometry = shapely.geometry.shape(jumping["geometry"])
    assert geometry.geom_type == "MultiPolygon" and geometry.bounds == pytest.approx((-180, -17, 180, -16))
    assert geometry.area == pytest.approx(2.0)


def test_coordinates_just_past_the_limits_come_back_inside(site):
    root, _ = site
    corner = next(f for f in all_features(root, "messy") if f["properties"]["name"] == "just past the corner")
    assert corner["geometry"]["coordinates"] == pytest.approx([-179.9999999, 90.0])


def test_z_values_reach_the_features_pages(site):
    root, _ = site
    point = next(f for f in all_features(root, "messy") if f["properties"]["name"] == "with z")
    assert point["geometry"]["coordinates"] == [1.5, 2.5, 120.0]


def test_attribute_encodings(site):
    root, _ = site
    assert sorted(f["properties"]["city"] for f in all_features(root, "latin")) == ["Genève", "Zürich"]
    assert sorted(f["properties"]["city"] for f in all_features(root, "latincpg")) == ["Genève", "Zürich"]
    assert "Gen\xe8ve".encode("latin1") in (root.parent / "src" / "datasets" / "latin" / "latin.dbf").read_bytes()
    strange = next(f for f in all_features(root, "messy") if f["properties"]["n"] == 8)
    assert strange["properties"]["name with spaces"] == "x" and len(strange["properties"]["long text"]) == 5000
    assert strange["properties"]["NAME_2"] == "upper case twin"  # GeoPackage cannot hold name and NAME
    assert "NAME_2" in pyogrio.read_info(root / layout.dataset_file("messy", "messy.gpkg"))["fields"]


def test_osm_layer(site):
    root, _ = site
    (street,) = all_features(root, "osm")
    assert street["properties"]["name"] == "High Street" and street["geometry"]["type"] == "LineString"


def test_csv_sources(site):
    root, _ = site
    assert "bbox" not in all_features(root, "parquet")[0]["properties"]  # the input's covering column
    wkt = all_features(root, "csvwkt")
    assert all(5 <= f["geometry"]["coordinates"][0] <= 15 for f in wkt)  # EPSG:3857 WKT came back to degrees
    assert "shape" not in wkt[0]["properties"]
    header, _ = tiles_of(root, "csvpoints")
    assert header["max_zoom"] == 6  # tiles.maxzoom


def test_collection_queryables_and_conformance(site):
    root, _ = site
    collection = load(root, layout.collection_json("nc"))
    assert collection["itemType"] == "feature"
    rels = {link["rel"] for link in collection["links"]}
    assert {"items", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "enclosure", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"} <= rels
    queryables = load(root, layout.queryables_json("nc"))
    assert queryables["properties"]["NAME"]["type"] == "string"
    assert queryables["properties"]["BIR74"]["type"] == "number"
    assert queryables["properties"]["geometry"]["format"] == "geometry-polygon-or-multipolygon"
    conformance = load(root, layout.CONFORMANCE)["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    assert "/" + layout.features_page("{collectionId}", 1) in load(root, layout.OPENAPI)["paths"]


def test_missing_crs_is_an_error_asking_for_crs(tmp_path):
    frame = points_table(3)
    pyogrio.write_dataframe(frame, tmp_path / "nocrs.shp")
    (tmp_path / "nocrs.prj").unlink()
    files = {f"datasets/nocrs/nocrs.{s}": tmp_path / f"nocrs.{s}" for s in ("shp", "shx", "dbf")}
    src = write_source(tmp_path, {"nocrs": dataset_yaml("No CRS", "nocrs.shp")}, files=files)
    with pytest.raises(GeositeError, match="crs: EPSG"):
        build(src, tmp_path / "site")


def test_projected_coordinates_labelled_wgs84_are_an_error(tmp_path):
    frame = points_table(5).to_crs("EPSG:2193").set_crs("EPSG:4326", allow_override=True)
    pyogrio.write_dataframe(frame, tmp_path / "mislabelled.gpkg")
    src = write_source(tmp_path, {"nz": dataset_yaml("Mislabelled", "mislabelled.gpkg")}, files={"datasets/nz/mislabelled.gpkg": tmp_path / "mislabelled.gpkg"})
    with pytest.raises(GeositeError, match="5 of 5 features have coordinates that are not on the Earth"):
        build(src, tmp_path / "site")


@pytest.mark.filterwarnings("ignore:More than one layer found")
def test_several_layers_without_a_layer_option_is_an_error(tmp_path):
    files = make_gpkg_only(tmp_path)
    src = write_source(tmp_path, {"layers": dataset_yaml("Two layers", "two.gpkg")}, files=files)
    with pytest.raises(GeositeError, match="layer: <name>"):
        build(src, tmp_path / "site")


def make_gpkg_only(folder: Path) -> dict[str, Path]:
    pyogrio.write_dataframe(points_table(3), folder / "two.gpkg", layer="a")
    pyogrio.write_dataframe(points_table(3), folder / "two.gpkg", layer="b", append=True)
    return {"datasets/layers/two.gpkg": folder / "two.gpkg"}


def test_large_datasets_get_pages_but_no_single_documents(tmp_path, monkeypatch):
    from generator.data import features

    monkeypatch.setattr(features, "SINGLE_FEATURE_LIMIT", 10)
    pyogrio.write_dataframe(points_table(25), tmp_path / "p.fgb")
    src = write_source(tmp_path, {"p": dataset_yaml("Points", "{path: p.fgb}", "features:\n  page_size: 10\n")}, files={"datasets/p/p.fgb": tmp_path / "p.fgb"})
    build(src, tmp_path / "site")
    items = sorted(p.name for p in (tmp_path / "site" / "collections" / "p" / "items").iterdir())
    assert items == ["index.html", "index.json", "page-2.html", "page-2.json", "page-3.html", "page-3.json"]  # pages and their HTML twins
    assert len(all_features(tmp_path / "site", "p")) == 25


def test_an_id_property_is_both_the_feature_id_and_an_attribute(tmp_path):
    """GDAL takes a GeoJSON integer `id` as the feature id and also returns it as an attribute of that name."""
    path = write_geojson(tmp_path / "ids.geojson", [feature({"type": "Point", "coordinates": [1, 2]}, id=7, name="a"),
                                                     feature({"type": "Point", "coordinates": [3, 4]}, id=9, name="b")])
    src = write_source(tmp_path, {"ids": dataset_yaml("Ids", "ids.geojson")}, files={"datasets/ids/ids.geojson": path})
    build(src, tmp_path / "site")
    features = all_features(tmp_path / "site", "ids")
    assert [(f["id"], f["properties"]["id"], f["properties"]["name"]) for f in features] == [(7, 7, "a"), (9, 9, "b")]
