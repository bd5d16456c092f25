// Polls a background job's JSON status and updates the page; no inline script (CSP).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  function text(id, value) { document.getElementById(id).textContent = value; }
  function show(job) {
    text("job-state", job.state);
    var steps = document.getElementById("job-steps");
    steps.textContent = "";
    job.steps.forEach(function (s) {
      var li = document.createElement("li"); li.textContent = s; steps.appendChild(li);
    });
    text("job-error", job.error || "");
    var result = document.getElementById("job-result");
    result.textContent = "";
    Object.keys(job.result).forEach(function (k) {
      var dt = document.createElement("dt"); dt.textContent = k;
      var dd = document.createElement("dd"); var code = document.createElement("code");
      code.textContent = job.result[k]; dd.appendChild(code);
      result.appendChild(dt); result.appendChild(dd);
    });
  }
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.error && !job.state) { text("job-error", job.error); return; }
        show(job);
        if (job.state === "running") { setTimeout(poll, 500); }
      })
      .catch(function () { text("job-error", "Lost contact with the console; reload the page."); });
  }
  poll();
})();
