// The 15-minute circle's gaps: buildings inside (blue) and outside (red) the circle of the chosen type, and the
// suggested sites (numbered). Data from a json_script element (strict CSP: no inline script), no tile server.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("circle-map");
    var data = document.getElementById("circle-data");
    if (!el || !data || typeof L === "undefined") { return; }
    var zh = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
    var map = L.map(el, { attributionControl: false, zoomControl: false }).setView([22.6, 114.1], 12);
    L.control.zoom({ zoomInTitle: zh ? "放大" : "Zoom in", zoomOutTitle: zh ? "缩小" : "Zoom out" }).addTo(map);
    var d = JSON.parse(data.textContent), bounds = [];
    d.buildings.forEach(function (b) {
      L.circleMarker([b.lat, b.lng], {
        radius: 3 + Math.min(5, b.pop / 100), weight: 1,
        color: b.gap ? "#b02a37" : "#0b5ed7", fillOpacity: b.gap ? 0.8 : 0.35
      }).addTo(map).bindTooltip((zh ? "居民 " : "Residents ") + b.pop + (b.gap ? (zh ? "，15分钟内无" : ", none within 15 min") : ""));
      bounds.push([b.lat, b.lng]);
    });
    d.sites.forEach(function (s) {
      L.circle([s.lat, s.lng], { radius: 1200, weight: 1, color: "#0a6847", fillOpacity: 0.05, interactive: false }).addTo(map);
      L.marker([s.lat, s.lng], { title: s.name }).addTo(map).bindTooltip(s.name + (zh ? "：新增覆盖 " : ": adds ") + s.adds);
      bounds.push([s.lat, s.lng]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
