/* innspill: small behaviours of the app's pages, in a file so that the Content-Security-Policy
   allows no inline script. A button with data-check-all="NAME" ticks every checkbox named NAME. */
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("[data-check-all]") : null;
    if (!button) return;
    var name = button.getAttribute("data-check-all");
    document.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      if (box.name === name) box.checked = true;
    });
  });
})();
