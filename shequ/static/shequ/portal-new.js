// The new-appeal form, step 1: the suggested categories (radios named "category", swapped in by htmx) and the
// "or choose a category" list (category_list) are one choice. Using one clears the other, so the page never
// sends two categories and what the resident sees chosen is what is kept.
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (!t || !t.form) { return; }
    if (t.name === "category_list" && t.value) {
      t.form.querySelectorAll("input[name=category]").forEach(function (r) { r.checked = false; });
    } else if (t.name === "category" && t.type === "radio" && t.checked) {
      var list = t.form.querySelector("select[name=category_list]");
      if (list) { list.value = ""; }
    }
  });
})();
