// The console's facility list on a map: the points come in a json_script element (strict CSP: no inline script).
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("facilities-map");
    var data = document.getElementById("facility-points");
    if (!el || !data || typeof L === "undefined") { return; }
    var zh = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
    var map = L.map(el, { attributionControl: false, zoomControl: false }).setView([22.6, 114.1], 10);
    L.control.zoom({ zoomInTitle: zh ? "放大" : "Zoom in", zoomOutTitle: zh ? "缩小" : "Zoom out" }).addTo(map);
    // District boundaries from our own API give the points a place (no tile server, no CDN).
    fetch("/api/v1/areas?level=district&limit=50").then(function (r) { return r.json(); }).then(function (page) {
      page.items.forEach(function (d) { if (!d.has_geometry) { return; }
        fetch("/api/v1/areas/" + d.code + "/geometry").then(function (r) { return r.ok ? r.json() : null; })
          .then(function (f) { if (f) { L.geoJSON(f, { style: { weight: 1, fillOpacity: 0.05 }, interactive: false }).addTo(map); } });
      });
    });
    var points = JSON.parse(data.textContent), bounds = [];
    points.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lng], { radius: 7 }).addTo(map);
      m.bindTooltip(p.name);
      m.on("click", function () { window.location.href = p.url; });
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
