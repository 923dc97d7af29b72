/* innspill: small behaviours of the app's pages, in a file so that the Content-Security-Policy
   allows no inline script. Every page works without it.
   - A button with data-check-all="NAME" ticks every checkbox named NAME.
   - The error summary ([data-error-summary]) takes focus when the page loads.
   - data-add-row="PREFIX" adds a row to a Django formset from <template id="PREFIX-empty-row">;
     data-remove-row empties and hides a new row (an empty row is skipped when saved).
   - The moderation queue: per-comment buttons that act without a reload, and j/k/a/r/s. */
(function () {
  "use strict";

  function closest(el, sel) { return el && el.closest ? el.closest(sel) : null; }

  document.addEventListener("click", function (ev) {
    var button = closest(ev.target, "[data-check-all]");
    if (button) {
      var name = button.getAttribute("data-check-all");
      document.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box.name === name) box.checked = true;
      });
      return;
    }
    button = closest(ev.target, "[data-add-row]");
    if (button) { addRow(button.getAttribute("data-add-row")); return; }
    button = closest(ev.target, "[data-remove-row]");
    if (button) { removeRow(closest(button, "[data-row]")); }
  });

  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var tpl = document.getElementById(prefix + "-empty-row");
    var rows = document.querySelector("[data-formset='" + prefix + "']");
    if (!total || !tpl || !rows) return;
    var n = parseInt(total.value, 10);
    var box = document.createElement("div");
    box.innerHTML = tpl.innerHTML.replace(/__prefix__/g, String(n));
    var row = box.firstElementChild;
    rows.appendChild(row);
    total.value = String(n + 1);
    var first = row.querySelector("textarea, input:not([type=hidden])");
    if (first) first.focus();
  }

  function removeRow(row) {
    if (!row) return;
    row.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.type === "hidden") return;
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = o.defaultSelected; });
      } else if (el.type === "checkbox") {
        el.checked = el.defaultChecked;
      } else {
        el.value = "";
      }
    });
    row.hidden = true;
    var next = document.querySelector("[data-add-row]");
    if (next) next.focus();
  }

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      if (summary.scrollIntoView) summary.scrollIntoView({block: "start"});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
