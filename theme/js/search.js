/*
 * retrobook search page.
 *
 * The site ships one Pagefind bundle per group of years under pagefind/<bundle>/ and lists them, newest
 * first, in pagefind/shards.json (a book of a few thousand retros has one). This script loads the first
 * bundle's pagefind.js, merges the others with mergeIndex, and renders results and facets. The facets' data
 * (one file per bundle) is loaded only when the reader asks for the filters or a link selects one:
 * a query alone never waits for it, and facet counts are only ever shown from complete data. Everything is resolved against the site root that
 * <html data-rb-root> gives, so the site works under any sub-path; no request leaves the site. Pagefind
 * compiles WebAssembly: the pages' Content-Security-Policy allows it with script-src 'wasm-unsafe-eval'.
 *
 * Expected markup:
 *   <form id="rb-search-form"><input id="rb-search-input" name="q"></form>
 *   <div id="rb-search-facets"></div> <p id="rb-search-status"></p> <ol id="rb-search-results"></ol>
 *   <html data-rb-root="../">   (no inline script: the pages' CSP forbids them)
 *
 * Search text from the index is untrusted: it is only ever inserted with textContent / text nodes. Pagefind's
 * excerpts are HTML whose only tags are its own <mark> pairs (it escapes < and > in the content), so they are
 * rebuilt node by node instead of being assigned to innerHTML.
 */
(function () {
  "use strict";

  var form = document.getElementById("rb-search-form");
  var input = document.getElementById("rb-search-input");
  var facetsEl = document.getElementById("rb-search-facets");
  var list = document.getElementById("rb-search-results");
  var statusEl = document.getElementById("rb-search-status");
  if (!form || !input || !list || !statusEl) return;

  // Each result shown costs a request for its text: ten are enough for a first screen.
  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 250;
  var COLLAPSED_VALUES = 8;
  // Must match SHARD_FILTER in src/search.rs: a synthetic filter, added with mergeFilter, naming each page's shard.
  var SHARD_FILTER = "rb_shard";
  // Must match FACET_FILTER in src/search.rs: every facet is one Pagefind filter, its values "name:value",
  // so that the facets' data is one file per bundle. Split back into facets here (splitFacets).
  var FACET_FILTER = "rb_facet";
  var FACET_ORDER = ["severity", "status", "service", "team", "tag", "factor", "year"];
  var FACET_LABELS = {
    severity: "Severity",
    status: "Status",
    service: "Service",
    team: "Team",
    tag: "Tag",
    factor: "Contributing factor",
    year: "Year",
  };

  // The site root, relative to this page: <html data-rb-root> (window.RB_ROOT from older templates).
  var root = new URL(document.documentElement.getAttribute("data-rb-root") || window.RB_ROOT || "./",
    window.location.href);
  var pagefind = null;
  // Pagefind's ranking weights: a retro that has the word searched for comes before one that only has
  // longer words starting with it ("ingress" before "ingressroute", however often that appears), and
  // one mention of a word is worth nearly as much as many. termSimilarity (Pagefind's default 1) is how
  // much a matched word's closeness in length to the query counts; termFrequency (1) and termSaturation
  // (1.4) how much repeats add; pageLength (0.75) how much a long page is discounted.
  var RANKING = { termSimilarity: 6.0, termFrequency: 0.5, termSaturation: 0.8, pageLength: 0.4 };
  var shards = [];
  var knownFilters = [];
  var filtersLoaded = false;
  var state = { q: "", filters: {} }; // filters: name -> array of selected values
  var searchSeq = 0; // a newer search makes older responses stale
  var debounceTimer = null;
  var current = { results: [], shown: 0, term: null };
  var lastCounts = {};
  var expanded = {}; // facets whose long value list the user opened

  var moreButton = document.createElement("button");
  moreButton.type = "button";
  moreButton.className = "rb-search-more";
  moreButton.hidden = true;
  list.parentNode.insertBefore(moreButton, list.nextSibling);

  statusEl.setAttribute("role", "status");
  statusEl.setAttribute("aria-live", "polite");
  statusEl.setAttribute("aria-atomic", "true");
  input.setAttribute("autocomplete", "off");
  if (!input.getAttribute("type")) input.setAttribute("type", "search");
  if (!input.labels || input.labels.length === 0) {
    if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", "Search retrospectives");
  }
  list.setAttribute("aria-label", "Search results");

  function setStatus(text) {
    statusEl.textContent = text;
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function bundleUrl(shard) {
    return new URL("pagefind/" + shard.dir, root);
  }

  // ---------- URL state ----------

  function readQuery() {
    var params = new URLSearchParams(window.location.search);
    state.q = params.get("q") || "";
  }

  // Facet parameters can only be read once the index has said which filter names exist.
  function readFilters() {
    var params = new URLSearchParams(window.location.search);
    state.filters = {};
    knownFilters.forEach(function (name) {
      var values = params.getAll(name).filter(Boolean);
      if (values.length) state.filters[name] = dedupe(values);
    });
  }

  function writeUrl() {
    var params = new URLSearchParams();
    var q = state.q.trim();
    if (q) params.set("q", q);
    Object.keys(state.filters).sort().forEach(function (name) {
      state.filters[name].slice().sort().forEach(function (value) {
        params.append(name, value);
      });
    });
    var qs = params.toString();
    // replaceState: typing should not flood the back button with one entry per keystroke.
    history.replaceState(history.state, "", window.location.pathname + (qs ? "?" + qs : "") + window.location.hash);
  }

  function dedupe(values) {
    return values.filter(function (v, i) {
      return values.indexOf(v) === i;
    });
  }

  // ---------- Loading ----------

  async function load() {
    setStatus("Loading search…");
    readQuery();
    input.value = state.q;
    try {
      var response = await fetch(new URL("pagefind/shards.json", root), { cache: "no-cache" });
      if (!response.ok) throw new Error(response.status + " fetching shards.json");
      var manifest = await response.json();
      // Shard folders become URL paths: accept only the plain names the indexer writes.
      shards = (manifest.shards || []).filter(function (s) {
        return typeof s.dir === "string" && /^[A-Za-z0-9][A-Za-z0-9._-]*\/$/.test(s.dir);
      });
      if (!shards.length) {
        setStatus("There is nothing to search yet.");
        return;
      }
      preloadBundles();
      pagefind = await import(new URL("pagefind.js", bundleUrl(shards[0])).href);
      // baseUrl: record URLs are site-relative ("retros/x/"), so results must resolve against the site root,
      // not against the bundle folder Pagefind would guess. mergeFilter tags every page with its shard, which
      // lets the date listing query one shard at a time (see runListing).
      var rootPath = root.pathname;
      // noWorker: Pagefind's web worker gives up after a 5 s timer and falls back to the main thread anyway;
      // under headless Chromium's virtual time (used to test this page) that timer fires at once and the
      // page often never settles. A retro book's index is small enough to search on the main thread.
      await pagefind.options({
        baseUrl: rootPath,
        excerptLength: 28,
        ranking: RANKING,
        mergeFilter: shardFilter(shards[0]),
        metaCacheTag: cacheTag(shards[0]),
        noWorker: true,
      });
      await pagefind.init();
      await Promise.all(
        shards.slice(1).map(function (shard) {
          // An absolute path: Pagefind compares it with the primary bundle's path (it skips a merge whose path
          // is a prefix of that one) and, when it runs in a worker, would resolve a relative one against the
          // worker script instead of this page.
          return pagefind.mergeIndex(bundleUrl(shard).pathname, {
            baseUrl: rootPath,
            // Each merged index ranks its own results: without the same weights, a shard's prefix
            // matches would outrank the primary shard's whole words.
            ranking: RANKING,
            mergeFilter: shardFilter(shard),
            metaCacheTag: cacheTag(shard),
          });
        }),
      );
      // A link that selects facets needs their data before its first search.
      var params = new URLSearchParams(window.location.search);
      var wantsFacets = false;
      params.forEach(function (value, name) {
        if (name !== "q" && value) wantsFacets = true;
      });
      if (wantsFacets) await loadFilters();
    } catch (error) {
      console.error("retrobook search:", error);
      setStatus(
        window.location.protocol === "file:"
          ? "Search needs the site to be served over HTTP; it cannot run from a file:// address."
          : "Search could not be loaded.",
      );
      return;
    }

    input.addEventListener("input", function () {
      state.q = input.value;
      clearTimeout(debounceTimer);
      debounceTimer = setTimeout(function () {
        writeUrl();
        run();
      }, DEBOUNCE_MS);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(debounceTimer);
      state.q = input.value;
      writeUrl();
      run();
    });
    if (facetsEl) {
      facetsEl.addEventListener("change", onFacetChange);
      facetsEl.addEventListener("click", onFacetExpand);
      facetsEl.addEventListener("click", onShowFilters);
    }
    moreButton.addEventListener("click", function () {
      showMore(searchSeq, true);
    });
    run();
  }

  // Every facet's data, from every bundle; then the facet parameters of the address apply.
  async function loadFilters() {
    var all = splitFacets(await pagefind.filters());
    knownFilters = Object.keys(all).sort(byFacetOrder);
    filtersLoaded = true;
    readFilters();
  }

  async function onShowFilters(event) {
    var button = event.target.closest ? event.target.closest("button[data-load-filters]") : null;
    if (!button || button.disabled) return;
    button.disabled = true;
    button.textContent = "Loading filters…";
    try {
      await loadFilters();
    } catch (error) {
      console.error("retrobook search:", error);
      button.disabled = false;
      button.textContent = "Filters could not be loaded; try again";
      return;
    }
    await run();
    // The button is gone: keep keyboard users in the filters rather than at the top of the page.
    var first = facetsEl.querySelector("input");
    if (first && document.activeElement === document.body) first.focus();
  }

  // Pagefind reads each bundle's entry file, then its metadata (and the primary bundle's WebAssembly), and
  // merges the other bundles only once its WebAssembly is compiled: one round trip after another. shards.json
  // names those files, so they are fetched now, together with pagefind.js, and Pagefind's own requests for
  // them are answered from the preloads. An entry file is preloaded only under its cache tag, the exact URL
  // Pagefind will ask for.
  function preloadBundles() {
    var plain = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
    shards.forEach(function (shard, i) {
      var dir = bundleUrl(shard);
      var files = [shard.meta, i === 0 ? shard.wasm : null].filter(function (file) {
        return typeof file === "string" && plain.test(file);
      });
      if (hasKey(shard)) files.unshift("pagefind-entry.json?ts=" + shard.key);
      files.forEach(function (file) {
        var link = document.createElement("link");
        link.rel = "preload";
        link.as = "fetch";
        link.crossOrigin = "anonymous";
        link.href = new URL(file, dir).href;
        document.head.appendChild(link);
      });
    });
  }

  // The shard's content hash lets browsers cache its pagefind-entry.json until it changes (Pagefind's
  // default adds the current time to that URL, so it is fetched afresh on every page view).
  function cacheTag(shard) {
    return hasKey(shard) ? shard.key : String(Date.now());
  }

  function hasKey(shard) {
    return typeof shard.key === "string" && /^[0-9a-f]+$/.test(shard.key);
  }

  function shardFilter(shard) {
    var filter = {};
    filter[SHARD_FILTER] = shard.name;
    return filter;
  }

  // ---------- Searching ----------

  // Pagefind's counts for the one facet filter ({"severity:SEV1": 3}) as counts per facet ({severity: {SEV1: 3}}).
  function splitFacets(filters) {
    var combined = (filters || {})[FACET_FILTER] || {};
    var out = {};
    Object.keys(combined).forEach(function (key) {
      var at = key.indexOf(":");
      if (at <= 0) return;
      var name = key.slice(0, at);
      (out[name] = out[name] || {})[key.slice(at + 1)] = combined[key];
    });
    return out;
  }

  // One clause per facet with ticked values, except `exceptName`. Values of one facet are OR'ed ("any");
  // Pagefind's default for an array would AND them. The clauses are AND'ed (Pagefind's "all").
  function selectedClauses(exceptName) {
    var clauses = [];
    Object.keys(state.filters).forEach(function (name) {
      if (name === exceptName || !state.filters[name].length) return;
      var clause = {};
      clause[FACET_FILTER] = {
        any: state.filters[name].map(function (value) {
          return name + ":" + value;
        }),
      };
      clauses.push(clause);
    });
    return clauses;
  }

  function pagefindFilters(clauses) {
    return clauses.length ? { all: clauses } : {};
  }

  function allShards(clauses) {
    // A filter-only search needs at least one filter to select pages; naming every shard selects them all.
    var every = {};
    every[SHARD_FILTER] = {
      any: shards.map(function (s) {
        return s.name;
      }),
    };
    return { all: clauses.concat([every]) };
  }

  async function run() {
    var seq = ++searchSeq;
    var term = state.q.trim() || null;
    list.setAttribute("aria-busy", "true");
    try {
      var found = term === null ? await runListing() : await runQuery(term);
      // Counts for a facet with ticked values ignore that facet's own selection, so its other values say
      // how many results ticking them would add (values of one facet are OR'ed).
      var active = Object.keys(state.filters).filter(function (name) {
        return state.filters[name].length;
      });
      var disjunctive = await Promise.all(
        active.map(function (name) {
          var clauses = selectedClauses(name);
          return pagefind.search(term, { filters: term === null ? allShards(clauses) : pagefindFilters(clauses) });
        }),
      );
      if (seq !== searchSeq) return;
      active.forEach(function (name, i) {
        found.counts[name] = splitFacets(disjunctive[i].filters)[name] || {};
      });
      current = { results: found.results, shown: 0, term: term };
      lastCounts = found.counts;
      renderFacets();
      list.replaceChildren();
      await showMore(seq, false);
      if (seq !== searchSeq) return;
      announce();
    } catch (error) {
      if (seq !== searchSeq) return;
      console.error("retrobook search:", error);
      setStatus("Search failed.");
    } finally {
      if (seq === searchSeq) list.removeAttribute("aria-busy");
    }
  }

  async function runQuery(term) {
    var response = await pagefind.search(term, { filters: pagefindFilters(selectedClauses(null)) });
    return { results: response.results, counts: splitFacets(response.filters) };
  }

  // An empty query lists everything newest first. Pagefind's sort turns each result's score into its rank
  // within its own index, and merged results are then ordered by score, which would interleave the shards.
  // So each shard is asked on its own (via its synthetic shard filter) and the lists are concatenated in
  // shard order, newest shard first.
  async function runListing() {
    var clauses = selectedClauses(null);
    var responses = await Promise.all(
      shards.map(function (shard) {
        var perShard = { all: clauses.concat([shardFilter(shard)]) };
        return pagefind.search(null, { filters: perShard, sort: { date: "desc" } });
      }),
    );
    var results = [];
    var counts = {};
    responses.forEach(function (response) {
      results = results.concat(response.results);
      var facets = splitFacets(response.filters);
      Object.keys(facets).forEach(function (name) {
        var into = (counts[name] = counts[name] || {});
        var values = facets[name];
        Object.keys(values).forEach(function (value) {
          into[value] = (into[value] || 0) + values[value];
        });
      });
    });
    return { results: results, counts: counts };
  }

  async function showMore(seq, moveFocus) {
    var slice = current.results.slice(current.shown, current.shown + PAGE_SIZE);
    var data = await Promise.all(
      slice.map(function (result) {
        return result.data();
      }),
    );
    if (seq !== searchSeq) return;
    var firstNew = null;
    data.forEach(function (page) {
      var item = renderResult(page, current.term);
      if (!firstNew) firstNew = item;
      list.appendChild(item);
    });
    current.shown += slice.length;
    var left = current.results.length - current.shown;
    moreButton.hidden = left <= 0;
    moreButton.textContent = left > 0 ? "Show " + Math.min(left, PAGE_SIZE) + " more (" + left + " left)" : "";
    // Keyboard users pressed the button: take them to the first result that just appeared.
    if (moveFocus && firstNew) {
      var link = firstNew.querySelector("a");
      if (link) link.focus();
    }
    if (moveFocus) announce();
  }

  function announce() {
    var n = current.results.length;
    var filtered = selectedClauses(null).length > 0;
    var text;
    if (current.term === null) {
      text = n === 0 ? "No retrospectives match these filters." : plural(n, "retrospective", "retrospectives") + ", newest first";
    } else {
      text =
        n === 0
          ? "No results for “" + current.term + "”" + (filtered ? " with these filters." : ".")
          : plural(n, "result", "results") + " for “" + current.term + "”";
    }
    if (n > current.shown) text += " (showing " + current.shown + ")";
    setStatus(n === 0 ? text : text + ".");
  }

  // ---------- Rendering ----------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // Only http(s) links (or paths) are followed, whatever ends up in the index.
  function safeHref(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  // Markup the theme styles: li > h2 > a, then time, severity badge and excerpt as siblings.
  function renderResult(page, term) {
    var meta = page.meta || {};
    var item = el("li", "rb-result");
    var heading = el("h2", "rb-result-title");
    var href = safeHref(page.url);
    var link = el(href ? "a" : "span", null, meta.title || page.url);
    if (href) link.href = href;
    heading.appendChild(link);
    item.appendChild(heading);

    if (meta.date) {
      var time = el("time", null, formatDate(meta.date));
      time.setAttribute("datetime", meta.date);
      item.appendChild(time);
    }
    if (meta.severity) {
      item.appendChild(el("span", "rb-badge " + severityClass(meta), meta.severity));
    }

    var excerpt = el("p", "rb-result-excerpt");
    if (term === null) {
      // Nothing matched, so show the summary rather than the first words of the text.
      excerpt.textContent = meta.summary || decodeBrackets(page.plain_excerpt || "");
    } else {
      appendExcerpt(excerpt, page.excerpt || "");
    }
    item.appendChild(excerpt);
    return item;
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  // "2025-03-14" → "14 March 2025", as on the rest of the site; anything else is shown as it is.
  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!m || +m[2] < 1 || +m[2] > 12) return iso;
    return +m[3] + " " + MONTHS[+m[2] - 1] + " " + m[1];
  }

  // The theme colours rb-sev-1 … rb-sev-4 and rb-sev-other. The indexer may say which one (meta
  // "severity_class", since severities are configurable); otherwise a trailing 1–4 ("SEV2", "P1") decides.
  function severityClass(meta) {
    if (/^rb-sev-(?:[1-4]|other)$/.test(meta.severity_class || "")) return meta.severity_class;
    var m = /([1-4])$/.exec(meta.severity);
    return m ? "rb-sev-" + m[1] : "rb-sev-other";
  }

  // Pagefind escapes only < and > in the text it builds excerpts from; undo exactly that.
  function decodeBrackets(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  }

  function appendExcerpt(parent, html) {
    var marked = false;
    html.split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") {
        marked = true;
      } else if (part === "</mark>") {
        marked = false;
      } else if (part) {
        var text = decodeBrackets(part);
        parent.appendChild(marked ? el("mark", null, text) : document.createTextNode(text));
      }
    });
  }

  function byFacetOrder(a, b) {
    var ia = FACET_ORDER.indexOf(a);
    var ib = FACET_ORDER.indexOf(b);
    if (ia === -1) ia = FACET_ORDER.length;
    if (ib === -1) ib = FACET_ORDER.length;
    return ia - ib || a.localeCompare(b);
  }

  function facetLabel(name) {
    return FACET_LABELS[name] || name.charAt(0).toUpperCase() + name.slice(1).replace(/[-_]/g, " ");
  }

  function sortValues(name, entries) {
    return entries.sort(function (a, b) {
      if (name === "year") return b[0].localeCompare(a[0]);
      if (name === "severity" || name === "status") return a[0].localeCompare(b[0], undefined, { numeric: true });
      return b[1] - a[1] || a[0].localeCompare(b[0]);
    });
  }

  function renderFacets() {
    if (!facetsEl) return;
    if (!filtersLoaded) {
      if (!facetsEl.querySelector("button[data-load-filters]")) {
        var show = el("button", "rb-facet-more", "Show filters");
        show.type = "button";
        show.dataset.loadFilters = "1";
        facetsEl.replaceChildren(show);
      }
      return;
    }
    // Rebuilding the boxes would drop keyboard focus; remember which box had it and give it back.
    var active = document.activeElement;
    var focus = active && facetsEl.contains(active) ? { filter: active.dataset.filter, value: active.dataset.value, more: active.dataset.more } : null;

    var fragment = document.createDocumentFragment();
    knownFilters.forEach(function (name) {
      var counts = lastCounts[name] || {};
      var selected = state.filters[name] || [];
      var entries = Object.keys(counts)
        .map(function (value) {
          return [value, counts[value]];
        })
        .filter(function (entry) {
          return entry[1] > 0 || selected.indexOf(entry[0]) !== -1;
        });
      selected.forEach(function (value) {
        if (!(value in counts)) entries.push([value, 0]);
      });
      if (!entries.length) return;
      sortValues(name, entries);

      // fieldset > legend + label > input + text + count: the markup the theme styles.
      var fieldset = el("fieldset", "rb-facet");
      fieldset.appendChild(el("legend", null, facetLabel(name)));
      var limit = expanded[name] ? entries.length : COLLAPSED_VALUES;
      entries.forEach(function (entry, valueIndex) {
        // Ticked values stay visible even beyond the collapsed length.
        if (valueIndex >= limit && selected.indexOf(entry[0]) === -1) return;
        var label = el("label");
        var box = el("input");
        box.type = "checkbox";
        box.dataset.filter = name;
        box.dataset.value = entry[0];
        box.checked = selected.indexOf(entry[0]) !== -1;
        label.appendChild(box);
        label.appendChild(el("span", "rb-facet-value", entry[0]));
        // The count reads "SEV1, 3 results" to a screen reader; sighted users see a pill with "3".
        var count = el("span", "rb-facet-count", String(entry[1]));
        count.appendChild(el("span", "rb-visually-hidden", entry[1] === 1 ? " result" : " results"));
        label.appendChild(count);
        fieldset.appendChild(label);
      });
      if (entries.length > COLLAPSED_VALUES) {
        var toggle = el("button", "rb-facet-more", expanded[name] ? "Show fewer" : "Show all " + entries.length);
        toggle.type = "button";
        toggle.dataset.more = name;
        toggle.setAttribute("aria-expanded", expanded[name] ? "true" : "false");
        fieldset.appendChild(toggle);
      }
      fragment.appendChild(fieldset);
    });
    facetsEl.replaceChildren(fragment);

    if (focus) {
      var controls = facetsEl.querySelectorAll("input, button");
      for (var i = 0; i < controls.length; i++) {
        var c = controls[i];
        if ((focus.more && c.dataset.more === focus.more) || (!focus.more && c.dataset.filter === focus.filter && c.dataset.value === focus.value)) {
          c.focus();
          break;
        }
      }
    }
  }

  function onFacetChange(event) {
    var box = event.target;
    if (!box || box.type !== "checkbox" || !box.dataset.filter) return;
    var name = box.dataset.filter;
    var values = (state.filters[name] || []).filter(function (v) {
      return v !== box.dataset.value;
    });
    if (box.checked) values.push(box.dataset.value);
    if (values.length) state.filters[name] = values;
    else delete state.filters[name];
    writeUrl();
    run();
  }

  function onFacetExpand(event) {
    var button = event.target.closest ? event.target.closest("button[data-more]") : null;
    if (!button) return;
    expanded[button.dataset.more] = !expanded[button.dataset.more];
    renderFacets();
  }

  load();
})();
