// Live updates: long-poll /live/wait (woken by the agent's webhooks), update badges and inbox lists.
(function () {
  "use strict";
  var url = document.body.getAttribute("data-live-url");
  if (!url) { return; }
  var seq = -1;

  function setBadge(id, count) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.textContent = String(count);
    el.hidden = count === 0;
  }

  function fillList(id, items, base, empty) {
    var list = document.getElementById(id);
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (items.length === 0) {
      var none = document.createElement("li");
      none.className = "empty";
      none.textContent = empty;
      list.appendChild(none);
      return;
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + encodeURIComponent(item.id);
      a.textContent = item.title + " from " + item["from"];
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function poll() {
    fetch(url + "?since=" + seq, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        seq = body.seq;
        setBadge("badge-offers", body.offers.length);
        setBadge("badge-requests", body.requests.length);
        fillList("live-offers", body.offers, "/offers/", "No offers waiting.");
        fillList("live-requests", body.requests, "/requests/", "No requests waiting.");
        poll();
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
}());
