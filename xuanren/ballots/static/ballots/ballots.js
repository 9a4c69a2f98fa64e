// Ballot pages without inline script (the CSP forbids it).
(function () {
  "use strict";
  // Forms that ask before they submit (closing a vote, a new count key).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  // A QR slip opens /ballots/N/vote/#code=XXXXX-XXXXX: the code stays in the
  // browser (a fragment is never sent), is posted once, and leaves the address bar.
  document.addEventListener("DOMContentLoaded", function () {
    var match = /(?:^#|&)code=([A-Za-z0-9-]{5,20})/.exec(window.location.hash);
    var form = document.getElementById("code-form");
    if (!match) return;
    history.replaceState(null, "", window.location.pathname + window.location.search);
    if (!form) return;
    form.querySelector("input[name=code]").value = match[1];
    form.submit();
  });
})();
