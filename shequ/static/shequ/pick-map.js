// Tap-to-locate on the appeal form: district boundaries from our own API (no tile server, no CDN by default).
// Progressive enhancement: without JavaScript the community picker above does the same job. Elder mode shows no
// map and downloads no shapes (the template does not even load this script there; this guard is a second line).
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
    if (document.documentElement.classList.contains("elder")) { return; }
    var tiles = el.dataset.tiles || "";
    var map = L.map(el, { attributionControl: !!tiles, zoomControl: false, zoomSnap: 0.25 }).setView([22.6, 114.1], 9);
    zoomControl(map);
    if (tiles) { L.tileLayer(tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map); }
    // Stored and sent in WGS84; drawn in the base layer's datum (GCJ-02 for a Chinese provider's tiles).
    var gcj = el.dataset.crs === "gcj02" && window.ShequCoords;
    function toMap(lngLat) { return gcj ? ShequCoords.wgs84ToGcj02(lngLat[0], lngLat[1]) : lngLat; }
    function fromMap(latlng) { return gcj ? ShequCoords.gcj02ToWgs84(latlng.lng, latlng.lat) : [latlng.lng, latlng.lat]; }
    function shown(lng, lat) { var p = toMap([lng, lat]); return L.latLng(p[1], p[0]); }
    var lat = document.getElementById("lat"), lng = document.getElementById("lng"), marker = null;
    var status = document.getElementById("pick-map-status");
    var district = document.getElementById("district");
    var layers = {}, all = null;
    function say(text) { if (status) { status.textContent = text; } }
    // `latlng` as drawn on the map; the hidden fields get WGS84.
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 9 }).addTo(map); }
      var w = fromMap(latlng);
      lat.value = w[1].toFixed(6); lng.value = w[0].toFixed(6);
    }
    // The chosen district fills the map; without one, the whole city.
    function focus() {
      var code = district ? district.value : "";
      if (code && layers[code]) { map.fitBounds(layers[code].getBounds()); } else if (all) { map.fitBounds(all); }
    }
    if (lat.value && lng.value) { place(shown(parseFloat(lng.value), parseFloat(lat.value))); }
    fetch("/api/v1/areas?level=district&limit=50").then(function (r) { return r.json(); }).then(function (page) {
      var wanted = page.items.filter(function (d) { return d.has_geometry; });
      return Promise.all(wanted.map(function (d) {
        return fetch("/api/v1/areas/" + d.code + "/geometry").then(function (r) { return r.ok ? r.json() : null; })
          .then(function (f) {
            if (!f) { return; }
            var layer = L.geoJSON(f, {
              style: { weight: 1, color: "#0d6efd", fillOpacity: 0.08 },
              coordsToLatLng: function (c) { return shown(c[0], c[1]); }
            }).addTo(map);
            layer.bindTooltip(d.name);
            layers[d.code] = layer;
            all = all ? all.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds().getSouthWest(), layer.getBounds().getNorthEast());
          });
      }));
    }).then(function () { if (!(lat.value && lng.value)) { focus(); } });
    if (district) { district.addEventListener("change", focus); }
    map.on("click", function (e) { place(e.latlng); say(""); });
    var locate = document.getElementById("use-my-location");
    if (locate) {
      if (!("geolocation" in navigator)) { locate.hidden = true; } else {
        locate.hidden = false;
        locate.addEventListener("click", function () {
          say(el.dataset.locating || "");
          navigator.geolocation.getCurrentPosition(function (pos) {
            var at = shown(pos.coords.longitude, pos.coords.latitude);  // GPS gives WGS84
            place(at); map.setView(at, 16); say(el.dataset.located || "");
          }, function (err) {
            say(err && err.code === 1 ? (el.dataset.refused || "") : (el.dataset.unavailable || ""));
          }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
        });
      }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
