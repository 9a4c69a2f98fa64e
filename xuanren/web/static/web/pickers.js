/* The unit picker of the cadre search and 可任职位 forms (decision 0109):
   suggestions come from the server through htmx; choosing one is done here.
   Typing in the search box must not re-run the form it sits in.
   No inline script: the Content-Security-Policy forbids it. */
"use strict";
(function () {
  function changed(element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function parts(element) {
    var picker = element.closest(".unit-picker[data-picker]");
    if (!picker) return null;
    return {
      value: picker.querySelector("[data-picker-value]"),
      label: picker.querySelector("[data-picker-label]"),
      clear: picker.querySelector("[data-picker-clear]"),
      results: picker.querySelector("[data-picker-results]"),
      search: picker.querySelector(".picker-q")
    };
  }

  function choose(option) {
    var p = parts(option);
    if (!p) return;
    p.value.value = option.getAttribute("data-picker-id");
    p.label.textContent = option.getAttribute("data-picker-text");
    if (p.clear) p.clear.hidden = false;
    if (p.results) p.results.innerHTML = "";
    if (p.search) p.search.value = "";
    changed(p.value);
  }

  function clearPick(button) {
    var p = parts(button);
    if (!p) return;
    p.value.value = "";
    p.label.textContent = p.label.getAttribute("data-empty") || "";
    button.hidden = true;
    changed(p.value);
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target || !target.closest(".unit-picker")) return;
    var hit = target.closest(".picker-option");
    if (hit) { event.preventDefault(); choose(hit); return; }
    hit = target.closest("[data-picker-clear]");
    if (hit) { event.preventDefault(); clearPick(hit); }
  });

  // The search box's own htmx listener runs on the box; stopping the events
  // there keeps them from reaching the form's hx-trigger.
  function guard(root) {
    var boxes = root.querySelectorAll ? root.querySelectorAll(".unit-picker .picker-q") : [];
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.hasAttribute("data-guarded")) return;
      box.setAttribute("data-guarded", "");
      ["input", "change", "search"].forEach(function (name) {
        box.addEventListener(name, function (event) { event.stopPropagation(); });
      });
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { guard(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target instanceof Element) guard(event.target);
  });
})();
