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

  /* The moderation queue: a comment's button acts by fetch (the form's CSRF token goes with it)
     and the card shows the new state; when fetch is missing or fails the button submits the form
     as usual. Keys: j / k next and previous card, a approve, r reject, s spam. */
  function queueForm() { return document.querySelector("form[data-queue]"); }

  function cards() { return Array.prototype.slice.call(document.querySelectorAll("article[data-comment]")); }

  function currentCard() {
    var el = document.activeElement;
    return closest(el, "article[data-comment]");
  }

  function moveTo(delta, from) {
    var all = cards();
    if (!all.length) return;
    var i = all.indexOf(from || currentCard());
    var next = all[i < 0 ? 0 : Math.min(all.length - 1, Math.max(0, i + delta))];
    next.focus();
    if (next.scrollIntoView) next.scrollIntoView({block: "nearest"});
  }

  function decide(button) {
    var form = queueForm();
    var card = closest(button, "article[data-comment]");
    if (!form || !card || !window.fetch || !window.FormData) return false;
    var id = card.getAttribute("data-comment");
    var data = new FormData();
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    data.append("csrfmiddlewaretoken", token ? token.value : "");
    data.append("one", button.value);
    ["show", "q", "question", "flag"].forEach(function (name) {
      var el = form.querySelector("input[type=hidden][name=" + name + "]");
      if (el) data.append(name, el.value);
    });
    var rule = card.querySelector("select[data-rule]");
    if (rule) data.append("rule-" + id, rule.value);
    var outcome = card.querySelector(".outcome");
    button.disabled = true;
    fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-Requested-With": "fetch", "Accept": "application/json"}
    }).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body}; });
    }).then(function (res) {
      button.disabled = false;
      if (res.body && res.body.ok) {
        var state = card.querySelector(".state");
        if (state) { state.textContent = res.body.label; state.setAttribute("data-state", res.body.state); }
        card.setAttribute("data-decided", res.body.state);
        if (outcome) outcome.textContent = res.body.label;
        moveTo(1, card);
      } else {
        if (outcome) outcome.textContent = (res.body && res.body.error) || "";
        if (button.getAttribute("data-decide") === "reject" && rule) rule.focus();
      }
    }).catch(function () {
      button.disabled = false;
      submitWith(form, button);
    });
    return true;
  }

  function submitWith(form, button) {
    if (form.requestSubmit) { form.requestSubmit(button); return; }
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
    form.appendChild(hidden);
    form.submit();
  }

  document.addEventListener("click", function (ev) {
    var button = closest(ev.target, "button[data-decide]");
    if (button && decide(button)) ev.preventDefault();
  });

  document.addEventListener("keydown", function (ev) {
    if (!queueForm() || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var key = ev.key;
    if (key === "j" || key === "k") { ev.preventDefault(); moveTo(key === "j" ? 1 : -1); return; }
    var action = {a: "approve", r: "reject", s: "spam"}[key];
    if (!action) return;
    var card = currentCard();
    if (!card) return;
    var button = card.querySelector("button[data-decide=" + action + "]");
    if (button) { ev.preventDefault(); if (!decide(button)) submitWith(queueForm(), button); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
