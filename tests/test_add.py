"""`geosite add`: a dataset.yaml drafted from the data itself, for every format geosite reads, that builds as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
import rasterio.shutil
from rasterio.transform import from_origin

from generator.build import build
from generator.draft import Draft, add_dataset, default_source_folder, yaml_text
from generator.errors import SourceError
from generator.source.loader import ID_PATTERN
from generator.source.yamlfile import read_yaml
from tests.conftest import REPO, write_source

NC_GPKG = REPO / "catalogue_src/datasets/nc-counties/sf_nc.gpkg"
NC_SHP = REPO / "tests/data/vector/nc/nc.shp"
COUNTRIES = REPO / "catalogue_src/datasets/world-countries/ne_110m_admin_0_countries.geojson"
QUAKES = REPO / "catalogue_src/datasets/earthquakes-2017/opengeos_earthquakes.geojson"
LANDSAT = REPO / "catalogue_src/datasets/landsat-rgb/rasterio_RGB.byte.tif"
NAVAIDS = Path("/work/shared/data/vector/points/ourairports_navaids.csv")
OSM = Path(pyogrio.__file__).parent / "tests/fixtures/sample.osm.pbf"
TRICKY_TITLE = 'NC counties: the "best" #1 set\nsecond line'


@pytest.fixture
def src(tmp_path) -> Path:
    return write_source(tmp_path, {})


def built(src: Path, out: Path) -> dict:
    """Build the source for real (schemas and links checked) and return its datasets by id."""
    result = build(src, out, jobs=1)
    return {dataset.id: dataset for dataset in result.catalogue.datasets}


def yaml_of(draft: Draft) -> dict:
    return read_yaml(draft.yaml_path).data


def counties(rows: int = 5):
    """The first North Carolina counties (NAD27) from the example GeoPackage, with a date-time column added."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pyogrio.read_dataframe(NC_GPKG).head(rows).copy()
    stamps = ["2001-02-03T10:00:00", "1999-12-31T23:30:00", "2005-06-07T00:00:00", None, "2003-01-01T01:02:03"]
    frame["surveyed"] = pd.to_datetime((stamps * rows)[:rows], format="ISO8601")
    return frame


def uncomment_crs(draft: Draft, crs: str) -> None:
    text = draft.yaml_path.read_text(encoding="utf-8")
    lines = [f"  crs: {crs}" if line.startswith("  # crs:") else line for line in text.splitlines()]
    draft.yaml_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the source folder ---------------------------------------------------------------------------------------------


def test_default_source_folder_is_here_when_here_is_a_source(tmp_path):
    assert default_source_folder(tmp_path) == tmp_path / "catalogue_src"
    (tmp_path / "catalogue.yaml").write_text("title: x\n")
    assert default_source_folder(tmp_path) == tmp_path


def test_a_folder_without_catalogue_yaml_asks_for_geosite_init(tmp_path):
    with pytest.raises(SourceError) as error:
        add_dataset(NC_GPKG, tmp_path / "nowhere")
    assert "geosite init" in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "nowhere").exists()


# -- vector formats ------------------------------------------------------------------------------------------------


def test_geopackage_draft_builds_with_crs_extent_and_fields_from_the_data(src, tmp_path):
    [draft] = add_dataset(NC_GPKG, src)
    assert draft.yaml_path == src / "datasets/sf_nc/dataset.yaml"
    assert draft.summary == "100 MultiPolygon features, EPSG:4267 (NAD27)"
    assert (src / "datasets/sf_nc/sf_nc.gpkg").read_bytes() == NC_GPKG.read_bytes()
    data, text = yaml_of(draft), draft.yaml_path.read_text()
    assert data["title"] == "Sf nc" and data["source"] == "sf_nc.gpkg"
    assert "bbox" not in data and "time" not in data
    assert "#   100 features, geometry MultiPolygon, CRS EPSG:4267 (NAD27)" in text
    assert "NAME (String)" in text and "CRESS_ID (Integer)" in text
    assert any("title is made from the file name" in note for note in draft.notes)
    extent = [float(v) for v in text.split("extent, WGS 84 longitude/latitude: [")[1].split("]")[0].split(",")]
    dataset = built(src, tmp_path / "out")["sf_nc"]
    assert dataset.bbox == pytest.approx(extent, abs=1e-3)  # the comment tells the extent the build measures


def test_geopackage_metadata_gives_title_description_and_time_that_round_trip(src, tmp_path):
    gpkg = tmp_path / "nc.gpkg"
    pyogrio.write_dataframe(counties(), gpkg, layer="counties", layer_options={"IDENTIFIER": TRICKY_TITLE, "DESCRIPTION": "Counties of\n  North Carolina: #2\n"})
    [draft] = add_dataset(gpkg, src)
    data = yaml_of(draft)
    assert data["title"] == TRICKY_TITLE
    assert data["description"].strip() == "Counties of\n  North Carolina: #2"
    assert data["time"] == {"start": "1999-12-31T23:30:00Z", "end": "2005-06-07T00:00:00Z"}
    assert "# the earliest and latest value of column 'surveyed'" in draft.yaml_path.read_text()
    dataset = built(src, tmp_path / "out")["nc"]
    assert dataset.title == TRICKY_TITLE.strip()
    assert (dataset.time.start, dataset.time.end) == ("1999-12-31T23:30:00Z", "2005-06-07T00:00:00Z")


def multi_layer_gpkg(tmp_path: Path) -> Path:
    gpkg = tmp_path / "two layers.gpkg"
    frame = counties()
    pyogrio.write_dataframe(frame, gpkg, layer="Counties", layer_options={"IDENTIFIER": "County polygons"})
    pyogrio.write_dataframe(frame.set_geometry(frame.representative_point())[["NAME", "geometry"]], gpkg, layer="seats")
    return gpkg


def test_a_multi_layer_file_needs_layer_or_all_layers(src, tmp_path):
    gpkg = multi_layer_gpkg(tmp_path)
    with pytest.raises(SourceError) as error:
        add_dataset(gpkg, src)
    message = str(error.value)
    assert "Counties, seats" in message and "--layer NAME" in message and "--all-layers" in message and "\n" not in message
    with pytest.raises(SourceError, match="no layer 'roads' here; it has Counties, seats"):
        add_dataset(gpkg, src, layer="roads")
    with pytest.raises(SourceError, match="not both"):
        add_dataset(gpkg, src, layer="seats", all_layers=True)
    assert list((src / "datasets").iterdir()) == []


def test_layer_picks_one_and_all_layers_drafts_one_dataset_per_layer(src, tmp_path):
    gpkg = multi_layer_gpkg(tmp_path)
    [one] = add_dataset(gpkg, src, dataset_id="seats-only", layer="seats")
    assert yaml_of(one)["source"] == {"path": "two layers.gpkg", "layer": "seats"}
    drafts = add_dataset(gpkg, src, all_layers=True)
    assert [d.yaml_path.parent.name for d in drafts] == ["two-layers-counties", "two-layers-seats"]
    assert [yaml_of(d)["source"] for d in drafts] == [{"path": "two layers.gpkg", "layer": "Counties"}, {"path": "two layers.gpkg", "layer": "seats"}]
    assert [yaml_of(d)["title"] for d in drafts] == ["County polygons", "Two layers – seats"]
    assert drafts[1].summary.startswith("5 Point features")
    copies = [d.yaml_path.parent / "two layers.gpkg" for d in drafts]
    assert all(copy.read_bytes() == gpkg.read_bytes() for copy in copies)
    assert os.path.samefile(copies[0], copies[1])  # hard links: the file once on disk
    datasets = built(src, tmp_path / "out")
    assert set(datasets) == {"seats-only", "two-layers-counties", "two-layers-seats"}


def test_shapefile_is_copied_with_its_sidecars_in_any_case(src, tmp_path):
    folder = tmp_path / "shape"
    folder.mkdir()
    for part, name in ((".shp", "Roads.SHP"), (".shx", "Roads.SHX"), (".dbf", "ROADS.dbf"), (".prj", "Roads.Prj")):
        shutil.copy(NC_SHP.with_suffix(part), folder / name)
    (folder / "roads.CPG").write_text("UTF-8")
    (folder / "Roads.SHP.xml").write_text("<metadata><dataIdInfo><idCitation><resTitle>Roads &amp; counties: NC #3</resTitle></idCitation>"
                                          "<idAbst>&lt;DIV&gt;&lt;P&gt;The counties.&lt;/P&gt;&lt;/DIV&gt;</idAbst></dataIdInfo></metadata>")
    (folder / "Roads_old.dbf").write_text("not part of it")
    [draft] = add_dataset(folder / "Roads.SHP", src)
    copied = sorted(p.name for p in draft.yaml_path.parent.iterdir())
    assert copied == ["Roads.SHP", "Roads.cpg", "Roads.dbf", "Roads.prj", "Roads.shp.xml", "Roads.shx", "dataset.yaml"]
    assert any("ROADS.dbf as Roads.dbf" in note and "Roads.Prj as Roads.prj" in note for note in draft.notes)
    data = yaml_of(draft)
    assert data["title"] == "Roads & counties: NC #3" and data["description"] == "The counties."
    assert draft.summary == "100 Polygon features, EPSG:4267 (NAD27)"  # GDAL reads Roads.prj, not Roads.Prj
    assert built(src, tmp_path / "out")["roads"].source.count == 100


def test_a_shapefile_without_its_dbf_is_refused_before_anything_is_written(src, tmp_path):
    for part in (".shp", ".shx", ".prj"):
        shutil.copy(NC_SHP.with_suffix(part), tmp_path / f"nc{part}")
    with pytest.raises(SourceError, match=r"nc\.shp: a shapefile needs nc\.dbf"):
        add_dataset(tmp_path / "nc.shp", src)
    assert list((src / "datasets").iterdir()) == []


def test_geojson_of_the_world(src, tmp_path):
    [draft] = add_dataset(COUNTRIES, src, dataset_id="countries")
    assert draft.summary == "177 Polygon/MultiPolygon features, EPSG:4326 (WGS 84)"  # GeoJSON declares no type: scanned
    assert yaml_of(draft)["title"] == "Ne 110m admin 0 countries"
    assert "ISO_A3 (String)" in draft.yaml_path.read_text()
    assert built(src, tmp_path / "out")["countries"].source.count == 177


def test_flatgeobuf_title_and_description_from_its_header(src, tmp_path):
    fgb = tmp_path / "counties.fgb"
    pyogrio.write_dataframe(counties(), fgb, layer_options={"TITLE": "Counties (FlatGeobuf)", "DESCRIPTION": "Five counties."})
    [draft] = add_dataset(fgb, src)
    assert yaml_of(draft)["title"] == "Counties (FlatGeobuf)" and yaml_of(draft)["description"] == "Five counties."
    assert yaml_of(draft)["time"]["start"] == "1999-12-31T23:30:00Z"
    assert built(src, tmp_path / "out")["counties"].time.end == "2005-06-07T00:00:00Z"


def test_geoparquet_with_date_column(src, tmp_path):
    frame = counties()
    frame["opened"] = frame["surveyed"].dt.date
    frame.to_parquet(tmp_path / "counties.parquet")
    [draft] = add_dataset(tmp_path / "counties.parquet", src)
    assert draft.summary == "5 MultiPolygon features, EPSG:4267 (NAD27)"
    assert yaml_of(draft)["time"] == {"start": "1999-12-31T23:30:00Z", "end": "2005-06-07T00:00:00Z"}
    assert any("column 'opened' also holds dates" in note for note in draft.notes)
    assert built(src, tmp_path / "out")["counties"].source.count == 5


def test_csv_with_longitude_and_latitude_columns_and_dates(src, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quakes = pyogrio.read_dataframe(QUAKES, max_features=50)
    table = quakes.drop(columns="geometry").assign(LONGITUDE=quakes.geometry.x, Lat=quakes.geometry.y, day=quakes["time"].map(lambda ms: str(np.datetime64(int(ms), "ms"))[:10]))
    table.to_csv(tmp_path / "quakes.csv", index=False)
    [draft] = add_dataset(tmp_path / "quakes.csv", src)
    data = yaml_of(draft)
    assert data["source"] == {"path": "quakes.csv", "lon": "LONGITUDE", "lat": "Lat"}
    days = sorted(table["day"])
    assert data["time"] == {"start": days[0], "end": days[-1]}
    assert draft.summary.startswith("50 Point features")
    assert built(src, tmp_path / "out")["quakes"].source.count == 50


def test_csv_with_a_wkt_column_asks_for_its_crs_and_builds_once_given(src, tmp_path):
    frame = counties()
    frame.drop(columns="geometry").assign(shape_wkt=frame.geometry.to_wkt()).to_csv(tmp_path / "shapes.csv", index=False)
    [draft] = add_dataset(tmp_path / "shapes.csv", src)
    assert yaml_of(draft)["source"] == {"path": "shapes.csv", "wkt": "shape_wkt"}
    assert "  # crs: EPSG:4326   # the file names no CRS" in draft.yaml_path.read_text()
    assert any("set crs: under source" in note for note in draft.notes)
    with pytest.raises(SourceError, match="does not say which CRS"):
        build(src, tmp_path / "out", jobs=1)
    uncomment_crs(draft, "EPSG:4267")
    assert built(src, tmp_path / "out")["shapes"].source.count == 5


@pytest.mark.skipif(not NAVAIDS.is_file(), reason="the shared OurAirports navaids CSV is not on this machine")
def test_real_csv_with_degree_suffixed_columns(src, tmp_path):
    lines = NAVAIDS.read_text(encoding="utf-8").splitlines()[:201]
    (tmp_path / "navaids.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    [draft] = add_dataset(tmp_path / "navaids.csv", src)
    assert yaml_of(draft)["source"] == {"path": "navaids.csv", "lon": "longitude_deg", "lat": "latitude_deg"}
    assert built(src, tmp_path / "out")["navaids"].source.count == 200


def test_kml_document_name_and_description(src, tmp_path):
    kml = tmp_path / "counties.kml"
    pyogrio.write_dataframe(counties().drop(columns="surveyed"), kml, driver="LIBKML", dataset_options={"NAME": "Counties: KML #4", "DESCRIPTION": "From KML."})
    [draft] = add_dataset(kml, src)
    assert yaml_of(draft)["title"] == "Counties: KML #4" and yaml_of(draft)["description"] == "From KML."
    assert draft.summary == "5 Polygon/MultiPolygon features, EPSG:4326 (WGS 84)"
    assert built(src, tmp_path / "out")["counties"].source.count == 5


def test_gml_with_its_schema_sidecar(src, tmp_path):
    gml = tmp_path / "counties.gml"
    pyogrio.write_dataframe(counties(), gml, driver="GML", dataset_options={"NAME": "Counties in GML", "DESCRIPTION": "GML description"})
    assert (tmp_path / "counties.xsd").is_file()
    [draft] = add_dataset(gml, src)
    assert (draft.yaml_path.parent / "counties.xsd").is_file()
    assert yaml_of(draft)["title"] == "Counties in GML" and yaml_of(draft)["description"] == "GML description"
    assert draft.summary == "5 MultiPolygon features, EPSG:4267 (NAD27)"
    assert built(src, tmp_path / "out")["counties"].bbox == pytest.approx((-81.74, 36.07, -75.77, 36.59), abs=0.01)


def test_file_geodatabase_folder_is_copied_as_a_folder(src, tmp_path):
    gdb = tmp_path / "Counties.gdb"
    pyogrio.write_dataframe(counties(), gdb, driver="OpenFileGDB", layer="counties")
    [draft] = add_dataset(gdb, src)
    copy = draft.yaml_path.parent / "Counties.gdb"
    assert copy.is_dir() and sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in gdb.iterdir())
    assert yaml_of(draft)["source"] == "Counties.gdb"
    assert built(src, tmp_path / "out")["counties"].source.count == 5


@pytest.mark.skipif(not OSM.is_file(), reason="pyogrio's test fixtures are not installed")
def test_an_osm_extract_lists_its_layers(src):
    with pytest.raises(SourceError, match=r"it has 5 layers \(points, lines, multilinestrings, multipolygons, other_relations\)"):
        add_dataset(OSM, src)


# -- raster formats ------------------------------------------------------------------------------------------------


def test_geotiff_bands_data_types_and_nodata(src, tmp_path):
    [draft] = add_dataset(LANDSAT, src, dataset_id="landsat")
    assert draft.summary == "791 x 718 pixels, 3 bands uint8, EPSG:32618 (WGS 84 / UTM zone 18N)"
    text = draft.yaml_path.read_text()
    assert "3 bands uint8, nodata 0" in text and "band 1: red" in text and "band 3: blue" in text
    assert built(src, tmp_path / "out")["landsat"].source.kind == "raster"


def test_geotiff_title_and_time_from_its_tags(src, tmp_path):
    tif = small_geotiff(tmp_path / "heights.tif", TIFFTAG_IMAGEDESCRIPTION='Heights: "test" #2', TIFFTAG_DATETIME="2019:05:06 07:08:09")
    with rasterio.open(tif, "r+") as dst:
        dst.units = ("metre",)
    [draft] = add_dataset(tif, src)
    assert yaml_of(draft)["title"] == 'Heights: "test" #2'
    assert yaml_of(draft)["time"] == "2019-05-06T07:08:09Z"
    assert "band 1: units metre" in draft.yaml_path.read_text()
    assert built(src, tmp_path / "out")["heights"].time.start == "2019-05-06T07:08:09Z"


def small_geotiff(path: Path, crs: str | None = "EPSG:2193", origin: tuple[float, float] = (1700000, 5900000), pixel: float = 100, **tags: str) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a raster without a CRS
        with rasterio.open(path, "w", driver="GTiff", width=20, height=10, count=1, dtype="int16", crs=crs, transform=from_origin(*origin, pixel, pixel), nodata=-1) as dst:
            dst.write(np.arange(200, dtype="int16").reshape(1, 10, 20))
            dst.update_tags(**tags)
    return path


def test_a_raster_without_crs_gets_a_commented_crs_line_and_a_note(src, tmp_path):
    tif = small_geotiff(tmp_path / "no crs 2020-08-31.tif", crs=None, origin=(170, -30), pixel=0.1)
    [draft] = add_dataset(tif, src)
    assert draft.summary.endswith("no CRS") and "the file names no CRS: set crs: under source (the build stops until it is set)" in draft.notes
    text = draft.yaml_path.read_text()
    assert "  # crs: EPSG:4326   # the file names no CRS; its coordinates look like longitude/latitude degrees" in text
    assert "# time: 2020-08-31   # the date in the file name" in text and "time" not in yaml_of(draft)
    assert yaml_of(draft)["source"] == {"path": "no crs 2020-08-31.tif"}
    with pytest.raises(SourceError, match="does not say which CRS"):
        build(src, tmp_path / "out", jobs=1)
    uncomment_crs(draft, "EPSG:4326")
    assert built(src, tmp_path / "out")["no-crs-2020-08-31"].bbox == pytest.approx((170, -31, 172, -30))


def test_a_folder_of_rasters_is_one_dataset(src, tmp_path):
    folder = tmp_path / "Monthly heights"
    folder.mkdir()
    for name in ("heights_2019-01-01.tif", "heights_2019-02-01.tif"):
        small_geotiff(folder / name, TIFFTAG_DATETIME="2024:01:01 00:00:00")
    [draft] = add_dataset(folder, src)
    assert draft.yaml_path.parent.name == "monthly-heights" and yaml_of(draft)["source"] == "Monthly heights"
    assert draft.summary.startswith("2 raster files; the first: 20 x 10 pixels")
    assert "time" not in yaml_of(draft)  # the build dates a time series from its file names, not from one file's tag
    assert sorted(p.name for p in (draft.yaml_path.parent / "Monthly heights").iterdir()) == ["heights_2019-01-01.tif", "heights_2019-02-01.tif"]
    dataset = built(src, tmp_path / "out")["monthly-heights"]
    assert (dataset.time.start, dataset.time.end) == ("2019-01-01", "2019-02-01")


def netcdf_of_two_variables(tmp_path: Path) -> Path:
    """GDAL writes each band of a GeoTIFF as its own variable: Band1 and Band2."""
    tif, nc = tmp_path / "two.tif", tmp_path / "climate.nc"
    with rasterio.open(tif, "w", driver="GTiff", width=30, height=20, count=2, dtype="float32", crs="EPSG:4326", transform=from_origin(10, 50, 0.5, 0.5), nodata=-9999) as dst:
        dst.write(np.arange(1200, dtype="float32").reshape(2, 20, 30))
        dst.update_tags(**{"NC_GLOBAL#title": "Climate: a grid"})
    rasterio.shutil.copy(tif, nc, driver="netCDF")
    return nc


def test_netcdf_variables_are_layers(src, tmp_path):
    nc = netcdf_of_two_variables(tmp_path)
    with pytest.raises(SourceError, match=r"it has 2 layers \(Band1, Band2\); choose one with --layer NAME"):
        add_dataset(nc, src)
    drafts = add_dataset(nc, src, all_layers=True)
    assert [yaml_of(d)["source"] for d in drafts] == [{"path": "climate.nc", "variable": "Band1"}, {"path": "climate.nc", "variable": "Band2"}]
    assert [yaml_of(d)["title"] for d in drafts] == ["Climate: a grid – GDAL Band Number 1", "Climate: a grid – GDAL Band Number 2"]  # long_name
    assert [d.yaml_path.parent.name for d in drafts] == ["climate-band1", "climate-band2"]
    datasets = built(src, tmp_path / "out")
    assert datasets["climate-band2"].bbox == pytest.approx((10, 40, 25, 50))


def test_netcdf_time_dimension_gives_the_time_range(src, tmp_path):
    tif, nc = tmp_path / "steps.tif", tmp_path / "sst.nc"
    with rasterio.open(tif, "w", driver="GTiff", width=30, height=20, count=3, dtype="float32", crs="EPSG:4326", transform=from_origin(10, 50, 0.5, 0.5), nodata=-9999) as dst:
        dst.write(np.arange(1800, dtype="float32").reshape(3, 20, 30))
        dst.update_tags(**{"NC_GLOBAL#title": "Sea temperature", "NC_GLOBAL#summary": "Three monthly steps.", "NETCDF_DIM_EXTRA": "{time}", "NETCDF_DIM_time_DEF": "{3,6}",
                           "NETCDF_DIM_time_VALUES": "{0,31,59}", "time#units": "days since 2000-01-01 00:00:00", "time#standard_name": "time"})
    rasterio.shutil.copy(tif, nc, driver="netCDF")
    [draft] = add_dataset(nc, src)
    data = yaml_of(draft)
    assert (data["title"], data["description"], data["source"]) == ("Sea temperature", "Three monthly steps.", "sst.nc")
    assert data["time"] == {"start": "2000-01-01", "end": "2000-02-29"}
    assert built(src, tmp_path / "out")["sst"].time.end == "2000-02-29"


def test_zipped_srtm_tile(src, tmp_path):
    size = 1201
    data = np.fromfunction(lambda row, col: 500 + row + col, (size, size)).astype("int16")
    with rasterio.open(tmp_path / "dem.tif", "w", driver="GTiff", width=size, height=size, count=1, dtype="int16", crs="EPSG:4326",
                       transform=from_origin(6 - 0.5 / 1200, 46 + 0.5 / 1200, 1 / 1200, 1 / 1200), nodata=-32768) as dst:
        dst.write(data, 1)
    rasterio.shutil.copy(tmp_path / "dem.tif", tmp_path / "N45E006.hgt", driver="SRTMHGT")
    with zipfile.ZipFile(tmp_path / "N45E006.hgt.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(tmp_path / "N45E006.hgt", "N45E006.hgt")
    [draft] = add_dataset(tmp_path / "N45E006.hgt.zip", src)
    assert draft.yaml_path.parent.name == "n45e006" and yaml_of(draft)["source"] == "N45E006.hgt.zip"
    assert draft.summary == "1201 x 1201 pixels, 1 band int16, EPSG:4326 (WGS 84)"
    assert "nodata -32768" in draft.yaml_path.read_text()
    assert built(src, tmp_path / "out")["n45e006"].bbox == pytest.approx((6, 45, 7, 46), abs=1e-3)


# -- ids, overwriting, links and errors ----------------------------------------------------------------------------


def test_an_existing_id_is_never_overwritten_whatever_its_case(src, tmp_path):
    [draft] = add_dataset(NC_GPKG, src, dataset_id="Counties")
    before = draft.yaml_path.read_bytes()
    for dataset_id in ("Counties", "counties"):
        with pytest.raises(SourceError, match="exists already") as error:
            add_dataset(NC_SHP, src, dataset_id=dataset_id)
        assert "\n" not in str(error.value)
    assert draft.yaml_path.read_bytes() == before and sorted(p.name for p in draft.yaml_path.parent.iterdir()) == ["dataset.yaml", "sf_nc.gpkg"]


@pytest.mark.parametrize("dataset_id", ["../escape", "a/b", "..", "-dash", ".hidden", "a..b", "records", "x" * 101, ""])
def test_ids_that_are_unsafe_or_reserved_are_refused(src, dataset_id):
    with pytest.raises(SourceError) as error:
        add_dataset(NC_GPKG, src, dataset_id=dataset_id)
    assert "\n" not in str(error.value)
    assert list((src / "datasets").iterdir()) == [] and not (src / "escape").exists()


def test_an_id_made_from_an_unusual_file_name(src, tmp_path):
    odd = tmp_path / "Zürich Straßen (2020) #1.gpkg"
    shutil.copy(NC_GPKG, odd)
    [draft] = add_dataset(odd, src)
    assert draft.yaml_path.parent.name == "zurich-straen-2020-1" and ID_PATTERN.match(draft.yaml_path.parent.name)
    assert yaml_of(draft)["source"] == odd.name and yaml_of(draft)["title"] == "Zürich Straßen (2020) #1"
    assert built(src, tmp_path / "out")["zurich-straen-2020-1"].source.count == 100


def test_a_file_gdal_cannot_open_is_one_line_naming_it(src, tmp_path):
    (tmp_path / "notes.txt").write_text("just some notes\n")
    with pytest.raises(SourceError) as error:
        add_dataset(tmp_path / "notes.txt", src)
    message = str(error.value)
    assert "notes.txt" in message and "GDAL cannot open it" in message and "\n" not in message
    with pytest.raises(SourceError, match="no such file or folder"):
        add_dataset(tmp_path / "missing.gpkg", src)
    assert list((src / "datasets").iterdir()) == []


def test_link_references_data_inside_the_source_folder_and_refuses_data_outside(src, tmp_path):
    (src / "raw").mkdir()
    shutil.copy(NC_GPKG, src / "raw/counties.gpkg")
    [draft] = add_dataset(src / "raw/counties.gpkg", src, link=True)
    assert yaml_of(draft)["source"] == "../../raw/counties.gpkg"
    assert sorted(p.name for p in draft.yaml_path.parent.iterdir()) == ["dataset.yaml"]
    assert any("../../raw/counties.gpkg" in note for note in draft.notes)
    with pytest.raises(SourceError, match="--link") as error:
        add_dataset(NC_GPKG, src, dataset_id="outside", link=True)
    assert "\n" not in str(error.value) and not (src / "datasets/outside").exists()
    assert built(src, tmp_path / "out")["counties"].source.count == 100


@pytest.mark.parametrize("text", [TRICKY_TITLE, "plain title", "yes", "2020-01-01", "- dash", "x: y", "a #b", "'single' and \"double\"",
                                  "tab\there", " leading space", "trailing space ", "line\u2028separator", "nel\x85char", "bell\x07",
                                  "emoji 😀", "several\n\nparagraphs\n", "  indented first line\nsecond", "ends with newline\n", "[list]", "{map}", "&anchor", "*alias", "!tag", "%percent", "@at", "`tick`"])
@pytest.mark.parametrize("indent", [2, 4])
def test_yaml_text_reads_back_as_the_same_text(tmp_path, text, indent):
    document = f"title: {yaml_text(text, 2)}\n" if indent == 2 else f"title: x\nsource:\n  path: {yaml_text(text, 4)}\n"
    (tmp_path / "dataset.yaml").write_text(document, encoding="utf-8")
    data = read_yaml(tmp_path / "dataset.yaml").data
    assert (data["title"] if indent == 2 else data["source"]["path"]) == text


def test_the_command_line(src, tmp_path):
    command = [sys.executable, "-m", "generator", "add", str(NC_GPKG), "--into", str(src), "--id", "nc"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Drafted" in done.stderr and "nc/dataset.yaml (100 MultiPolygon features, EPSG:4267 (NAD27))" in done.stderr
    assert "check: no title in the file's metadata" in done.stderr and f"geosite build {src}" in done.stderr
    again = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and again.stderr.startswith("error: ") and "exists already" in again.stderr
    (tmp_path / "notes.txt").write_text("x\n")
    broken = subprocess.run([sys.executable, "-m", "generator", "add", "notes.txt", "--into", str(src)], capture_output=True, text=True, cwd=tmp_path)
    assert broken.returncode == 1 and broken.stderr.startswith("error: notes.txt: GDAL cannot open it") and "Traceback" not in broken.stderr
