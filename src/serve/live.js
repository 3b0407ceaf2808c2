// retrobook serve: live reload. Added to served pages only, never to a built site.
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = Number((me && me.getAttribute("data-generation")) || 0);
  var key = "rb-live-scroll:" + location.pathname + location.search;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      var restore = function () { window.scrollTo(0, Number(saved)); };
      if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
    }
  } catch (e) { /* storage unavailable: reload without keeping the position */ }

  function reload() {
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) { /* ignore */ }
    location.reload();
  }

  function clear() {
    var o = document.getElementById("rb-live-overlay");
    if (o) o.remove();
  }

  function overlay(diags) {
    clear();
    var errors = diags.filter(function (d) { return d.level === "error"; });
    var box = document.createElement("div");
    box.id = "rb-live-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,20,.94);color:#fff;font:15px/1.5 system-ui,sans-serif";
    var h = document.createElement("h2");
    h.textContent = "The book has " + errors.length + (errors.length === 1 ? " error" : " errors") +
      " — showing the last good build";
    h.style.cssText = "margin:0 0 1rem;color:#ffb4ab;font-size:1.3rem";
    box.appendChild(h);
    var ul = document.createElement("ul");
    ul.style.cssText = "margin:0;padding-left:1.2rem";
    errors.forEach(function (d) {
      var li = document.createElement("li");
      var where = document.createElement("code");
      where.textContent = d.file + ":" + d.line + ":" + d.column;
      where.style.cssText = "color:#9fd3ff;margin-right:.5rem";
      li.appendChild(where);
      li.appendChild(document.createTextNode(d.message));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    var p = document.createElement("p");
    p.textContent = "Fix the file and save: this page updates by itself.";
    box.appendChild(p);
    (document.body || document.documentElement).appendChild(box);
  }

  if (!window.EventSource) return;
  var source = new EventSource("/__retrobook/events");
  source.addEventListener("hello", function (e) {
    var d = JSON.parse(e.data);
    if (d.errors) overlay(d.errors); else clear();
    // A rebuild finished between this page's request and this connection.
    if (!d.errors && d.generation > generation) reload();
  });
  source.addEventListener("reload", reload);
  source.addEventListener("errors", function (e) { overlay(JSON.parse(e.data)); });
  source.addEventListener("ok", clear);
})();
