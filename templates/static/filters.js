// The filters of /credentials/ work without this script: a generated stylesheet
// (/credentials/filters.css, see site_builder/site/filters.py) hides the rows that do not match
// the chosen options. This script hides the same rows the same way (for browsers without CSS
// :has()), announces how many are shown, and opens the filters on a wide screen.
(function () {
  "use strict";
  var panel = document.getElementById("filter-panel");
  var form = document.getElementById("credential-filters");
  var table = document.getElementById("credential-table");
  var count = document.getElementById("filter-count");
  if (!panel || !form || !table || !count) {
    return;
  }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var allText = count.getAttribute("data-all");
  var someText = count.getAttribute("data-some");

  // the rule of site_builder/site/filters.py, by the select's data-match
  function matches(row, select) {
    var wanted = select.value;
    if (!wanted) {
      return true;
    }
    var value = row.getAttribute("data-" + select.getAttribute("data-filter")) || "";
    var match = select.getAttribute("data-match");
    if (match === "at-least") {
      return Number(value) >= Number(wanted);
    }
    if (match === "word") {
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
    var text = shown === rows.length ? allText : someText.replace("{shown}", String(shown));
    // an unchanged text is not announced again
    if (count.textContent !== text) {
      count.textContent = text;
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("reset", function () { window.setTimeout(update, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  // with the script the filters work in every browser (site.css hides them without it where
  // CSS cannot filter); open beside the table on a wide screen, behind their button on a phone
  panel.classList.add("scripted");
  if (window.matchMedia("(min-width: 60rem)").matches) {
    panel.open = true;
  }
  // the browser may have kept the choices of an earlier visit (back button)
  update();
}());
