/* Behaviour that used to sit in inline handlers, moved here so that the
   Content-Security-Policy can forbid inline script (issue 10). */
"use strict";
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    event.preventDefault();
    window.print();
  }
});
