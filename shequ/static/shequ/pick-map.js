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
    var map = L.map(el, { attributionControl: false, zoomControl: false, zoomSnap: 0.25 }).setView([22.6, 114.1], 9);
    zoomControl(map);
    var lat = document.getElementById("lat"), lng = document.getElementById("lng"), marker = null;
    var status = document.getElementById("pick-map-status");
    var district = document.getElementById("district");
    var layers = {}, all = null;
    function say(text) { if (status) { status.textContent = text; } }
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 9 }).addTo(map); }
      lat.value = latlng.lat.toFixed(6); lng.value = latlng.lng.toFixed(6);
    }
    // The chosen district fills the map; without one, the whole city.
    function focus() {
      var code = district ? district.value : "";
      if (code && layers[code]) { map.fitBounds(layers[code].getBounds()); } else if (all) { map.fitBounds(all); }
    }
    if (lat.value && lng.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lng.value))); }
    fetch("/api/v1/areas?level=district&limit=50").then(function (r) { return r.json(); }).then(function (page) {
      var wanted = page.items.filter(function (d) { return d.has_geometry; });
      return Promise.all(wanted.map(function (d) {
        return fetch("/api/v1/areas/" + d.code + "/geometry").then(function (r) { return r.ok ? r.json() : null; })
          .then(function (f) {
            if (!f) { return; }
            var layer = L.geoJSON(f, { style: { weight: 1, color: "#0d6efd", fillOpacity: 0.08 } }).addTo(map);
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
            var at = L.latLng(pos.coords.latitude, pos.coords.longitude);
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
