// The search page: Pagefind finds words; search/records.json filters by facet, area and time.
// Everything runs in the browser, so search works on any static host.
(function () {
  "use strict";

  var FACETS = ["keyword", "theme", "type", "licence"];
  var form, list, statusLine, siteRoot, recordsPromise, pagefindPromise, areaMap;

  function resolve(path) {
    return new URL(path, document.baseURI).href;
  }

  function loadPagefind() {
    if (!pagefindPromise) {
      // A big catalogue's index comes in parts (one Pagefind bundle per 10,000 records): merge them into one search.
      var parts = form.dataset.pagefindParts.split(" ").filter(Boolean).map(function (script) {
        return resolve(script).replace(/pagefind\.js$/, "");
      });
      pagefindPromise = import(resolve(form.dataset.pagefind)).then(function (pagefind) {
        return Promise.resolve(pagefind.options({ excerptLength: 24 }))
          .then(function () { return Promise.all(parts.map(function (part) { return pagefind.mergeIndex(part); })); })
          .then(function () { return pagefind; });
      });
    }
    return pagefindPromise;
  }

  function number(name) {
    var value = form.elements[name].value;
    return value === "" ? null : Number(value);
  }

  function chosen() {
    var facets = {};
    FACETS.forEach(function (facet) {
      var values = Array.prototype.filter.call(form.querySelectorAll('input[name="' + facet + '"]'), function (box) { return box.checked; })
        .map(function (box) { return box.value; });
      if (values.length) facets[facet] = values;
    });
    var area = ["west", "south", "east", "north"].map(number);
    return {
      q: form.elements.q.value.trim(),
      facets: facets,
      area: area.every(function (v) { return v !== null && !isNaN(v); }) ? area : null,
      from: form.elements.from.value,
      to: form.elements.to.value
    };
  }

  // Longitude ranges of a box; one crossing the antimeridian (west > east) is two ranges.
  function lonRanges(west, east) {
    return west <= east ? [[west, east]] : [[west, 180], [-180, east]];
  }

  function overlaps(a, b) {
    return a[0] <= b[1] && b[0] <= a[1];
  }

  function inArea(record, area) {
    if (!area) return true;
    var box = record.bbox;
    if (!box || !overlaps([box[1], box[3]], [area[1], area[3]])) return false;
    return lonRanges(box[0], box[2]).some(function (r) { return lonRanges(area[0], area[2]).some(function (s) { return overlaps(r, s); }); });
  }

  function inTime(record, from, to) {
    if (!from && !to) return true;
    if (!record.start && !record.end) return false;
    var start = record.start ? record.start.slice(0, 10) : "0000-01-01";
    var end = record.end ? record.end.slice(0, 10) : "9999-12-31";
    return (!from || end >= from) && (!to || start <= to);
  }

  function hasFacets(record, facets) {
    return Object.keys(facets).every(function (facet) {
      return facets[facet].every(function (value) { return (record[facet] || []).indexOf(value) >= 0; });
    });
  }

  // Pagefind excerpts are HTML with <mark>; only their text is shown, parsed in an inert document.
  function plainText(html) {
    return new DOMParser().parseFromString(html || "", "text/html").body.textContent || "";
  }

  function wordHits(choice, byId) {
    return loadPagefind().then(function (pagefind) {
      return pagefind.search(choice.q);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 50).map(function (result) { return result.data(); }));
    }).then(function (pages) {
      return pages.filter(function (page) { return byId[page.meta.id]; })
        .map(function (page) { return { record: byId[page.meta.id], excerpt: plainText(page.excerpt) }; });
    });
  }

  function show(hits) {
    list.textContent = "";
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = new URL(hit.record.url, siteRoot).href;
      link.textContent = hit.record.title;
      heading.appendChild(link);
      item.appendChild(heading);
      var text = document.createElement("p");
      text.textContent = hit.excerpt || (hit.record.keyword || []).join(", ");
      item.appendChild(text);
      list.appendChild(item);
    });
    statusLine.textContent = hits.length === 1 ? "1 record found." : hits.length + " records found.";
  }

  function run() {
    var choice = chosen();
    statusLine.textContent = "Searching…";
    return recordsPromise.then(function (records) {
      var byId = {};
      records.forEach(function (record) { byId[record.id] = record; });
      var found = choice.q ? wordHits(choice, byId) : Promise.resolve(records.map(function (r) { return { record: r }; }));
      return found.then(function (hits) {
        show(hits.filter(function (hit) {
          var record = hit.record;
          return hasFacets(record, choice.facets) && inArea(record, choice.area) && inTime(record, choice.from, choice.to);
        }));
      });
    }).catch(function (error) {
      statusLine.textContent = location.protocol === "file:"
        ? "Search needs the site served over HTTP (any static web server); opened from a file, use All records instead."
        : "Search failed: " + error.message;
      console.error(error);
    });
  }

  // The form's state lives in the address, so a search can be bookmarked and the back button works.
  function restoreFromAddress() {
    var params = new URLSearchParams(location.search);
    ["q", "west", "south", "east", "north", "from", "to"].forEach(function (name) {
      if (params.has(name)) form.elements[name].value = params.get(name);
    });
    FACETS.forEach(function (facet) {
      var values = params.getAll(facet);
      form.querySelectorAll('input[name="' + facet + '"]').forEach(function (box) { box.checked = values.indexOf(box.value) >= 0; });
    });
  }

  function saveToAddress() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { if (value !== "") params.append(name, value); });
    history.replaceState(null, "", "?" + params.toString());
  }

  function update() {
    saveToAddress();
    drawArea();
    run();
  }

  function boxFeature(area) {
    var east = area[2] < area[0] ? area[2] + 360 : area[2];
    var ring = [[area[0], area[1]], [east, area[1]], [east, area[3]], [area[0], area[3]], [area[0], area[1]]];
    return { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [ring] } };
  }

  function graticule() {
    var lines = [];
    for (var lon = -180; lon <= 180; lon += 30) lines.push([[lon, -85], [lon, 85]]);
    for (var lat = -60; lat <= 60; lat += 30) lines.push([[-180, lat], [180, lat]]);
    return { type: "Feature", properties: {}, geometry: { type: "MultiLineString", coordinates: lines } };
  }

  function drawArea() {
    if (!areaMap || !areaMap.getSource("area")) return;
    var area = chosen().area;
    areaMap.getSource("area").setData({ type: "FeatureCollection", features: area ? [boxFeature(area)] : [] });
  }

  function round(value) {
    return Math.round(value * 1000) / 1000;
  }

  // "Draw area", then drag: the box fills the four number fields, which stay the accessible way to set it.
  function enableDrawing(map) {
    var start = null;
    var draw = document.getElementById("draw-area");
    draw.hidden = false;
    draw.addEventListener("click", function () {
      map.dragPan.disable();
      map.getCanvas().style.cursor = "crosshair";
      map.once("mousedown", function (event) { start = event.lngLat; });
    });
    map.on("mousemove", function (event) {
      if (!start) return;
      form.elements.west.value = round(Math.min(start.lng, event.lngLat.lng));
      form.elements.east.value = round(Math.max(start.lng, event.lngLat.lng));
      form.elements.south.value = round(Math.max(-90, Math.min(start.lat, event.lngLat.lat)));
      form.elements.north.value = round(Math.min(90, Math.max(start.lat, event.lngLat.lat)));
      drawArea();
    });
    map.on("mouseup", function () {
      if (!start) return;
      start = null;
      map.dragPan.enable();
      map.getCanvas().style.cursor = "";
      update();
    });
  }

  function clearArea() {
    ["west", "south", "east", "north"].forEach(function (name) { form.elements[name].value = ""; });
    update();
  }

  function extentsOf(records) {
    return { type: "FeatureCollection", features: records.filter(function (r) { return r.bbox; }).map(function (r) { return boxFeature(r.bbox); }) };
  }

  // MapLibre (about 1 MB) is fetched only when someone asks for the map: searching by words stays light.
  function loadMapLibrary() {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = form.dataset.maplibreCss;
    document.head.appendChild(css);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = form.dataset.maplibreJs;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("the map library could not be loaded")); };
      document.head.appendChild(script);
    });
  }

  function offerAreaMap() {
    var button = document.getElementById("show-map");
    if (!button || !form.dataset.maplibreJs) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.hidden = true;
      loadMapLibrary().then(startAreaMap, function (error) { statusLine.textContent = error.message; });
    });
  }

  function startAreaMap() {
    var container = document.getElementById("search-map");
    container.hidden = false;
    areaMap = new maplibregl.Map({
      container: container,
      style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2f5" } }] },
      bounds: [[-180, -70], [180, 80]],
      attributionControl: false
    });
    areaMap.on("load", function () {
      areaMap.addSource("graticule", { type: "geojson", data: graticule() });
      areaMap.addLayer({ id: "graticule", type: "line", source: "graticule", paint: { "line-color": "#c5ced6", "line-width": 0.5 } });
      recordsPromise.then(function (records) {
        areaMap.addSource("extents", { type: "geojson", data: extentsOf(records) });
        areaMap.addLayer({ id: "extents", type: "line", source: "extents", paint: { "line-color": "#7a8a99", "line-width": 1 } }, "area-fill");
      });
      areaMap.addSource("area", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      areaMap.addLayer({ id: "area-fill", type: "fill", source: "area", paint: { "fill-color": "#b5179e", "fill-opacity": 0.15 } });
      areaMap.addLayer({ id: "area-line", type: "line", source: "area", paint: { "line-color": "#b5179e", "line-width": 2 } });
      drawArea();
      enableDrawing(areaMap);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("search-form");
    if (!form) return;
    list = document.getElementById("search-results");
    statusLine = document.getElementById("search-status");
    siteRoot = new URL(".", resolve(document.body.dataset.siteIndex)).href;
    recordsPromise = fetch(resolve(form.dataset.index)).then(function (response) { return response.json(); }).then(function (data) { return data.records; });
    restoreFromAddress();
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    form.addEventListener("change", function (event) { if (event.target.name !== "q") update(); });
    document.getElementById("clear-area").addEventListener("click", clearArea);
    offerAreaMap();
    run();
  });
})();
