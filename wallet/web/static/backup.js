// "Back up now" without leaving the page: the form is posted with fetch, a refusal shows
// its message in place of the last one, and a backup is handed to the browser as a
// download with a line saying it was made. Without JavaScript the form posts as before.
(function () {
  "use strict";
  var form = document.getElementById("backup-now-form");
  var status = document.getElementById("backup-now-status");
  if (!form || !status || !window.fetch) { return; }

  function say(text, kind) {
    var old = document.getElementById("page-error");
    if (old) { old.remove(); }
    status.textContent = text;
    status.className = kind;
    status.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  function fileName(response) {
    var found = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
    return found ? found[1] : "tessera-backup.tessera";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say("Making your backup…", "notice");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/octet-stream") === 0) {
          var name = fileName(response);
          return response.blob().then(function (blob) {
            var link = document.createElement("a");
            link.href = URL.createObjectURL(blob);
            link.download = name;
            document.body.appendChild(link);
            link.click();
            link.remove();
            setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
            form.reset();
            say("Backup made and downloaded as " + name + " (" +
                Math.max(1, Math.round(blob.size / 1024)) + " KB). Keep it with your backup passphrase.",
                "flash");
          });
        }
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var error = page.getElementById("page-error");
          say(error ? error.textContent : "The backup could not be made (error " + response.status + ").",
              "error");
        });
      })
      .catch(function () { say("Lost contact with the wallet; try again.", "error"); })
      .finally(function () { button.disabled = false; });
  });
})();
