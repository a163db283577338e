// A record's map: its extent and its own PMTiles archive (vector or raster), drawn with MapLibre GL JS.
// The basemap is geosite's own world map (published with the site) unless catalogue.yaml names another or none.
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
  // A GeoJSON source has no source layers: `sourceLayer` is then null.
  function addVectorLayers(map, sourceLayer) {
    var base = sourceLayer === null ? { source: "data" } : { source: "data", "source-layer": sourceLayer };
    var prefix = sourceLayer === null ? "features" : sourceLayer;
    var layers = [
      { id: prefix + "-fill", type: "fill", filter: POLYGONS, paint: { "fill-color": COLOURS.polygon, "fill-opacity": 0.35 } },
      { id: prefix + "-outline", type: "line", filter: POLYGONS, paint: { "line-color": COLOURS.line, "line-width": 0.8 } },
      { id: prefix + "-line", type: "line", filter: LINES, paint: { "line-color": COLOURS.line, "line-width": 1.5 } },
      { id: prefix + "-point", type: "circle", filter: POINTS, paint: { "circle-color": COLOURS.point, "circle-radius": 3.5, "circle-stroke-color": "#fff", "circle-stroke-width": 0.8 } }
    ];
    layers.forEach(function (layer) { map.addLayer(Object.assign(layer, base), "extent-line"); });
  }

  // Resolves to what the legend needs: the archive's kind and its vector layers. A raster's colour legend is in the page.
  function addArchive(map, protocol, url) {
    var archive = new pmtiles.PMTiles(url);
    protocol.add(archive);
    return Promise.all([archive.getHeader(), archive.getMetadata()]).then(function (both) {
      var header = both[0], metadata = both[1] || {};
      if (header.tileType !== pmtiles.TileType.Mvt) {
        map.addSource("data", { type: "raster", url: "pmtiles://" + url, tileSize: 256 });
        map.addLayer({ id: "data-raster", type: "raster", source: "data" }, "extent-line");
        return { kind: "raster", layers: [] };
      }
      var layers = (metadata.vector_layers || []).map(function (layer) { return layer.id; });
      map.addSource("data", { type: "vector", url: "pmtiles://" + url });
      layers.forEach(function (layer) { addVectorLayers(map, layer); });
      return { kind: "vector", layers: layers };
    });
  }

  // Longitude/latitude bounds of every coordinate in a GeoJSON document; null when there are none.
  function dataBounds(geojson) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    function visit(coordinates) {
      if (typeof coordinates[0] === "number") {
        box = [Math.min(box[0], coordinates[0]), Math.min(box[1], coordinates[1]), Math.max(box[2], coordinates[0]), Math.max(box[3], coordinates[1])];
      } else {
        coordinates.forEach(visit);
      }
    }
    (geojson.features || [geojson]).forEach(function (feature) {
      var geometry = feature.geometry;
      (geometry && geometry.type === "GeometryCollection" ? geometry.geometries : [geometry]).forEach(function (g) { if (g && g.coordinates) visit(g.coordinates); });
    });
    return box[0] <= box[2] ? box : null;
  }

  // The page's own features (an items page or one feature), fetched from its GeoJSON twin; the view fits them.
  function addGeoJSON(map, url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    }).then(function (geojson) {
      map.addSource("data", { type: "geojson", data: geojson });
      addVectorLayers(map, null);
      var box = dataBounds(geojson);
      if (box && box[2] - box[0] < 180) map.fitBounds([[box[0], clampLat(box[1])], [box[2], clampLat(box[3])]], { padding: 24, maxZoom: 16, animate: false });
      return { kind: "vector", layers: [null] };
    });
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  // The publisher's credit line as safe HTML: escaped text, linked only to an http(s) page.
  function attributionHTML(basemap) {
    var text = escapeText(basemap.attribution || "");
    var href = String(basemap.attribution_url || "");
    if (!/^https?:\/\//i.test(href)) return text;
    return '<a href="' + escapeText(href).replace(/"/g, "&quot;") + '" target="_blank" rel="noopener">' + (text || escapeText(href)) + "</a>";
  }

  // Vector basemaps have no style of their own here: land in a quiet grey, coasts and borders as thin lines
  // (the outlines of every layer's areas, and its lines), under the data.
  function addVectorBasemap(map, layers) {
    layers.forEach(function (layer, i) {
      var base = { source: "basemap", "source-layer": layer };
      map.addLayer(Object.assign({ id: "basemap-fill-" + i, type: "fill", filter: POLYGONS, paint: { "fill-color": "#e4e4de" } }, base));
    });
    layers.forEach(function (layer, i) {
      var base = { source: "basemap", "source-layer": layer };
      map.addLayer(Object.assign({ id: "basemap-line-" + i, type: "line", paint: { "line-color": "#b4b9bd", "line-width": 0.6 } }, base));
    });
  }

  function addBasemap(map, protocol, basemap) {
    if (basemap.tiles) {
      map.addSource("basemap", { type: "raster", tiles: [basemap.tiles], tileSize: 256, maxzoom: basemap.max_zoom === null ? 19 : basemap.max_zoom });
      map.addLayer({ id: "basemap", type: "raster", source: "basemap" });
      return Promise.resolve();
    }
    var url = new URL(basemap.pmtiles, document.baseURI).href;
    var archive = new pmtiles.PMTiles(url);
    protocol.add(archive);
    return Promise.all([archive.getHeader(), archive.getMetadata()]).then(function (both) {
      if (both[0].tileType !== pmtiles.TileType.Mvt) {
        map.addSource("basemap", { type: "raster", url: "pmtiles://" + url, tileSize: 256 });
        map.addLayer({ id: "basemap", type: "raster", source: "basemap" });
        return;
      }
      map.addSource("basemap", { type: "vector", url: "pmtiles://" + url });
      addVectorBasemap(map, ((both[1] || {}).vector_layers || []).map(function (layer) { return layer.id; }));
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

  // Geometry types actually drawn, read from the loaded tiles.
  function drawnTypes(map, layers) {
    var types = {};
    layers.forEach(function (layer) {
      map.querySourceFeatures("data", layer === null ? {} : { sourceLayer: layer }).forEach(function (feature) { types[feature.geometry.type.replace("Multi", "")] = true; });
    });
    return types;
  }

  function showLegend(map, config, tiles) {
    var box = document.getElementById("map-legend");
    if (!box) return;
    var list = document.createElement("ul");
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

  // The dataset over the basemap: its extent, then its tiles or the page's GeoJSON; the legend once drawn.
  function addData(map, protocol, config, container) {
    if (config.bbox) addExtent(map, config.bbox);
    else map.addLayer({ id: "extent-line", type: "background", paint: { "background-opacity": 0 } });
    var ready = config.geojson ? addGeoJSON(map, new URL(config.geojson, document.baseURI).href)
      : config.pmtiles ? addArchive(map, protocol, new URL(config.pmtiles, document.baseURI).href) : Promise.resolve(null);
    ready.then(function (tiles) {
      map.once("idle", function () { showLegend(map, config, tiles); });
      map.on("idle", function () { container.dataset.state = "drawn"; });
      map.triggerRepaint();
    }, function (error) {
      container.dataset.state = "failed";
      console.warn("The dataset's tiles could not be read:", error);
    });
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
      style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#edf3f7" } }] },
      bounds: config.bbox ? corners(config.bbox) : [[-180, -85], [180, 85]],
      fitBoundsOptions: { padding: 24 },
      attributionControl: config.basemap ? { compact: false, customAttribution: attributionHTML(config.basemap) } : false,
      renderWorldCopies: !spansTheWorld(config.bbox),
      canvasContextAttributes: { preserveDrawingBuffer: true }
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.on("error", function (event) {
      if (!/Tile not found/.test(String(event.error && event.error.message))) console.error(event.error);
    });
    map.on("load", function () {
      var background = config.basemap ? addBasemap(map, protocol, config.basemap) : Promise.resolve();
      background.catch(function (error) { console.warn("The basemap could not be read:", error); }).then(function () { addData(map, protocol, config, container); });
    });
  });
})();
