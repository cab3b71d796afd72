// The appeal's pin over the district boundaries (no tile server, no CDN).
(function () {
  "use strict";
  // Leaflet's zoom buttons are titled "Zoom in"/"Zoom out": give them the page's language (issue 21).
  function zoomControl(map) {
    var zh = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
    L.control.zoom({
      zoomInTitle: zh ? "放大" : "Zoom in",
      zoomOutTitle: zh ? "缩小" : "Zoom out"
    }).addTo(map);
  }
  function start() {
    var el = document.getElementById("pin-map");
    if (!el || typeof L === "undefined") { return; }
    var at = L.latLng(parseFloat(el.dataset.lat), parseFloat(el.dataset.lng));
    var map = L.map(el, { attributionControl: false, zoomControl: false }).setView(at, 12);
    zoomControl(map);
    fetch("/api/v1/areas?level=district&limit=50").then(function (r) { return r.json(); }).then(function (page) {
      page.items.forEach(function (d) { if (!d.has_geometry) { return; }
        fetch("/api/v1/areas/" + d.code + "/geometry").then(function (r) { return r.ok ? r.json() : null; })
          .then(function (f) { if (f) { L.geoJSON(f, { style: { weight: 1, fillOpacity: 0.05 } }).addTo(map).bindTooltip(d.name); } });
      });
    });
    L.circleMarker(at, { radius: 10, color: "#dc3545" }).addTo(map);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
