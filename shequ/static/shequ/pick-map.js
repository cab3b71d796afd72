// Tap-to-locate on the appeal form: district boundaries from our own API (no tile server, no CDN).
// Progressive enhancement: without JavaScript the community picker above does the same job.
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
    var el = document.getElementById("pick-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { attributionControl: false, zoomControl: false, zoomSnap: 0.25 }).setView([22.6, 114.1], 9);
    zoomControl(map);
    var lat = document.getElementById("lat"), lng = document.getElementById("lng"), marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 9 }).addTo(map); }
      lat.value = latlng.lat.toFixed(6); lng.value = latlng.lng.toFixed(6);
    }
    if (lat.value && lng.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lng.value))); }
    fetch("/api/v1/areas?level=district&limit=50").then(function (r) { return r.json(); }).then(function (page) {
      var bounds = null;
      page.items.forEach(function (d) {
        fetch("/api/v1/areas/" + d.code + "/geometry").then(function (r) { return r.ok ? r.json() : null; })
          .then(function (f) {
            if (!f) { return; }
            var layer = L.geoJSON(f, { style: { weight: 1, color: "#0d6efd", fillOpacity: 0.08 } }).addTo(map);
            layer.bindTooltip(d.name);
            bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
            map.fitBounds(bounds);
          });
      });
    });
    map.on("click", function (e) { place(e.latlng); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
