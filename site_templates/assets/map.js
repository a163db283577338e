// A record's map: its extent and its own PMTiles archive (vector or raster), drawn with MapLibre GL JS.
// No basemap from a third-party host: the built site must work offline and call nobody else.
(function () {
  "use strict";

  var COLOURS = { polygon: "#2f7fc1", line: "#114b82", point: "#d9480f", extent: "#b5179e" };
  var POLYGONS = ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], true, false];
  var LINES = ["match", ["geometry-type"], ["LineString", "MultiLineString"], true, false];
  var POINTS = ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false];

  function clampLat(lat) {
    return Math.max(-85, Math.min(85, lat));
  }

  // West > east means the box crosses the antimeridian: continue east past 180 so the box stays whole.
  function corners(bbox) {
    var east = bbox[2] < bbox[0] ? bbox[2] + 360 : bbox[2];
    return [[bbox[0], clampLat(bbox[1])], [east, clampLat(bbox[3])]];
  }

  // Copies of the world let a box near the antimeridian sit in the middle; a world-wide box needs none.
  function spansTheWorld(bbox) {
    if (!bbox) return true;
    var c = corners(bbox);
    return c[1][0] - c[0][0] > 300;
  }

  function extentGeoJSON(bbox) {
    var c = corners(bbox), w = c[0][0], s = c[0][1], e = c[1][0], n = c[1][1];
    return { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] } };
  }

  function addExtent(map, bbox) {
    map.addSource("extent", { type: "geojson", data: extentGeoJSON(bbox) });
    map.addLayer({ id: "extent-line", type: "line", source: "extent", paint: { "line-color": COLOURS.extent, "line-width": 2, "line-dasharray": [2, 1] } });
  }

  // Every geometry type gets a layer filtered to it, so one archive may hold points, lines and areas.
  function addVectorLayers(map, sourceLayer) {
    var base = { source: "data", "source-layer": sourceLayer };
    var layers = [
      { id: sourceLayer + "-fill", type: "fill", filter: POLYGONS, paint: { "fill-color": COLOURS.polygon, "fill-opacity": 0.35 } },
      { id: sourceLayer + "-outline", type: "line", filter: POLYGONS, paint: { "line-color": COLOURS.line, "line-width": 0.8 } },
      { id: sourceLayer + "-line", type: "line", filter: LINES, paint: { "line-color": COLOURS.line, "line-width": 1.5 } },
      { id: sourceLayer + "-point", type: "circle", filter: POINTS, paint: { "circle-color": COLOURS.point, "circle-radius": 3.5, "circle-stroke-color": "#fff", "circle-stroke-width": 0.8 } }
    ];
    layers.forEach(function (layer) { map.addLayer(Object.assign(layer, base), "extent-line"); });
  }

  // Resolves to what the legend needs: the archive's kind, its vector layers, and a legend its metadata may carry.
  function addArchive(map, protocol, url) {
    var archive = new pmtiles.PMTiles(url);
    protocol.add(archive);
    return Promise.all([archive.getHeader(), archive.getMetadata()]).then(function (both) {
      var header = both[0], metadata = both[1] || {};
      if (header.tileType !== pmtiles.TileType.Mvt) {
        map.addSource("data", { type: "raster", url: "pmtiles://" + url, tileSize: 256 });
        map.addLayer({ id: "data-raster", type: "raster", source: "data" }, "extent-line");
        return { kind: "raster", layers: [], legend: metadata.legend };
      }
      var layers = (metadata.vector_layers || []).map(function (layer) { return layer.id; });
      map.addSource("data", { type: "vector", url: "pmtiles://" + url });
      layers.forEach(function (layer) { addVectorLayers(map, layer); });
      return { kind: "vector", layers: layers, legend: metadata.legend };
    });
  }

  function legendRow(colour, label, outline) {
    var row = document.createElement("li");
    var swatch = document.createElement("span");
    swatch.className = outline ? "swatch outline" : "swatch";
    swatch.style[outline ? "borderColor" : "backgroundColor"] = colour;
    row.appendChild(swatch);
    row.appendChild(document.createTextNode(label));
    return row;
  }

  // A continuous ramp ({title, colors: [low … high], min, max}) or classes ({title, items: [{color, label}]}).
  function givenLegend(legend, box, list) {
    if (legend.title) {
      var title = document.createElement("p");
      title.textContent = String(legend.title);
      box.appendChild(title);
    }
    if (Array.isArray(legend.colors)) {
      var row = document.createElement("li");
      var bar = document.createElement("span");
      bar.className = "ramp";
      bar.style.backgroundImage = "linear-gradient(to right, " + legend.colors.map(String).join(", ") + ")";
      row.appendChild(document.createTextNode(legend.min === undefined ? "" : String(legend.min) + " "));
      row.appendChild(bar);
      row.appendChild(document.createTextNode(legend.max === undefined ? "" : " " + String(legend.max)));
      list.appendChild(row);
    }
    (Array.isArray(legend.items) ? legend.items : []).forEach(function (item) { list.appendChild(legendRow(String(item.color), String(item.label))); });
  }

  // Geometry types actually drawn, read from the loaded tiles.
  function drawnTypes(map, layers) {
    var types = {};
    layers.forEach(function (layer) {
      map.querySourceFeatures("data", { sourceLayer: layer }).forEach(function (feature) { types[feature.geometry.type.replace("Multi", "")] = true; });
    });
    return types;
  }

  function showLegend(map, config, tiles) {
    var box = document.getElementById("map-legend");
    if (!box) return;
    var list = document.createElement("ul");
    if (tiles && tiles.legend && typeof tiles.legend === "object") givenLegend(tiles.legend, box, list);
    if (tiles && tiles.kind === "vector") {
      var types = drawnTypes(map, tiles.layers);
      if (types.Polygon) list.appendChild(legendRow(COLOURS.polygon, "Areas"));
      if (types.LineString) list.appendChild(legendRow(COLOURS.line, "Lines"));
      if (types.Point) list.appendChild(legendRow(COLOURS.point, "Points"));
    }
    if (config.bbox) list.appendChild(legendRow(COLOURS.extent, "Extent of the dataset", true));
    box.appendChild(list);
    box.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("map");
    var configElement = document.getElementById("map-config");
    if (!container || !configElement || !window.maplibregl || !window.pmtiles) return;
    var config = JSON.parse(configElement.textContent);
    var protocol = new pmtiles.Protocol();
    maplibregl.addProtocol("pmtiles", function (request, controller) {
      return protocol.tile(request, controller).then(function (response) {
        // Sparse raster archives leave out empty tiles; reported as missing, MapLibre settles instead of waiting on them.
        if (response.data === null) throw new Error("Tile not found.");
        return response;
      });
    });
    var map = new maplibregl.Map({
      container: container,
      style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2f5" } }] },
      bounds: config.bbox ? corners(config.bbox) : [[-180, -85], [180, 85]],
      fitBoundsOptions: { padding: 24 },
      attributionControl: false,
      renderWorldCopies: !spansTheWorld(config.bbox),
      canvasContextAttributes: { preserveDrawingBuffer: true }
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.on("error", function (event) {
      if (!/Tile not found/.test(String(event.error && event.error.message))) console.error(event.error);
    });
    map.on("load", function () {
      if (config.bbox) addExtent(map, config.bbox);
      else map.addLayer({ id: "extent-line", type: "background", paint: { "background-opacity": 0 } });
      var ready = config.pmtiles ? addArchive(map, protocol, new URL(config.pmtiles, document.baseURI).href) : Promise.resolve(null);
      ready.then(function (tiles) {
        map.once("idle", function () { showLegend(map, config, tiles); });
        map.on("idle", function () { container.dataset.state = "drawn"; });
        map.triggerRepaint();
      }, function (error) {
        container.dataset.state = "failed";
        console.warn("The dataset's tiles could not be read:", error);
      });
    });
  });
})();
