// Live refresh: every data-refresh seconds, while the tab is visible, no
// <details> is open and no form is being filled in, fetch the page again
// and swap in its <main>.
(function () {
  var secs = Number(document.body.getAttribute("data-refresh")) || 0;
  if (!secs || !window.fetch || !window.DOMParser) return;
  setInterval(function () {
    // Nor while someone fills in a form (an action's dates).
    var busy = document.activeElement && document.activeElement.closest && document.activeElement.closest("main form");
    if (document.hidden || busy || document.querySelector("main details[open]")) return;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        // Sent elsewhere (the session ended): show that page whole.
        if (r.redirected) { location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
        var main = document.getElementById("main");
        if (fresh && main) main.replaceWith(fresh);
      })
      .catch(function () {});
  }, secs * 1000);
})();
