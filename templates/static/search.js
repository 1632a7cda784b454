// Site search, loaded on every page. Progressive enhancement: without this script the header
// search box opens /credentials/ (the full table) and /search/ says search needs JavaScript.
//
// 1. On every page: point the search boxes at /search/ instead (their data-search-action).
// 2. On /search/: a small search UI on Pagefind's own API (/pagefind/pagefind.js, with the
//    bundles named in data-merge-index merged in), reading ?q= from the address, with
//    checkbox filters built from pagefind.filters(). No inline
//    script or style is used or injected, so it runs under a strict Content-Security-Policy.
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("form[data-search-action]"), function (form) {
    form.setAttribute("action", form.getAttribute("data-search-action"));
  });

  function onReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  onReady(function () {
    var app = document.getElementById("search-app");
    if (app) {
      startSearchPage(app);
    }
  });

  // Filters in the order they are shown, with their headings; values are sorted by valueOrder.
  var FILTERS = [
    ["career field", "Career field"],
    ["points", "Points"],
    ["quality", "Quality"],
    ["type", "Type"],
    ["status", "Status"],
    ["program", "Qualifies for"]
  ];
  var QUALITY_ORDER = ["High", "Moderate", "Limited", "Not yet rated"];
  var PAGE_SIZE = 20;

  function valueOrder(filter) {
    if (filter === "points") {
      return function (a, b) { return Number(a) - Number(b); };
    }
    if (filter === "quality") {
      return function (a, b) { return QUALITY_ORDER.indexOf(a) - QUALITY_ORDER.indexOf(b); };
    }
    return function (a, b) { return a.localeCompare(b); };
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function startSearchPage(app) {
    var needsJs = document.getElementById("search-needs-js");
    var form = document.getElementById("search-form");
    var input = document.getElementById("search-q");
    var filterForm = document.getElementById("search-filters");
    var count = document.getElementById("search-count");
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var pagefind = null;
    var searchId = 0;
    var pending = [];
    var timer = null;
    var lastAsked = null;

    input.value = new URLSearchParams(window.location.search).get("q") || "";
    app.hidden = false;
    needsJs.hidden = true;

    // The report pages have a bundle of their own (they change less often than the
    // credentials), searched together with the main one. Searching only once the filters
    // have loaded: a search started while Pagefind is still loading its first index chunks
    // can come back empty.
    var merged = (app.getAttribute("data-merge-index") || "").split(" ").filter(Boolean);
    import("/pagefind/pagefind.js").then(function (module) {
      return Promise.all(merged.map(function (bundle) {
        return module.mergeIndex(bundle);
      })).then(function () {
        return module.filters();
      }).then(function (filters) {
        pagefind = module;
        buildFilters(filters);
        run();
      });
    }).catch(function () {
      app.hidden = true;
      needsJs.hidden = false;
      needsJs.textContent = "The search index could not be loaded. ";
      var link = element("a", "", "Browse every credential in one table instead.");
      link.href = "/credentials/";
      needsJs.appendChild(link);
    });

    function buildFilters(filters) {
      FILTERS.forEach(function (entry, filterIndex) {
        var name = entry[0];
        var values = Object.keys(filters[name] || {}).sort(valueOrder(name));
        if (!values.length) {
          return;
        }
        var fieldset = element("fieldset", "search-filter");
        fieldset.appendChild(element("legend", "", entry[1]));
        values.forEach(function (value, valueIndex) {
          var id = "search-filter-" + filterIndex + "-" + valueIndex;
          var row = element("div", "search-filter-option");
          var box = element("input");
          box.type = "checkbox";
          box.id = id;
          box.name = name;
          box.value = value;
          var label = element("label", "", value + " ");
          label.htmlFor = id;
          label.appendChild(element("span", "muted filter-value-count"));
          row.appendChild(box);
          row.appendChild(label);
          fieldset.appendChild(row);
        });
        filterForm.appendChild(fieldset);
      });
      showCounts(filters);
    }

    function showCounts(counts) {
      Array.prototype.forEach.call(filterForm.querySelectorAll("input[type=checkbox]"), function (box) {
        var byValue = counts[box.name] || {};
        box.nextElementSibling.lastChild.textContent = "(" + (byValue[box.value] || 0) + ")";
      });
    }

    function chosenFilters() {
      var chosen = {};
      Array.prototype.forEach.call(filterForm.querySelectorAll("input:checked"), function (box) {
        (chosen[box.name] = chosen[box.name] || { any: [] }).any.push(box.value);
      });
      return chosen;
    }

    function run() {
      if (!pagefind) {
        return;
      }
      var term = input.value.trim();
      var filters = chosenFilters();
      // The same search again (typing that ends where it began, or the first search
      // after the index loads) would only clear and redraw the same results.
      var asked = JSON.stringify([term, filters]);
      if (asked === lastAsked) {
        return;
      }
      lastAsked = asked;
      var id = ++searchId;
      var address = new URL(window.location.href);
      if (term) {
        address.searchParams.set("q", term);
      } else {
        address.searchParams.delete("q");
      }
      window.history.replaceState(null, "", address.pathname + address.search);
      if (!term && !Object.keys(filters).length) {
        showResults(id, null, term);
        return;
      }
      pagefind.search(term || null, { filters: filters }).then(function (search) {
        showResults(id, search, term);
      });
    }

    function showResults(id, search, term) {
      if (id !== searchId) {
        return; // a newer search has started
      }
      list.textContent = "";
      pending = search ? search.results.slice() : [];
      var total = pending.length;
      count.setAttribute("data-count", String(total));
      if (!search) {
        count.textContent = "Type a word to search, or choose a filter.";
      } else if (!total) {
        count.textContent = "No results" + (term ? " for “" + term + "”" : "") + ".";
      } else {
        count.textContent = total + " result" + (total === 1 ? "" : "s") + (term ? " for “" + term + "”" : "");
      }
      if (search) {
        showCounts(search.filters);
      }
      showMore(id);
    }

    function showMore(id) {
      var batch = pending.splice(0, PAGE_SIZE);
      more.hidden = true;
      Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
        if (id !== searchId) {
          return;
        }
        pages.forEach(function (page) { list.appendChild(resultItem(page)); });
        more.hidden = pending.length === 0;
      });
    }

    function resultItem(page) {
      var item = element("li", "search-result");
      var heading = element("h2", "search-result-title");
      var link = element("a", "", page.meta.title || page.url);
      link.href = page.url;
      heading.appendChild(link);
      item.appendChild(heading);
      var facts = [];
      if (page.meta.issuer) {
        facts.push(page.meta.issuer);
      }
      if (page.meta.points) {
        facts.push(page.meta.points + (page.meta.points === "1" ? " point" : " points"));
      }
      if (facts.length) {
        item.appendChild(element("p", "search-result-meta muted", facts.join(" · ")));
      }
      var excerpt = element("p", "search-result-excerpt");
      // Pagefind escapes the page text and adds only <mark> around the matched words.
      excerpt.innerHTML = page.excerpt;
      item.appendChild(excerpt);
      return item;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      run();
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 250);
    });
    filterForm.addEventListener("change", run);
    filterForm.addEventListener("submit", function (event) { event.preventDefault(); });
    more.addEventListener("click", function () { showMore(searchId); });
  }
}());
