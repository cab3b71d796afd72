// The emergency queue's countdown (issue 23): every element .countdown[data-due] shows mm:ss left until its ISO
// time, ticking each second between the page's htmx polls (which re-render the rows, and these elements with them).
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var left = Math.round((due - now) / 1000);
      var abs = Math.abs(left);
      el.textContent = (left < 0 ? "-" : "") + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
      el.classList.toggle("deadline-red", left < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
