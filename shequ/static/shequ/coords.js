// WGS84 <-> GCJ-02, the twin of shequ/geo/coords.py (same formulas, same tests' reference point): maps drawn on a
// GCJ-02 base layer show our WGS84 shapes shifted, and a tapped point goes back to WGS84 before it is sent.
(function (root) {
  "use strict";
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;
  function outOfChina(lng, lat) { return !(lng > 73.66 && lng < 135.05 && lat > 3.86 && lat < 53.55); }
  function dLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function dLng(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
  }
  function wgs84ToGcj02(lng, lat) {
    if (outOfChina(lng, lat)) { return [lng, lat]; }
    var dlat = dLat(lng - 105.0, lat - 35.0), dlng = dLng(lng - 105.0, lat - 35.0);
    var radlat = lat / 180.0 * PI, magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat), sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * PI);
    dlng = (dlng * 180.0) / (A / sqrtmagic * Math.cos(radlat) * PI);
    return [lng + dlng, lat + dlat];
  }
  function gcj02ToWgs84(lng, lat) {
    if (outOfChina(lng, lat)) { return [lng, lat]; }
    var x = lng, y = lat;
    for (var i = 0; i < 30; i++) {
      var f = wgs84ToGcj02(x, y), dx = lng - f[0], dy = lat - f[1];
      x += dx; y += dy;
      if (Math.abs(dx) < 1e-9 && Math.abs(dy) < 1e-9) { break; }
    }
    return [x, y];
  }
  root.ShequCoords = { wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84, outOfChina: outOfChina };
})(window);
