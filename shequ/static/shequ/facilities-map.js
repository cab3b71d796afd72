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
