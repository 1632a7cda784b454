// Site search, loaded on every page. Progressive enhancement: without this script the search
// boxes open /credentials/#search-fallback (the full table, whose filters work without a
// script, under a message that searching by words needs JavaScript) and /search/ says what
// works without JavaScript.
//
// 1. On every page: point the search boxes at /search/ instead (their data-search-action);
//    a search that went to the table before this script ran goes on to /search/.
// 2. On /search/: a small search UI on Pagefind's own API (/pagefind/pagefind.js, with the
//    bundles named in data-merge-index merged in), reading ?q= from the address, with
//    checkbox filters built from pagefind.filters(). No inline
//    script or style is used or injected, so it runs under a strict Content-Security-Policy.
(function () {
  "use strict";

  var searchForms = document.querySelectorAll("form[data-search-action]");
  Array.prototype.forEach.call(searchForms, function (form) {
    form.setAttribute("action", form.getAttribute("data-search-action"));
  });
  var asked = new URLSearchParams(window.location.search).get("q");
  if (window.location.hash === "#search-fallback" && asked !== null && searchForms.length) {
    window.location.replace(searchForms[0].getAttribute("data-search-action") + "?q=" + encodeURIComponent(asked));
    return;
  }

  function onReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }


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

  // The words this script writes, in the page's language: JSON in the data-words attribute of
  // search.html's #search-app; English, as written here, when one is missing.
  var WORDS = {};
  function loadWords(app) {
    var words = app.getAttribute("data-words");
    if (!words) {
      return;
    }
    try {
      WORDS = JSON.parse(words) || {};
    } catch (error) {
      WORDS = {};
    }
    if (WORDS.filters) {
      FILTERS = FILTERS.map(function (entry) {
        return [entry[0], WORDS.filters[entry[0]] || entry[1]];
      });
    }
    if (Array.isArray(WORDS.qualityOrder)) {
      QUALITY_ORDER = WORDS.qualityOrder.concat(QUALITY_ORDER);
    }
  }

  function word(key, english, values) {
    var text = typeof WORDS[key] === "string" ? WORDS[key] : english;
    return fill(text, values);
  }

  // ``forms``: [one, other] of WORDS[key] (English fallbacks), chosen by the page language's rule
  function plural(key, one, other, count, values) {
    var forms = Array.isArray(WORDS[key]) && WORDS[key].length === 2 ? WORDS[key] : [one, other];
    var rule = "other";
    try {
      rule = new Intl.PluralRules(document.documentElement.lang || "en").select(count);
    } catch (error) {
      rule = count === 1 ? "one" : "other";
    }
    return fill(rule === "one" ? forms[0] : forms[1], values);
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
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
    var filterPanel = document.getElementById("search-filter-panel");
    var loadingMore = false;
    var pagefind = null;
    var searchId = 0;
    var pending = [];
    var timer = null;
    var lastAsked = null;

    loadWords(app);
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    app.hidden = false;
    needsJs.hidden = true;
    // beside the results on a wide screen; behind its button on a phone, results first
    if (filterPanel && window.matchMedia("(min-width: 60rem)").matches) {
      filterPanel.open = true;
    }

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
      needsJs.textContent = word("indexFailed", "The search index could not be loaded.") + " ";
      var link = element("a", "", word("browseInstead", "Browse every credential in one table instead."));
      link.href = word("browseUrl", "/credentials/");
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
        count.textContent = word("typeToSearch", "Type a word to search, or choose a filter.");
      } else if (!total) {
        count.textContent = term ? word("noResultsFor", "No results for “{term}”.", { term: term }) : word("noResults", "No results.");
      } else if (term) {
        count.textContent = plural("resultsFor", "{count} result for “{term}”", "{count} results for “{term}”", total, { count: total, term: term });
      } else {
        count.textContent = plural("results", "{count} result", "{count} results", total, { count: total });
      }
      if (search) {
        showCounts(search.filters);
      }
      more.hidden = true;
      loadingMore = false;
      showMore(id, false);
    }

    // The next results; ``fromButton``: asked for with "Show more results", whose user then
    // continues from the first new result (the button stays until they are shown, and hides
    // once none are left: focus never drops to the page's start).
    function showMore(id, fromButton) {
      var batch = pending.splice(0, PAGE_SIZE);
      Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
        if (id !== searchId) {
          return;
        }
        var items = pages.map(resultItem);
        items.forEach(function (item) { list.appendChild(item); });
        if (fromButton && items.length) {
          items[0].querySelector("a").focus();
        }
        loadingMore = false;
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
        facts.push(plural("points", "{count} point", "{count} points", Number(page.meta.points), { count: page.meta.points }));
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
    more.addEventListener("click", function () {
      if (!loadingMore) {
        loadingMore = true;
        showMore(searchId, true);
      }
    });
  }
  // last: every variable above has its value by now (a deferred script runs after parsing,
  // so onReady calls back at once)
  onReady(function () {
    var app = document.getElementById("search-app");
    if (app) {
      startSearchPage(app);
    }
  });
}());
