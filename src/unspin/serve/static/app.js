// unspin page: check a text, highlight the findings, accept or reject each suggestion, restore live.
// All user and server text goes into the DOM with textContent, never as HTML.
// Offsets from the server count Unicode code points (Python str indices): the text is handled as an
// array of code points (Array.from), so characters outside the BMP (emoji, rare CJK) count as one.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    input: $("input"), file: $("file"), clear: $("clear"), check: $("check"), minConf: $("min-confidence"),
    minConfValue: $("min-confidence-value"), inputInfo: $("input-info"), error: $("error"), results: $("results"),
    scoreValue: $("score-value"), scoreLabel: $("score-label"), scoreFill: $("score-fill"), score: $("score"),
    stats: $("stats"), warnings: $("warnings"), doc: $("doc"), restored: $("restored"), tbody: document.querySelector("#findings tbody"),
    noFindings: $("no-findings"), popover: $("popover"), toast: $("toast"), copy: $("copy"), download: $("download"),
    acceptAll: $("accept-all"), rejectAll: $("reject-all"), reset: $("reset"),
  };

  // --- state -------------------------------------------------------------------------------------
  const state = {
    cps: [],          // the checked text as code points
    findings: [],     // from /v1/check
    decisions: [],    // per finding: {choice: suggestion index, status: "suggested" | "accepted" | "rejected"}
    report: null,     // the whole /v1/check answer
    fileName: null,   // name of an uploaded file, for the download
    pinned: null,     // index of the finding whose popover is pinned open
  };

  /** Build an element: el("span", {className: "x"}, "text", child, ...). Strings become text nodes. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  const pct = (x) => `${Math.round(x * 100)}%`;
  const band = (conf) => (conf >= 0.8 ? "high" : conf >= 0.65 ? "mid" : "low");
  const slice = (from, to) => state.cps.slice(from, to).join("");

  // --- restoring -------------------------------------------------------------------------------------
  /** The replacement a finding currently stands for, or null when the original is kept. */
  function replacementOf(i) {
    const f = state.findings[i];
    const d = state.decisions[i];
    if (d.status === "rejected" || !f.suggestions.length) return null;
    return f.suggestions[d.choice].text;
  }

  /** An article before an edit that must change with it ("a" ↔ "an"), as {start, text}, or null. */
  function articleFix(start, replacement, floor) {
    const from = Math.max(floor, start - 4);
    const before = slice(from, start);
    const m = /(^|[^\p{L}\p{N}_])([Aa]n?) $/u.exec(before);
    if (!m || (m[1] === "" && from > 0) || !replacement) return null;  // at the window's edge: not a word of its own
    const article = m[2];
    const wanted = "aeiou".includes(replacement[0].toLowerCase()) ? "an" : "a";
    if (article.toLowerCase() === wanted) return null;
    const fixed = article[0] === "A" ? wanted[0].toUpperCase() + wanted.slice(1) : wanted;
    return { start: start - article.length - 1, text: fixed };
  }

  /** The restored text as pieces [{text, changed, index}] (findings are sorted and do not overlap). */
  function restoredPieces() {
    const pieces = [];
    let pos = 0;
    state.findings.forEach((f, i) => {
      const replacement = replacementOf(i);
      if (replacement === null) return;
      let start = f.start;
      let text = replacement;
      const fix = articleFix(f.start, replacement, pos);
      if (fix) {
        start = fix.start;
        text = `${fix.text} ${replacement}`;
      }
      pieces.push({ text: slice(pos, start), changed: false });
      pieces.push({ text, changed: true, index: i });
      pos = f.end;
    });
    pieces.push({ text: slice(pos, state.cps.length), changed: false });
    return pieces;
  }

  const restoredText = () => restoredPieces().map((p) => p.text).join("");

  // --- rendering -------------------------------------------------------------------------------------
  function renderScore(report) {
    const s = report.spin_score;
    els.scoreValue.textContent = s.toFixed(2);
    els.scoreLabel.textContent = s >= 0.6 ? "Likely spun" : s >= 0.3 ? "Some signs of spinning" : "Little sign of spinning";
    els.score.dataset.level = s >= 0.6 ? "high" : s >= 0.3 ? "mid" : "low";
    els.scoreFill.style.width = pct(s);
  }

  function renderStats(report) {
    const counts = { accepted: 0, rejected: 0, suggested: 0 };
    state.decisions.forEach((d) => { counts[d.status] += 1; });
    const items = [
      ["spun phrases", state.findings.length], ["words", report.n_words],
      ["accepted", counts.accepted], ["rejected", counts.rejected], ["to review", counts.suggested],
    ];
    els.stats.replaceChildren(...items.map(([label, n]) => el("div", { className: "stat" }, el("dt", {}, label), el("dd", {}, String(n)))));
  }

  function renderDoc() {
    const nodes = [];
    let pos = 0;
    state.findings.forEach((f, i) => {
      nodes.push(document.createTextNode(slice(pos, f.start)));
      const mark = el("mark", { tabIndex: 0, className: "finding" }, slice(f.start, f.end));
      mark.dataset.index = String(i);
      mark.setAttribute("role", "button");
      nodes.push(mark);
      pos = f.end;
    });
    nodes.push(document.createTextNode(slice(pos, state.cps.length)));
    els.doc.replaceChildren(...nodes);
  }

  function renderTable() {
    const rows = state.findings.map((f, i) => {
      const select = el("select", { className: "choice", disabled: !f.suggestions.length });
      select.setAttribute("aria-label", `Replacement for ${f.text}`);
      f.suggestions.forEach((s, k) => select.append(el("option", { value: String(k) }, `${s.text} (${s.score.toFixed(2)})`)));
      if (!f.suggestions.length) select.append(el("option", {}, "no suggestion"));
      const meter = el("span", { className: `conf-bar conf-${band(f.confidence)}` }, el("span", {}));
      meter.firstChild.style.width = pct(f.confidence);
      const row = el("tr", {},
        el("td", { className: "num" }, String(i + 1)),
        el("td", {}, el("button", { type: "button", className: "link goto" }, f.text)),
        el("td", {}, select),
        el("td", { className: "conf" }, meter, el("span", {}, f.confidence.toFixed(2))),
        el("td", {}, el("span", { className: "status" })),
        el("td", { className: "row-actions" },
          el("button", { type: "button", className: "btn small accept", title: "Accept this suggestion", disabled: !f.suggestions.length }, "Accept"),
          el("button", { type: "button", className: "btn small reject", title: "Keep the original wording" }, "Reject")));
      row.dataset.index = String(i);
      return row;
    });
    els.tbody.replaceChildren(...rows);
    els.noFindings.hidden = state.findings.length > 0;
  }

  /** Refresh everything that depends on the decisions. */
  function update() {
    state.findings.forEach((f, i) => {
      const d = state.decisions[i];
      const mark = els.doc.querySelector(`mark[data-index="${i}"]`);
      mark.className = `finding conf-${band(f.confidence)} is-${d.status}`;
      mark.title = "";
      mark.setAttribute("aria-label", `${f.text}: ${d.status}, confidence ${f.confidence.toFixed(2)}`);
      const row = els.tbody.querySelector(`tr[data-index="${i}"]`);
      row.className = `is-${d.status}`;
      row.querySelector("select").value = String(d.choice);
      row.querySelector(".status").textContent = d.status === "suggested" ? "to review" : d.status;
      row.querySelector(".status").className = `status status-${d.status}`;
    });
    const nodes = restoredPieces().map((p) => {
      if (!p.changed) return document.createTextNode(p.text);
      const ins = el("ins", {}, p.text);
      ins.className = state.decisions[p.index].status === "accepted" ? "accepted" : "suggested";
      ins.dataset.index = String(p.index);
      return ins;
    });
    els.restored.replaceChildren(...nodes);
    renderStats(state.report);
    if (state.pinned !== null) showPopover(state.pinned, true);
  }

  // --- the popover ---------------------------------------------------------------------------------------
  let hideTimer = null;

  function showPopover(i, pin) {
    clearTimeout(hideTimer);
    const f = state.findings[i];
    const d = state.decisions[i];
    const pop = els.popover;
    const head = el("div", { className: "pop-head" },
      el("span", { className: `pill conf-${band(f.confidence)}` }, `confidence ${f.confidence.toFixed(2)}`),
      el("span", { className: "muted" }, f.kind),
      pin ? el("button", { type: "button", className: "close", title: "Close" }, "×") : null);
    const title = el("div", { className: "pop-title" }, "“", el("strong", {}, f.text), "”");
    const list = el("div", { className: "suggestions" });
    f.suggestions.forEach((s, k) => {
      const chosen = d.status !== "rejected" && d.choice === k;
      const b = el("button", { type: "button", className: `suggestion${chosen ? " chosen" : ""}` },
        el("span", { className: "s-text" }, s.text), el("span", { className: "s-score" }, s.score.toFixed(2)));
      b.dataset.choice = String(k);
      b.title = `Replace with “${s.text}”`;
      list.append(b);
    });
    const keep = el("button", { type: "button", className: `suggestion keep${d.status === "rejected" ? " chosen" : ""}` },
      el("span", { className: "s-text" }, "Keep the original"));
    keep.dataset.choice = "reject";
    list.append(keep);
    const evidence = el("ul", { className: "evidence" }, ...f.evidence.map((e) => el("li", {}, e)));
    pop.replaceChildren(head, title, el("div", { className: "pop-section" }, pin ? "Choose:" : "Suggestions (click the phrase to choose):"), list,
      el("div", { className: "pop-section" }, "Why:"), evidence);
    pop.dataset.index = String(i);
    pop.classList.toggle("pinned", pin);
    pop.hidden = false;
    const mark = els.doc.querySelector(`mark[data-index="${i}"]`);
    els.doc.querySelectorAll("mark.active").forEach((m) => m.classList.remove("active"));
    if (pin) {
      state.pinned = i;
      mark.classList.add("active");
    }
    place(mark);
  }

  function place(anchor) {
    const pop = els.popover;
    const r = anchor.getBoundingClientRect();
    const width = pop.offsetWidth;
    const left = Math.min(Math.max(8, r.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - width - 8);
    let top = r.bottom + window.scrollY + 6;
    if (r.bottom + pop.offsetHeight + 12 > window.innerHeight && r.top > pop.offsetHeight + 12) top = r.top + window.scrollY - pop.offsetHeight - 6;
    pop.style.left = `${left}px`;
    pop.style.top = `${top}px`;
  }

  function hidePopover() {
    els.popover.hidden = true;
    els.doc.querySelectorAll("mark.active").forEach((m) => m.classList.remove("active"));
    state.pinned = null;
  }

  function decide(i, status, choice) {
    const d = state.decisions[i];
    d.status = status;
    if (choice !== undefined) d.choice = choice;
    update();
  }

  // --- talking to the server -----------------------------------------------------------------------------
  function showError(message) {
    els.error.textContent = message;
    els.error.hidden = !message;
  }

  async function check() {
    const text = els.input.value;
    if (!text.trim()) {
      showError("Paste a text or upload a file first.");
      return;
    }
    showError("");
    hidePopover();
    els.check.disabled = true;
    els.check.classList.add("busy");
    els.check.textContent = "Checking…";
    try {
      const response = await fetch("/v1/check", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text, min_confidence: Number(els.minConf.value) }),
      });
      let body = null;
      try { body = await response.json(); } catch (_) { /* not JSON: handled below */ }
      if (!response.ok) {
        const retry = response.headers.get("Retry-After");
        const why = body && body.error ? body.error : `the server answered ${response.status}`;
        showError(retry ? `${why} (try again in ${retry} s)` : why);
        return;
      }
      show(text, body);
    } catch (err) {
      showError(`Could not reach the server: ${err.message}`);
    } finally {
      els.check.disabled = false;
      els.check.classList.remove("busy");
      els.check.textContent = "Check text";
    }
  }

  function show(text, report) {
    state.cps = Array.from(text);
    state.report = report;
    state.findings = report.findings;
    state.decisions = report.findings.map(() => ({ choice: 0, status: "suggested" }));
    renderScore(report);
    els.warnings.replaceChildren(...report.warnings.map((w) => el("p", {}, w)));
    els.warnings.hidden = report.warnings.length === 0;
    renderDoc();
    renderTable();
    update();
    els.results.hidden = false;
  }

  // --- files, copy, download -------------------------------------------------------------------------------
  function readFile(file) {
    const reader = new FileReader();
    reader.onload = () => {
      let text;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(reader.result);
      } catch (_) {
        showError(`${file.name} is not UTF-8 text; save it as UTF-8 (or paste its text) and try again.`);
        return;
      }
      state.fileName = file.name;
      els.input.value = text;
      showError("");
      updateInfo();
      check();
    };
    reader.onerror = () => showError(`Could not read ${file.name}.`);
    reader.readAsArrayBuffer(file);
  }

  function toast(message) {
    els.toast.textContent = message;
    els.toast.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { els.toast.hidden = true; }, 1800);
  }

  async function copy() {
    const text = restoredText();
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      const area = el("textarea", { value: text, className: "offscreen" });
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    toast("Restored text copied");
  }

  function download() {
    const blob = new Blob([restoredText()], { type: "text/plain;charset=utf-8" });
    const base = state.fileName ? state.fileName.replace(/\.[^.]*$/, "") : "text";
    const a = el("a", { href: URL.createObjectURL(blob), download: `${base}-restored.txt` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  function updateInfo() {
    const words = (els.input.value.match(/\S+/g) || []).length;
    els.inputInfo.textContent = words ? `${words.toLocaleString()} words` : "";
  }

  // --- events ---------------------------------------------------------------------------------------------
  els.check.addEventListener("click", check);
  els.input.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) check(); });
  els.input.addEventListener("input", () => { state.fileName = null; updateInfo(); });
  els.minConf.addEventListener("input", () => { els.minConfValue.textContent = Number(els.minConf.value).toFixed(2); });
  els.clear.addEventListener("click", () => {
    els.input.value = "";
    state.fileName = null;
    els.results.hidden = true;
    hidePopover();
    showError("");
    updateInfo();
    els.input.focus();
  });
  els.file.addEventListener("change", () => { if (els.file.files.length) readFile(els.file.files[0]); els.file.value = ""; });
  els.input.addEventListener("dragover", (e) => { e.preventDefault(); els.input.classList.add("drop"); });
  els.input.addEventListener("dragleave", () => els.input.classList.remove("drop"));
  els.input.addEventListener("drop", (e) => {
    e.preventDefault();
    els.input.classList.remove("drop");
    if (e.dataTransfer.files.length) readFile(e.dataTransfer.files[0]);
  });
  els.copy.addEventListener("click", copy);
  els.download.addEventListener("click", download);
  els.acceptAll.addEventListener("click", () => {
    state.decisions.forEach((d, i) => { if (state.findings[i].suggestions.length) d.status = "accepted"; });
    update();
  });
  els.rejectAll.addEventListener("click", () => { state.decisions.forEach((d) => { d.status = "rejected"; }); update(); });
  els.reset.addEventListener("click", () => { state.decisions.forEach((d) => { d.status = "suggested"; d.choice = 0; }); update(); });

  const markOf = (target) => target.closest && target.closest("mark.finding");
  els.doc.addEventListener("mouseover", (e) => {
    const mark = markOf(e.target);
    if (mark && state.pinned === null) showPopover(Number(mark.dataset.index), false);
  });
  els.doc.addEventListener("mouseout", (e) => {
    if (markOf(e.target) && state.pinned === null) hideTimer = setTimeout(() => { if (state.pinned === null) els.popover.hidden = true; }, 200);
  });
  els.doc.addEventListener("click", (e) => {
    const mark = markOf(e.target);
    if (!mark) return;
    const i = Number(mark.dataset.index);
    if (state.pinned === i) hidePopover(); else showPopover(i, true);
  });
  els.doc.addEventListener("keydown", (e) => {
    const mark = markOf(e.target);
    if (mark && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      showPopover(Number(mark.dataset.index), true);
      const first = els.popover.querySelector("button.suggestion");
      if (first) first.focus();
    }
  });
  els.popover.addEventListener("mouseover", () => clearTimeout(hideTimer));
  els.popover.addEventListener("click", (e) => {
    e.stopPropagation();  // the popover re-renders: the document's outside-click check would miss its target
    const i = Number(els.popover.dataset.index);
    if (e.target.closest(".close")) { hidePopover(); return; }
    const button = e.target.closest("button.suggestion");
    if (!button) return;
    if (button.dataset.choice === "reject") decide(i, "rejected"); else decide(i, "accepted", Number(button.dataset.choice));
    showPopover(i, true);
  });
  document.addEventListener("click", (e) => {
    if (state.pinned !== null && !els.popover.contains(e.target) && !markOf(e.target)) hidePopover();
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !els.popover.hidden) hidePopover(); });
  window.addEventListener("resize", () => { if (state.pinned !== null) showPopover(state.pinned, true); });

  els.tbody.addEventListener("change", (e) => {
    const row = e.target.closest("tr");
    if (e.target.matches("select.choice")) decide(Number(row.dataset.index), "accepted", Number(e.target.value));
  });
  els.tbody.addEventListener("click", (e) => {
    const row = e.target.closest("tr");
    if (!row) return;
    const i = Number(row.dataset.index);
    if (e.target.closest(".accept")) decide(i, "accepted", Number(row.querySelector("select").value));
    else if (e.target.closest(".reject")) decide(i, "rejected");
    else if (e.target.closest(".goto")) {
      const mark = els.doc.querySelector(`mark[data-index="${i}"]`);
      mark.scrollIntoView({ block: "center", behavior: "smooth" });
      mark.focus({ preventScroll: true });
      showPopover(i, true);
      e.stopPropagation();
    }
  });
})();
