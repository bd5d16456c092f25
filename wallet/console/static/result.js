// Long-polls the result page's wait URL and reloads the page when what it shows changes;
// no inline script (CSP), no fixed refresh.
(function () {
  "use strict";
  var box = document.getElementById("result");
  if (!box) { return; }
  var url = box.getAttribute("data-wait-url") + "?shown=" + encodeURIComponent(box.getAttribute("data-shown"));
  function wait() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.changed) { window.location.reload(); return; }
        setTimeout(wait, answer.retry_ms || 0);
      })
      .catch(function () { setTimeout(wait, 5000); });
  }
  wait();
})();
