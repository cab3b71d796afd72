// "Use my location" on 附近服务: shows the button only where the browser can locate, fills the hidden lat/lng of
// the GET form and submits it. Without JavaScript (or without permission) the community picker does the job.
(function () {
  "use strict";
  function start() {
    var button = document.getElementById("locate");
    var form = document.getElementById("services-form");
    if (!button || !form || !("geolocation" in navigator)) { return; }
    var status = document.getElementById("locate-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-wait") || "…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("lng").value = pos.coords.longitude.toFixed(6);
        ["district", "street", "community"].forEach(function (id) {
          var el = document.getElementById(id);
          if (el) { el.value = ""; }
        });
        form.submit();
      }, function () {
        button.disabled = false;
        status.textContent = button.getAttribute("data-denied") || "";
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
