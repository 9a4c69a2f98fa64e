/* The step forms of the case page: rows added ("增加一行") and removed
   ("删除") in a Django formset, and the cadre picker (search results come
   from the server through htmx; choosing one is done here). No inline
   script: the Content-Security-Policy forbids it. */
"use strict";
(function () {
  function changed(element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function addRow(fieldset) {
    var prefix = fieldset.getAttribute("data-prefix");
    var total = fieldset.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var max = fieldset.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var template = fieldset.querySelector("template[data-row-template]");
    var body = fieldset.querySelector("tbody[data-rows]");
    if (!total || !template || !body) return;
    var n = parseInt(total.value, 10) || 0;
    if (max && n >= (parseInt(max.value, 10) || 1000)) return;
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(n)));
    total.value = String(n + 1);
    var rows = body.querySelectorAll("tr[data-row]");
    var row = rows[rows.length - 1];
    if (window.htmx && row) window.htmx.process(row);
    var empty = fieldset.querySelector("[data-rows-empty]");
    if (empty) empty.hidden = true;
    var first = row ? row.querySelector("input:not([type=hidden]), select") : null;
    if (first) first.focus();
  }

  function removeRow(row) {
    var flag = row.querySelector('input[name$="-DELETE"]');
    if (!flag) return;
    flag.value = "on";
    row.hidden = true;
    var next = row.nextElementSibling;
    if (next && !next.hasAttribute("data-row")) next.hidden = true;
    changed(flag);
  }

  function choose(option) {
    var picker = option.closest("[data-picker]");
    if (!picker) return;
    var value = picker.querySelector("[data-picker-value]");
    var label = picker.querySelector("[data-picker-label]");
    var clear = picker.querySelector("[data-picker-clear]");
    var results = picker.querySelector("[data-picker-results]");
    var search = picker.querySelector(".picker-q");
    value.value = option.getAttribute("data-picker-id");
    label.textContent = option.getAttribute("data-picker-text");
    if (clear) clear.hidden = false;
    if (results) results.innerHTML = "";
    if (search) search.value = "";
    changed(value);
  }

  function clearPick(button) {
    var picker = button.closest("[data-picker]");
    if (!picker) return;
    var value = picker.querySelector("[data-picker-value]");
    var label = picker.querySelector("[data-picker-label]");
    value.value = "";
    label.textContent = label.getAttribute("data-empty") || "";
    button.hidden = true;
    changed(value);
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var hit = target.closest("[data-row-add]");
    if (hit) { event.preventDefault(); addRow(hit.closest("[data-rowset]")); return; }
    hit = target.closest("[data-row-remove]");
    if (hit) { event.preventDefault(); removeRow(hit.closest("tr")); return; }
    hit = target.closest(".picker-option");
    if (hit) { event.preventDefault(); choose(hit); return; }
    hit = target.closest("[data-picker-clear]");
    if (hit) { event.preventDefault(); clearPick(hit); }
  });

  // Typing in a picker's search box is not a change of the step's data:
  // keep it from re-running the guard preview, and Enter from submitting.
  document.addEventListener("change", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.classList.contains("picker-q")) event.stopPropagation();
  }, true);
  document.addEventListener("keydown", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.classList.contains("picker-q") && event.key === "Enter") {
      event.preventDefault();
    }
  });
})();
