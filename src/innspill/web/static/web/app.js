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
    showOptions(row);
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

  /* a question row's options are asked for only where its kind has them (scale, multiple choice) */
  function showOptions(row) {
    var kind = row.querySelector("select[name$=-kind]"), box = row.querySelector("[data-options]");
    if (!kind || !box) return;
    var used = kind.value === "scale" || kind.value === "choice";
    var has = box.querySelector("textarea") && box.querySelector("textarea").value.trim();
    box.hidden = !used && !has && !box.classList.contains("has-error");
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[name$=-kind]")) {
      var row = closest(ev.target, "[data-row]");
      if (row) showOptions(row);
    }
  });
  function allOptions() { document.querySelectorAll("[data-row]").forEach(showOptions); }

  function start() { focusSummary(); allOptions(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* The review: move or split an answer by selecting text (issue 20). Each comment's tools
   ([data-select-tools], hidden without this script; the character-position form stays as the
   fallback) post to the correction URL: "move" with the selection's start and end in the analysed
   text (the question marks in <sup> are not part of it), or "split" at the selection's start. */
(function () {
  "use strict";
  var tools = document.querySelectorAll("[data-select-tools]");
  if (!tools.length || !window.getSelection || !document.createRange) return;
  var last = null; // {article, start, end} of the latest selection inside a comment's text

  function textOf(article) { return article.querySelector("[data-text]"); }

  function offset(root, node, off) {
    var r = document.createRange();
    r.setStart(root, 0);
    r.setEnd(node, off);
    var frag = r.cloneContents();
    Array.prototype.forEach.call(frag.querySelectorAll("sup"), function (s) { s.parentNode.removeChild(s); });
    return frag.textContent.length;
  }

  function remember() {
    var sel = window.getSelection();
    if (!sel || !sel.rangeCount) return;
    var range = sel.getRangeAt(0);
    var article = range.commonAncestorContainer.nodeType === 1 ? range.commonAncestorContainer
      : range.commonAncestorContainer.parentNode;
    article = article && article.closest ? article.closest("[data-review-comment]") : null;
    var root = article ? textOf(article) : null;
    if (!root || !root.contains(range.startContainer) || !root.contains(range.endContainer)) return;
    var s = offset(root, range.startContainer, range.startOffset);
    var e = offset(root, range.endContainer, range.endOffset);
    last = {article: article, start: Math.min(s, e), end: Math.max(s, e)};
  }

  document.addEventListener("selectionchange", remember);
  document.addEventListener("mouseup", remember);
  document.addEventListener("keyup", remember);

  function say(box, msg) {
    var out = box.querySelector(".outcome");
    if (out) out.textContent = msg;
  }

  function post(box, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = box.getAttribute("data-action");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    fields.csrfmiddlewaretoken = token ? token.value : "";
    Object.keys(fields).forEach(function (k) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = k; input.value = String(fields[k]);
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  Array.prototype.forEach.call(tools, function (box) {
    box.hidden = false;
    box.addEventListener("click", function (ev) {
      var button = ev.target.closest ? ev.target.closest("button") : null;
      if (!button) return;
      var article = box.closest("[data-review-comment]");
      var sel = last && last.article === article ? last : null;
      if (button.hasAttribute("data-move-to")) {
        if (!sel || sel.end <= sel.start) { say(box, box.getAttribute("data-need-passage") || ""); return; }
        post(box, {kind: "move", target: button.getAttribute("data-move-to"), start: sel.start, end: sel.end});
      } else if (button.hasAttribute("data-split")) {
        if (!sel) { say(box, box.getAttribute("data-need-place") || ""); return; }
        var target = box.querySelector("[data-split-target]");
        post(box, {kind: "split", target: target ? target.value : "", start: sel.start});
      }
    });
  });
})();

/* The consultation form: ↑ / ↓ move a question row (without this script they post the form,
   which comes back reordered). The row moves among the rows with a question, the two rows swap
   their "No.", and every blank "No." is first filled in as the server would number it. */
(function () {
  "use strict";
  function rows(box) {
    return Array.prototype.filter.call(box.querySelectorAll("[data-row]"), function (r) { return !r.hidden; });
  }
  function field(row, name) { return row.querySelector("[name$='-" + name + "']"); }
  function hasText(row) { var t = field(row, "text"); return !!(t && t.value.trim()); }
  function fillNumbers(list) {
    var used = {}, last = 0;
    list.forEach(function (r) { var n = parseInt(field(r, "number").value, 10); if (n > 0) used[n] = true; });
    list.forEach(function (r) {
      var input = field(r, "number"), n = parseInt(input.value, 10);
      if (!(n > 0) && hasText(r)) {
        n = last + 1;
        while (used[n]) n += 1;
        used[n] = true;
        input.value = String(n);
      }
      if (n > last) last = n;
    });
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("[data-move-row]") : null;
    if (!button) return;
    var row = button.closest("[data-row]"), box = row && row.closest("[data-formset]");
    if (!box) return;
    ev.preventDefault();
    var all = rows(box);
    fillNumbers(all);
    var withText = all.filter(hasText);
    var i = withText.indexOf(row);
    if (i < 0) return;
    var other = withText[button.getAttribute("data-move-row") === "up" ? i - 1 : i + 1];
    if (!other) return;
    var a = field(row, "number"), b = field(other, "number"), n = a.value;
    a.value = b.value; b.value = n;
    if (button.getAttribute("data-move-row") === "up") box.insertBefore(row, other);
    else box.insertBefore(row, other.nextSibling);
    button.focus();
  });
})();
