// Skip logic on the page (the service applies it again): a question with data-show-if="<position>:<choice>" is
// shown only while that choice is chosen; a hidden question's inputs are disabled, so nothing is sent for it.
(function () {
  "use strict";
  function chosen(position) {
    return Array.prototype.map.call(
      document.querySelectorAll('[name="q' + position + '"]:checked'), function (el) { return el.value; });
  }
  function update() {
    document.querySelectorAll("[data-show-if]").forEach(function (box) {
      var rule = box.getAttribute("data-show-if"), i = rule.indexOf(":");
      var shown = chosen(rule.slice(0, i)).indexOf(rule.slice(i + 1)) !== -1;
      box.hidden = !shown;
      box.querySelectorAll("input, textarea").forEach(function (el) { el.disabled = !shown; });
    });
  }
  document.addEventListener("change", update);
  document.addEventListener("DOMContentLoaded", update);
})();
