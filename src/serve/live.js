// retrobook serve: live reload. Added to served pages only, never to a built site.
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = Number((me && me.getAttribute("data-generation")) || 0);
  var key = "rb-live-scroll:" + location.pathname + location.search;

  // Keep the reader's place across a reload. The browser's own restoration races ours (and the
  // theme's smooth scrolling turns a jump into a slow animation), so this page takes it over:
  // restore instantly, re-apply while late images and SVGs change the layout, and stop the
  // moment the reader scrolls on their own.
  function jump(y) {
    try { window.scrollTo({ top: y, left: 0, behavior: "instant" }); } catch (e) { window.scrollTo(0, y); }
  }
  function restore(y) {
    var done = false;
    var stop = function () {
      done = true;
      ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (t) {
        window.removeEventListener(t, stop, true);
      });
    };
    ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (t) {
      window.addEventListener(t, stop, true);
    });
    var start = Date.now();
    var lastHeight = -1;
    var stable = 0;
    (function settle() {
      if (done) return;
      var h = document.documentElement.scrollHeight;
      if (Math.abs(window.scrollY - y) > 1) jump(y);
      // Settled: after the load event, the place is reached and the layout kept its height for
      // a few frames. A page that no longer reaches that far is retried until the time limit.
      var there = Math.abs(window.scrollY - y) <= 1;
      stable = there && h === lastHeight && document.readyState === "complete" ? stable + 1 : 0;
      lastHeight = h;
      if (stable >= 5 || Date.now() - start > 3000) return stop();
      window.requestAnimationFrame(settle);
    })();
  }
  try {
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      restore(Number(saved));
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
    document.documentElement.setAttribute("data-rb-live", "connected");
    if (d.errors) overlay(d.errors); else clear();
    // A rebuild finished between this page's request and this connection.
    if (!d.errors && d.generation > generation) reload();
  });
  source.addEventListener("reload", reload);
  source.addEventListener("errors", function (e) { overlay(JSON.parse(e.data)); });
  source.addEventListener("ok", clear);
})();
