// Progressive enhancement for /credentials/: the table works without this script.
// It reveals the filter form and hides rows that do not match, announcing the count.
(function () {
  "use strict";
  var form = document.getElementById("credential-filters");
  var table = document.getElementById("credential-table");
  var count = document.getElementById("filter-count");
  if (!form || !table || !count) {
    return;
  }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));

  function matches(row, select) {
    var wanted = select.value;
    if (!wanted) {
      return true;
    }
    var name = select.getAttribute("data-filter");
    var value = row.getAttribute("data-" + name) || "";
    if (name === "points") {
      return Number(value) >= Number(wanted);
    }
    if (name === "career-fields" || name === "programs") {
      return value.split(" ").indexOf(wanted) !== -1;
    }
    return value === wanted;
  }

  function update() {
    var shown = 0;
    rows.forEach(function (row) {
      var visible = selects.every(function (select) { return matches(row, select); });
      row.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    var noun = rows.length === 1 ? " credential" : " credentials";
    count.textContent = shown === rows.length
      ? rows.length + noun
      : "Showing " + shown + " of " + rows.length + noun;
  }

  form.addEventListener("change", update);
  form.addEventListener("reset", function () { window.setTimeout(update, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  update();
}());
