/* innspill live debate: participant page, projector and presenter counts.
   Live updates by Server-Sent Events; when the stream fails for good, or there is no EventSource,
   the page polls state.json. After every reconnect the page fetches state.json again, so a phone
   that lost its connection shows the current statement and its own votes (kept in the database,
   identity kept by the cookie). A vote that could not be sent is kept and sent when the
   connection is back. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("live-config").textContent);
  var L = cfg.labels || {};
  var $ = function (id) { return document.getElementById(id); };
  var state = null, me = null, pending = null, es = null, pollTimer = null, lastSerial = null;
  var ackedAt = {};  // statement id -> when the server confirmed this phone's last vote on it

  function csrf() {
    var el = document.querySelector("[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify(body)}).then(function (r) {
        return r.json().then(function (j) { j._status = r.status; return j; });
      });
  }

  function setConn(text) {
    var el = $("conn");
    if (!el) return;
    el.hidden = !text;
    el.textContent = text || "";
  }

  function text(el, value) { if (el) el.textContent = value; }

  function bars(box, st) {
    if (!box) return;
    if (!st || !st.counts) { box.hidden = true; box.innerHTML = ""; return; }
    var n = st.counts, total = n.total || 0, rows = L[st.kind] || L.statement;
    var key = {"1": "agree", "-1": "disagree", "0": "pass"};
    box.innerHTML = "";
    rows.forEach(function (row) {
      var count = n[key[String(row[0])]] || 0, share = total ? count / total : 0;
      var line = document.createElement("div");
      line.className = "bar bar-" + key[String(row[0])];
      line.setAttribute("data-vote", row[0]);
      var label = document.createElement("span"); label.className = "bar-label"; label.textContent = row[1];
      var track = document.createElement("span"); track.className = "bar-track";
      var fill = document.createElement("span"); fill.className = "bar-fill"; fill.style.width = (share * 100).toFixed(1) + "%";
      track.appendChild(fill);
      var num = document.createElement("span"); num.className = "bar-count"; num.textContent = count + " (" + Math.round(share * 100) + " %)";
      line.appendChild(label); line.appendChild(track); line.appendChild(num);
      box.appendChild(line);
    });
    var tot = document.createElement("p"); tot.className = "bar-total"; tot.id = "total-votes";
    tot.textContent = total + " " + L.votes; box.appendChild(tot);
    box.hidden = false;
  }

  function renderStatement(s) {
    var st = s.statement;
    text($("progress"), st ? st.number + " " + L.of + " " + st.of : "");
    var note = "";
    if (s.state === "ended") { text($("statement-text"), L.ended); }
    else if (!st) { text($("statement-text"), s.state === "draft" ? L.draft : L.waiting); }
    else {
      text($("statement-text"), st.text);
      if (st.locked) note = L.locked;
      else if (!st.counts) note = L.hidden;
    }
    var stEl = $("statement-text");
    if (stEl) {
      stEl.setAttribute("data-statement", st ? st.id : "");
      // a long statement in smaller type, so that the projector's one screen still holds the groups
      var n = st ? st.text.length : 0;
      stEl.className = "statement-text" + (n > 220 ? " very-long" : n > 110 ? " long" : "");
    }
    text($("note"), note);
    bars($("bars"), st);
  }

  /* participant --------------------------------------------------------------------------- */
  function renderVoteButtons() {
    var box = $("vote-buttons");
    if (!box || !state) return;
    var st = state.statement;
    box.innerHTML = "";
    var mine = st && me ? me.votes[String(st.id)] : undefined;
    if (pending && st && pending.statement === st.id) mine = pending.vote;
    if (st && state.state !== "ended") {
      (L[st.kind] || L.statement).forEach(function (row) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "vote vote-" + row[0]; b.textContent = row[1];
        b.setAttribute("data-vote", row[0]);
        b.setAttribute("aria-pressed", mine === row[0] ? "true" : "false");
        b.disabled = !!st.locked || state.state !== "live";
        b.addEventListener("click", function () { vote(st.id, row[0]); });
        box.appendChild(b);
      });
    }
    var my = $("my-vote");
    if (my) {
      my.setAttribute("data-vote", mine === undefined ? "" : mine);
      my.textContent = (st && mine !== undefined) ? L.your_vote + " " + L.words[String(mine)][st.kind] +
        (pending ? " — " + L.unsent : "") : "";
    }
  }

  function renderIdeas() {
    var ul = $("idea-list");
    if (!ul || !state) return;
    ul.innerHTML = "";
    (state.ideas || []).forEach(function (i) {
      var li = document.createElement("li");
      li.setAttribute("data-idea", i.id);
      var t = document.createElement("span"); t.textContent = i.text + " ";
      var b = document.createElement("button"); b.type = "button"; b.className = "upvote";
      var done = me && me.upvoted.indexOf(i.id) >= 0;
      b.textContent = (done ? L.upvoted : L.upvote) + " (" + i.upvotes + ")";
      b.setAttribute("aria-pressed", done ? "true" : "false");
      if (done) b.title = L.withdraw_upvote;
      b.addEventListener("click", function () {  // a second click withdraws the upvote
        post(cfg.upvote.replace(/\/0\/upvote$/, "/" + i.id + "/upvote"), {on: !done}).then(function (j) {
          if (!j.ok || !me) return;
          if (j.upvoted) { if (me.upvoted.indexOf(i.id) < 0) me.upvoted.push(i.id); }
          else { me.upvoted = me.upvoted.filter(function (x) { return x !== i.id; }); }
          i.upvotes += j.changed ? (j.upvoted ? 1 : -1) : 0;
          renderIdeas();
        });
      });
      li.appendChild(t); li.appendChild(b); ul.appendChild(li);
    });
  }

  function vote(statement, value) {
    pending = {statement: statement, vote: value};
    renderVoteButtons();
    sendPending();
  }

  function sendPending() {
    if (!pending) return;
    var p = pending;
    post(cfg.vote, p).then(function (j) {
      if (pending === p) pending = null;
      if (j.ok) {
        if (me) me.votes[String(j.statement)] = j.vote;
        ackedAt[String(j.statement)] = Date.now();
        setConn("");
      }
      else { text($("note"), j.error || "error"); }
      renderVoteButtons();
    }).catch(function () {
      setConn(L.offline);
      renderVoteButtons();
    });
  }

  /* projector ----------------------------------------------------------------------------- */
  var COLOURS = ["#0b57d0", "#d93025", "#188038", "#e37400", "#8430ce"];
  function fmt(template, values) {  // "%(n)s of %(total)s agree" with {n: 9, total: 12}
    return String(template || "").replace(/%\((\w+)\)s/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }
  function wordsList(items) {  // "3, 2, 2 and 1"
    items = items.map(String);
    if (items.length < 2) return items.join("");
    return fmt(L.and, {first: items.slice(0, -1).join(", "), last: items[items.length - 1]});
  }
  function groupsLine(sizes) { return fmt(L.groups_line, {k: sizes.length, sizes: wordsList(sizes)}); }
  function item(ul, main, detail, cls) {
    var li = document.createElement("li");
    var t = document.createElement("span"); t.className = "item-text"; t.textContent = main; li.appendChild(t);
    if (detail) {
      var d = document.createElement("span"); d.className = "item-detail" + (cls ? " " + cls : "");
      d.textContent = detail; li.appendChild(d);
    }
    ul.appendChild(li);
  }
  function fitLists(lists) {  // what does not fit on the screen is left out (the longer list first), not cut off
    var a = $("consensus"), d = $("divisive"), guard = 10;
    while (lists && lists.scrollHeight > lists.clientHeight + 1 && guard-- > 0) {
      var victim = d.children.length > 1 && d.children.length >= a.children.length ? d : (a.children.length > 1 ? a : null);
      if (!victim) break;
      victim.removeChild(victim.lastElementChild);
    }
  }
  function renderGroups(s) {
    var box = $("groups-box");
    if (!box) return;
    text($("participants"), s.active === undefined ? s.participants : s.active);
    var g = s.groups;
    var wait = $("groups-wait");
    if (wait) {
      var w = s.groups_wait;
      wait.hidden = !!g || !w || s.state === "draft";
      text($("groups-wait-text"), w && L.wait ? fmt(L.wait[w.code], w) : "");
    }
    box.hidden = !g;
    if (!g) return;
    text($("consensus-rule"), fmt(L.consensus_rule, {p: s.threshold}));
    var ul = $("consensus"); ul.innerHTML = "";
    (s.consensus || []).slice(0, 3).forEach(function (c) {
      var words = (L.count[c.kind] || L.count.statement)[c.direction];
      item(ul, c.text, fmt(words, {n: c.n, total: c.total}), "dir-" + c.direction);
    });
    if (!(s.consensus || []).length) item(ul, L.none_yet, "");
    ul = $("divisive"); ul.innerHTML = "";
    (s.divisive || []).slice(0, 3).forEach(function (d) {
      var shares = (d.agree_shares || []).map(function (x, i) {
        return String.fromCharCode(65 + i) + " " + Math.round(x * 100) + " %";
      });
      item(ul, d.text, fmt(d.kind === "question" ? L.yes_by_group : L.agree_by_group, {shares: shares.join(", ")}));
    });
    if (!(s.divisive || []).length) item(ul, L.none_yet, "");
    fitLists(box.querySelector(".lists"));
    var svg = $("scatter");
    svg.innerHTML = "";
    var max = 0;
    g.points.forEach(function (p) { max = Math.max(max, Math.abs(p[0]), Math.abs(p[1])); });
    max = max || 1;
    g.points.forEach(function (p) {
      var c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      c.setAttribute("cx", (p[0] / max).toFixed(3)); c.setAttribute("cy", (-p[1] / max).toFixed(3));
      c.setAttribute("r", "0.035"); c.setAttribute("fill", COLOURS[p[2] % COLOURS.length]); c.setAttribute("fill-opacity", "0.7");
      svg.appendChild(c);
    });
    var sizes = $("group-sizes");
    sizes.textContent = groupsLine(g.sizes) + " ";
    g.sizes.forEach(function (n, i) {  // a colour key: A, B, … in the dots' colours
      var k = document.createElement("span"); k.className = "key";
      var dot = document.createElement("span"); dot.className = "dot"; dot.style.background = COLOURS[i % COLOURS.length];
      k.appendChild(dot); k.appendChild(document.createTextNode(L.group + " " + String.fromCharCode(65 + i)));
      sizes.appendChild(k);
    });
  }

  /* updates ------------------------------------------------------------------------------- */
  function apply(s) {
    if (s.me) me = s.me;
    state = s;
    renderStatement(s);
    if (cfg.view === "participant") { renderVoteButtons(); renderIdeas(); }
    if (cfg.view === "projector") renderGroups(s);
    document.body.setAttribute("data-serial", s.serial || lastSerial || "");
  }

  function fetchState() {
    var asked = Date.now();
    return fetch(cfg.state, {credentials: "same-origin", cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        // an answer asked for before a vote was confirmed may not hold it yet: keep the confirmed one
        if (s.me && me) Object.keys(ackedAt).forEach(function (k) {
          if (ackedAt[k] >= asked && me.votes[k] !== undefined) s.me.votes[k] = me.votes[k];
        });
        apply(s); setConn(pending ? L.offline : ""); sendPending();
      })
      .catch(function () { setConn(L.offline); });
  }

  function poll() {
    if (pollTimer) return;
    pollTimer = setInterval(fetchState, 2000);
  }

  function stopPoll() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

  function connect() {
    if (!window.EventSource) { poll(); return; }
    if (es) es.close();
    es = new EventSource(cfg.events);
    var first = true;
    es.addEventListener("open", function () {
      stopPoll();
      setConn("");
      if (!first || cfg.view === "participant") fetchState();  // catch up: own votes, current statement
      first = false;
    });
    es.addEventListener("state", function (ev) {
      var s = JSON.parse(ev.data);
      lastSerial = ev.lastEventId;
      s.serial = ev.lastEventId;
      apply(s);
    });
    es.addEventListener("error", function () {
      setConn(L.offline);
      if (es.readyState === EventSource.CLOSED) {  // the browser gave up: poll, and try a new stream
        poll();
        setTimeout(connect, 3000);
      }
    });
  }

  /* presenter: counts of every statement, polled ----------------------------------------- */
  function presenter() {
    function tick() {
      fetch(cfg.state, {credentials: "same-origin", cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
        text($("p-count"), s.active_text || s.session.participants);
        text($("refused"), s.refused_text || "");
        text($("straight-liners"), (s.straight_liners || []).join(", ") || "—");
        text($("groups-summary"), s.groups ? s.groups.text : (s.notes || []).join(" "));
        document.querySelectorAll("[data-counts]").forEach(function (td) {
          var n = s.counts[td.getAttribute("data-counts")] || {agree: 0, disagree: 0, pass: 0, total: 0};
          td.textContent = n.agree + " / " + n.disagree + " / " + n.pass + " = " + n.total;
        });
      }).catch(function () {});
    }
    setInterval(tick, 1500);
  }

  if (cfg.view === "presenter") { presenter(); return; }

  var form = $("idea-form");
  if (form) form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = $("idea-text");
    post(cfg.idea, {text: t.value}).then(function (j) {
      text($("idea-status"), j.ok ? L.sent : (j.error || "error"));
      if (j.ok) t.value = "";
    }).catch(function () { text($("idea-status"), L.offline); });
  });
  window.addEventListener("online", function () { fetchState(); connect(); });
  window.addEventListener("offline", function () { setConn(L.offline); });
  fetchState();
  connect();
})();
