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
  // Over-selection is shown while choosing (docs/decisions/0055): per
  // section (a post on a decision ballot), agreeing or chosen marks and
  // filled write-ins beyond its limit show the message next to the post and
  // disable the button, before "确认投票". The server refuses it anyway.
  function checkLimits(form) {
    var over = false;
    form.querySelectorAll(".ballot-section").forEach(function (section) {
      var max = parseInt(section.getAttribute("data-max"), 10);
      var message = section.querySelector(".over-limit");
      if (!max || !message) return;
      var n = section.querySelectorAll(
        "input[type=checkbox][value=chosen]:checked, input[type=radio][value=agree]:checked"
      ).length;
      section.querySelectorAll("input.write-in").forEach(function (input) {
        n += input.value.split(/[、,，\s]+/).filter(function (x) { return x; }).length;
      });
      message.hidden = n <= max;
      section.classList.toggle("is-over", n > max);
      if (n > max) over = true;
    });
    var button = form.querySelector("#ballot-next");
    if (button) button.disabled = over;
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("#ballot-form");
    if (form) checkLimits(form);
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("#ballot-form");
    if (form) checkLimits(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ballot-form");
    if (form) checkLimits(form);
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
