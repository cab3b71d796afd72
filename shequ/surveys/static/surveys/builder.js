// The questionnaire builder: question rows beyond the first ones wait hidden; "Add a question" shows the next
// one and puts the cursor in it. Without this script every row is still in the form (hidden rows post empty).
(function () {
  "use strict";
  var add = document.getElementById("question-add");
  if (!add) return;
  function next() {
    return document.querySelector(".survey-question[hidden]");
  }
  function update() {
    add.hidden = !next();
  }
  add.addEventListener("click", function () {
    var row = next();
    if (!row) return;
    row.hidden = false;
    var first = row.querySelector("select, input, textarea");
    if (first) first.focus();
    update();
  });
  update();
})();
