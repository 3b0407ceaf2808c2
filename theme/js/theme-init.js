/* retrobook theme-init.js — loaded without defer in <head>, before the stylesheet, so that the
 * stored colour theme and the rb-js class are on <html> before the first paint (no flash).
 * A file, not an inline snippet: the pages' Content-Security-Policy allows no inline script. */
(function (d) {
  d.classList.add("rb-js");
  try {
    var t = localStorage.getItem("rb-theme");
    if (t === "light" || t === "dark") d.setAttribute("data-theme", t);
  } catch (e) { /* storage disabled */ }
})(document.documentElement);
