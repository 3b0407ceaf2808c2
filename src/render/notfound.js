/* notfound.js — inlined into 404.html (its Content-Security-Policy allows exactly this script by
 * its SHA-256), because a host serves the 404 page at any depth under any prefix and no file URL
 * would resolve there. When the page's links are path-only (site-url "/" or "/repo/"), it finds
 * the site's real root — the longest prefix of this URL under which the page's stylesheet
 * exists — and rewrites the links and the stylesheet to it, and loads the page's scripts from
 * there. An absolute site-url needs none of this. */
(function () {
  "use strict";
  var html = document.documentElement;
  var base = html.getAttribute("data-rb-root") || "/";
  if (/^[a-z]+:/i.test(base) || !window.fetch) return;
  var sheet = document.querySelector("link[rel='stylesheet']");
  var probe = sheet && sheet.getAttribute("href").indexOf(base) === 0 ? sheet.getAttribute("href").slice(base.length) : "";
  if (!probe) return;
  var scripts = Array.prototype.map.call(document.querySelectorAll("script[src]"), function (s) {
    return s.getAttribute("src");
  }).filter(function (src) { return src.indexOf(base) === 0; });
  var dirs = location.pathname.split("/").slice(1, -1);
  var candidates = [];
  for (var i = dirs.length; i >= 0; i--) candidates.push("/" + dirs.slice(0, i).join("/") + (i ? "/" : ""));
  function fix(root) {
    if (root === base) return;
    var attrs = [["a", "href"], ["link", "href"], ["form", "action"]];
    attrs.forEach(function (pair) {
      Array.prototype.forEach.call(document.querySelectorAll(pair[0] + "[" + pair[1] + "]"), function (el) {
        var v = el.getAttribute(pair[1]);
        if (v.indexOf(base) === 0) el.setAttribute(pair[1], root + v.slice(base.length));
      });
    });
    html.setAttribute("data-rb-root", root);
    scripts.forEach(function (src) {
      var s = document.createElement("script");
      s.src = root + src.slice(base.length);
      document.head.appendChild(s);
    });
  }
  (function next(k) {
    if (k >= candidates.length) return;
    fetch(candidates[k] + probe, { method: "HEAD" }).then(function (r) {
      var css = r.ok && /css/.test(r.headers.get("content-type") || "text/css");
      if (css) fix(candidates[k]); else next(k + 1);
    }, function () { next(k + 1); });
  })(0);
})();
