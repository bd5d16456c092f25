// Live updates: long-poll /live/wait (woken by the agent's webhooks), update badges and inbox lists.
(function () {
  "use strict";
  var url = document.body.getAttribute("data-live-url");
  if (!url) { return; }
  var seq = -1;

  var known = null;  // ids seen so far, by kind; the first answer only sets them

  function setBadge(id, count) {
    var el = document.getElementById(id);
    if (!el) { return; }
    // "Requests 2 waiting" to a screen reader, "Requests 2" on screen.
    el.textContent = String(count);
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = " waiting";
    el.appendChild(words);
    el.hidden = count === 0;
  }

  function arrived(kind, items) {
    var fresh = items.filter(function (item) { return !known[kind][item.id]; });
    items.forEach(function (item) { known[kind][item.id] = true; });
    if (fresh.length === 1) {
      return "New " + kind + " from " + fresh[0]["from"] + ": " + fresh[0].title + ".";
    }
    return fresh.length > 1 ? fresh.length + " new " + kind + "s." : "";
  }

  function announce(body) {
    // New requests and offers are said politely in the live region (not the first load).
    if (known === null) {
      known = { request: {}, offer: {} };
      arrived("request", body.requests);
      arrived("offer", body.offers);
      document.body.setAttribute("data-live", "ready");
      return;
    }
    var news = [arrived("request", body.requests), arrived("offer", body.offers)]
      .filter(function (text) { return text; }).join(" ");
    var region = document.getElementById("live-news");
    if (news && region) { region.textContent = news; }
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
        announce(body);
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
