// "Copy the token" for a new API token (shown once, at the top of Settings). The button is
// hidden in the page and shown here, so without JavaScript there is no dead button: the
// token stays selectable text. Where the clipboard is refused, the token is selected and
// the person is told to copy it by hand.
(function () {
  "use strict";
  var token = document.getElementById("new-token");
  var button = document.getElementById("copy-token");
  var status = document.getElementById("copy-token-status");
  if (!token || !button || !status) { return; }

  function select() {
    var range = document.createRange();
    range.selectNodeContents(token);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function byHand() {
    select();
    status.textContent = "Your browser did not let the page copy it: the token is selected, " +
      "press Ctrl+C (or ⌘C) to copy it.";
  }

  function copied() {
    status.textContent = "Copied. Paste it into your program now; it is not shown again.";
  }

  function oldWay() {
    select();
    try {
      if (document.execCommand("copy")) { copied(); return; }
    } catch (error) {
      // Some browsers throw instead of returning false; either way, copy by hand.
    }
    byHand();
  }

  button.addEventListener("click", function () {
    var text = token.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied, oldWay);
    } else {
      oldWay();
    }
  });
  button.hidden = false;
})();
