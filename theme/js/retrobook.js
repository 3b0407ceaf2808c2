/* retrobook.js — progressive enhancement for retrobook sites. Plain JS, no dependencies, no
 * network requests, no inline handlers; load with <script src=".../retrobook.js" defer>.
 *
 * NO-FLASH: js/theme-init.js, loaded without defer in <head> before the stylesheet, puts the stored
 * theme and the rb-js class on <html> before the first paint. It is a file rather than an inline
 * snippet because the pages' Content-Security-Policy allows no inline script.
 *
 * What this file does:
 *  1. Theme toggle (.rb-theme-toggle): follows the OS until the first click, then stores
 *     "light"/"dark" in localStorage["rb-theme"] and sets <html data-theme>. aria-pressed="true"
 *     means dark is on; title says what a click does. Other tabs follow via the storage event.
 *  2. Incident list (table.rb-incidents): filters from form.rb-filters (select[data-filter],
 *     input[data-filter="text"]), sorting from button.rb-sort[data-sort-key], state in the URL
 *     (?severity=SEV1&service=checkout&text=dns&sort=-date) via history.replaceState.
 *  3. Opens every <details> for printing, restores them after.
 *  4. Diagnostics overlay: .rb-overlay-close (or Escape) hides #rb-overlay.
 *  5. "/" focuses the header search box; wide .rb-table-wrap / .rb-scroll / figures / pre get tabindex=0.
 *  6. Phone cards: every body cell of a table.rb-table gets data-label = its column's header
 *     ("Time to resolve · median" under a grouped header), which the phone layout shows before
 *     the value once the header row is hidden (retrobook.css, "tables on a phone").
 */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("rb-js");
  var KEY = "rb-theme";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  /* ---------- 1. theme ---------- */
  var mq = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function stored() {
    try { var t = localStorage.getItem(KEY); return t === "light" || t === "dark" ? t : null; } catch (e) { return null; }
  }
  function current() { return root.getAttribute("data-theme") || (mq && mq.matches ? "dark" : "light"); }
  function syncToggles() {
    var dark = current() === "dark";
    each(document.querySelectorAll(".rb-theme-toggle"), function (b) {
      b.setAttribute("aria-pressed", dark ? "true" : "false");
      b.title = dark ? "Switch to light theme" : "Switch to dark theme";
    });
  }
  function setTheme(t, save) {
    if (t) root.setAttribute("data-theme", t); else root.removeAttribute("data-theme");
    if (save) { try { localStorage.setItem(KEY, t); } catch (e) { /* private mode: not stored */ } }
    syncToggles();
  }
  setTheme(stored() || root.getAttribute("data-theme"), false);
  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest(".rb-theme-toggle")) setTheme(current() === "dark" ? "light" : "dark", true);
  });
  if (mq) {
    if (mq.addEventListener) mq.addEventListener("change", syncToggles); else if (mq.addListener) mq.addListener(syncToggles);
  }
  window.addEventListener("storage", function (ev) { if (ev.key === KEY) setTheme(stored(), false); });

  /* ---------- 2. incident list: filter + sort ---------- */
  var MULTI = { services: 1, teams: 1, tags: 1 };
  var DEFAULT_DESC = { date: 1, ttr: 1, "open-actions": 1, year: 1 };

  function initTable(table) {
    var tbody = table.tBodies[0];
    if (!tbody) return;
    var rows = Array.prototype.slice.call(tbody.rows);
    var scope = table.closest("main") || document;
    var form = scope.querySelector("form.rb-filters");
    var count = scope.querySelector("output.rb-count");
    var empty = scope.querySelector(".rb-empty");
    var controls = form ? Array.prototype.slice.call(form.querySelectorAll("[data-filter]")) : [];
    var buttons = Array.prototype.slice.call(table.querySelectorAll("button.rb-sort[data-sort-key]"));
    rows.forEach(function (r, i) { r.rbIndex = i; r.rbText = (r.textContent + " " + Object.keys(r.dataset).map(function (k) { return r.dataset[k]; }).join(" ")).toLowerCase(); });

    /* the data-* attribute a filter reads: data-<name>, else data-<name>s (service → services) */
    function attrFor(name) {
      var r = rows[0];
      if (!r || r.hasAttribute("data-" + name) || !r.hasAttribute("data-" + name + "s")) return name;
      return name + "s";
    }
    function valuesOf(row, attr, multi) {
      var v = (row.getAttribute("data-" + attr) || "").trim();
      if (!v) return [];
      return multi ? v.split(/\s+/) : [v];
    }

    /* populate each select that only has its "all" option */
    var filters = controls.map(function (el) {
      var name = el.getAttribute("data-filter");
      var f = { el: el, name: name, text: el.tagName !== "SELECT" };
      if (f.text) return f;
      f.attr = attrFor(name);
      f.multi = el.hasAttribute("data-multi") || !!MULTI[f.attr];
      if (el.options.length <= 1) {
        var counts = {}, rank = {};
        rows.forEach(function (r) {
          valuesOf(r, f.attr, f.multi).forEach(function (v) {
            counts[v] = (counts[v] || 0) + 1;
            if (f.attr === "severity" && r.hasAttribute("data-severity-rank")) rank[v] = Number(r.getAttribute("data-severity-rank"));
          });
        });
        var keys = Object.keys(counts);
        keys.sort(function (a, b) {
          if (f.attr === "severity") return (rank[a] - rank[b]) || a.localeCompare(b);
          if (f.attr === "year") return b.localeCompare(a);
          return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
        });
        keys.forEach(function (v) { el.add(new Option(v + " (" + counts[v] + ")", v)); });
      }
      return f;
    });

    /* sort state: read the server's initial order from th[aria-sort] */
    var initial = null;
    buttons.forEach(function (b) {
      var s = b.closest("th").getAttribute("aria-sort");
      if (s === "ascending" || s === "descending") initial = { key: b.getAttribute("data-sort-key"), desc: s === "descending" };
    });
    var sort = initial;

    function sortValue(row, key, col) {
      if (key === "severity" && row.hasAttribute("data-severity-rank")) key = "severity-rank";
      var v = row.getAttribute("data-" + key);
      if (v === null) { var c = row.cells[col]; v = c ? c.textContent : ""; }
      return v.trim();
    }
    function applySort() {
      if (!sort) return;
      var btn = buttons.filter(function (b) { return b.getAttribute("data-sort-key") === sort.key; })[0];
      var col = btn ? btn.closest("th").cellIndex : -1;
      var vals = rows.map(function (r) { return sortValue(r, sort.key, col); });
      var numeric = vals.every(function (v) { return v === "" || isFinite(Number(v)); });
      var order = rows.map(function (r, i) { return i; });
      order.sort(function (a, b) {
        var x = vals[a], y = vals[b];
        if (x === "" || y === "") return (x === "") - (y === "") || rows[a].rbIndex - rows[b].rbIndex; /* empty last */
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
        return (sort.desc ? -c : c) || rows[a].rbIndex - rows[b].rbIndex;
      });
      var frag = document.createDocumentFragment();
      order.forEach(function (i) { frag.appendChild(rows[i]); });
      tbody.appendChild(frag);
      buttons.forEach(function (b) {
        var th = b.closest("th");
        if (b === btn) th.setAttribute("aria-sort", sort.desc ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
    }

    function applyFilters() {
      var shown = 0;
      rows.forEach(function (r) {
        var ok = filters.every(function (f) {
          var want = f.el.value.trim();
          if (!want) return true;
          if (f.text) {
            return want.toLowerCase().split(/\s+/).every(function (t) { return r.rbText.indexOf(t) !== -1; });
          }
          return valuesOf(r, f.attr, f.multi).indexOf(want) !== -1;
        });
        r.hidden = !ok;
        if (ok) shown++;
      });
      filters.forEach(function (f) { f.el.classList.toggle("rb-active", !!f.el.value); });
      if (count) {
        var one = count.getAttribute("data-singular") || "incident", many = count.getAttribute("data-plural") || "incidents";
        var noun = rows.length === 1 ? one : many;
        count.value = (shown === rows.length ? "" : shown + " of ") + rows.length + " " + noun;
      }
      if (empty) empty.hidden = shown !== 0;
    }

    function writeUrl() {
      if (!window.history || !history.replaceState || !window.URLSearchParams) return;
      var p = new URLSearchParams(location.search);
      filters.forEach(function (f) { if (f.el.value.trim()) p.set(f.name, f.el.value.trim()); else p.delete(f.name); });
      var same = !sort || (initial && sort.key === initial.key && sort.desc === initial.desc);
      if (same) p.delete("sort"); else p.set("sort", (sort.desc ? "-" : "") + sort.key);
      var qs = p.toString();
      try { history.replaceState(history.state, "", location.pathname + (qs ? "?" + qs : "") + location.hash); } catch (e) { /* file:// */ }
    }
    function update() { applyFilters(); applySort(); writeUrl(); }

    /* restore from the URL */
    if (window.URLSearchParams) {
      var q = new URLSearchParams(location.search);
      filters.forEach(function (f) {
        var v = q.get(f.name);
        if (v === null) return;
        if (f.text) { f.el.value = v; return; }
        var has = Array.prototype.some.call(f.el.options, function (o) { return o.value === v; });
        if (has) f.el.value = v;
      });
      var s = q.get("sort");
      if (s) {
        var key = s.replace(/^-/, "");
        if (buttons.some(function (b) { return b.getAttribute("data-sort-key") === key; })) sort = { key: key, desc: s.charAt(0) === "-" };
      }
    }

    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.getAttribute("data-sort-key");
        if (sort && sort.key === key) sort = { key: key, desc: !sort.desc };
        else sort = { key: key, desc: b.hasAttribute("data-sort-desc") || !!DEFAULT_DESC[key] };
        applySort(); writeUrl();
      });
    });
    if (form) {
      form.addEventListener("input", update);
      form.addEventListener("change", update);
      form.addEventListener("submit", function (ev) { ev.preventDefault(); });
      form.addEventListener("reset", function () { setTimeout(update, 0); });
    }
    update();
  }
  each(document.querySelectorAll("table.rb-incidents"), initTable);

  /* ---------- 3. print: open every <details> ---------- */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () { opened.forEach(function (d) { d.open = false; }); opened = []; });

  /* ---------- 4. diagnostics overlay ---------- */
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest(".rb-overlay-close");
    var o = b && b.closest("#rb-overlay");
    if (o) o.hidden = true;
  });
  document.addEventListener("keydown", function (ev) {
    var o = document.getElementById("rb-overlay");
    if (ev.key === "Escape" && o && !o.hidden) { o.hidden = true; return; }
    /* 5a. "/" focuses the header search box (not while typing) */
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    var box = document.querySelector(".rb-header-search input, #rb-search-input");
    if (box && box.offsetParent !== null) { ev.preventDefault(); box.focus(); box.select(); }
  });

  /* ---------- 6. phone cards: each cell carries its column's header ---------- */
  function columnLabels(table) {
    var labels = [];
    var taken = []; /* taken[row][col]: a cell of an earlier header row spans into it */
    each(table.tHead ? table.tHead.rows : [], function (tr, ri) {
      var col = 0;
      taken[ri] = taken[ri] || [];
      each(tr.cells, function (th) {
        while (taken[ri][col]) col++;
        var text = th.textContent.replace(/\s+/g, " ").trim();
        for (var c = col; c < col + th.colSpan; c++) {
          labels[c] = labels[c] && labels[c] !== text ? labels[c] + " · " + text : text;
          for (var r = 1; r < th.rowSpan; r++) { taken[ri + r] = taken[ri + r] || []; taken[ri + r][c] = true; }
        }
        col += th.colSpan;
      });
    });
    return labels;
  }
  each(document.querySelectorAll("table.rb-table"), function (table) {
    var labels = columnLabels(table);
    each(table.tBodies, function (tb) {
      each(tb.rows, function (tr) {
        var col = 0;
        each(tr.cells, function (cell) {
          if (labels[col] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[col]);
          col += cell.colSpan;
        });
      });
    });
  });

  /* ---------- 5b. scrollable regions reachable by keyboard ---------- */
  each(document.querySelectorAll(".rb-table-wrap, .rb-scroll, .rb-figure, pre"), function (el) {
    if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
  });
})();
