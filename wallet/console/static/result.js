// Long-polls the result page's wait URL; when what the page shows changes, fetches the page
// again and replaces its result section in place (no reload), announcing the new state in a
// polite live region. No inline script (CSP), no fixed refresh.
(function () {
  "use strict";
  var box = document.getElementById("result");
  if (!box) { return; }
  var news = document.getElementById("result-news");
  function waitUrl() {
    return box.getAttribute("data-wait-url") + "?shown=" + encodeURIComponent(box.getAttribute("data-shown"));
  }
  function update(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var heading = fresh.getElementById("result");
    var body = fresh.getElementById("result-body");
    if (!heading || !body) { return false; }
    document.getElementById("result-body").replaceWith(document.importNode(body, true));
    box.textContent = heading.textContent;
    document.title = fresh.title;
    box.setAttribute("data-shown", heading.getAttribute("data-shown"));
    box.setAttribute("data-finished", heading.getAttribute("data-finished"));
    var verdict = document.getElementById("verdict");
    if (news) { news.textContent = "Updated: " + (verdict ? verdict.textContent : heading.textContent); }
    return true;
  }
  function refresh() {
    return fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(update);
  }
  function wait() {
    fetch(waitUrl(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (!answer.changed) { setTimeout(wait, answer.retry_ms || 0); return null; }
        return refresh().then(function (ok) {
          if (ok && box.getAttribute("data-finished") !== "yes") { wait(); }
        });
      })
      .catch(function () { setTimeout(wait, 5000); });
  }
  wait();
})();
