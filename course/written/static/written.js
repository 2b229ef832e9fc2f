// Grade by question: answer groups, rubric keys, undo, comments; saved at once through the
// app's JSON API. Student text only ever goes into text nodes (textContent), never innerHTML.
"use strict";
(function () {
  const root = document.getElementById("question");
  if (!root) return;
  const meta = (n) => document.querySelector(`meta[name="${n}"]`).content;
  const prefix = meta("prefix"), me = meta("user"), xsrf = meta("xsrf");
  const base = `${prefix}api/q/${root.dataset.assignment}/${root.dataset.gradeId}`;
  let data = null, cursor = 0, targets = [];
  const selected = new Set(), undo = [];

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  async function call(path, body) {
    const r = await fetch(base + path, {
      method: body ? "POST" : "GET", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-XSRFToken": xsrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    const out = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
    if (!r.ok) { say(out.error || `HTTP ${r.status}`); throw new Error(out.error); }
    return out;
  }
  function say(text, ok) {
    const d = el("div", ok ? "ok" : "", text);
    document.getElementById("messages").prepend(d);
  }
  function rows() { return data.groups.flatMap((g) => g.students); }
  function row(student) { return rows().find((r) => r.student === student); }
  function visible(r) { return !document.getElementById("mine").checked || !r.owner || r.owner === me; }
  function seen(r) { return r.mark ? { score: r.mark.score, comment: r.mark.comment } : {}; }

  function render() {
    const box = document.getElementById("groups");
    box.replaceChildren();
    targets = [];
    const p = data.progress;
    document.getElementById("progress").textContent = `${p.graded} / ${p.total} graded`;
    data.groups.forEach((g, gi) => {
      const shown = g.students.filter(visible);
      if (!shown.length) return;
      const box1 = el("div", "group");
      box1.dataset.group = g.id;
      const head = el("div", "group-head", `${g.blank ? "Blank answers" : "Group"} of ${g.students.length} · `);
      head.appendChild(el("span", "rep", (g.representative.trim() || "(blank)").slice(0, 160)));
      head.dataset.target = targets.length;
      targets.push({ type: "group", gi, students: shown.map((r) => r.student), node: head });
      box1.appendChild(head);
      shown.forEach((r) => {
        const a = el("div", "answer");
        a.dataset.student = r.student;
        if (selected.has(r.student)) a.classList.add("selected");
        if (r.conflict) a.classList.add("conflict");
        const who = el("div", "who", r.student);
        if (r.owner) who.appendChild(el("div", "owner", `share: ${r.owner}`));
        a.appendChild(who);
        a.appendChild(el("div", "text", r.text.trim() ? r.text : "(blank)"));
        const m = el("div", "mark");
        const sc = r.mark ? (r.mark.score ?? (r.mark.graded ? r.mark.auto : null)) : null;
        m.appendChild(el("span", "score", r.mark ? (sc === null ? "not marked" : `${sc} / ${r.mark.max}`) : "not in gradebook yet"));
        if (r.item) m.appendChild(el("span", "item", ` · item ${r.item}`));
        m.appendChild(el("div", "comment-text", r.mark ? r.mark.comment : ""));
        const input = el("input", "free");
        input.placeholder = "your comment (Enter saves)";
        input.value = r.free || "";
        input.addEventListener("change", () => comment(r.student, input.value));
        m.appendChild(input);
        a.appendChild(m);
        a.dataset.target = targets.length;
        targets.push({ type: "answer", gi, students: [r.student], node: a });
        box1.appendChild(a);
      });
      box.appendChild(box1);
    });
    if (!data.groups.length) box.appendChild(el("p", "empty", "No submissions of this question yet."));
    cursor = Math.min(cursor, Math.max(targets.length - 1, 0));
    paintCursor(false);
  }
  function paintCursor(scroll) {
    document.querySelectorAll(".cursor").forEach((n) => n.classList.remove("cursor"));
    const t = targets[cursor];
    if (t) { t.node.classList.add("cursor"); if (scroll) t.node.scrollIntoView({ block: "nearest" }); }
  }
  function renderRubric() {
    const table = document.getElementById("rubric-items");
    table.replaceChildren();
    data.rubric.forEach((it) => {
      const tr = el("tr", "item");
      tr.appendChild(el("td", "key", it.key));
      for (const [name, value] of [["points", it.points], ["text", it.text], ["feedback", it.feedback]]) {
        const td = el("td"), i = el("input", name);
        i.value = value; td.appendChild(i); tr.appendChild(td);
      }
      table.appendChild(tr);
    });
  }
  function merge(res) {
    for (const [s, m] of Object.entries(res.written)) {
      const r = row(s); if (!r) continue;
      r.mark = m; r.conflict = false;
      const a = res.applied[s];
      r.item = a ? a.item : null; r.free = a ? a.free : "";
    }
    for (const [s, m] of Object.entries(res.conflicts)) {
      const r = row(s); if (!r) continue;
      r.mark = m; r.conflict = true;
      say(`${s}: changed by someone else since you loaded it (now ${m.score ?? "not marked"}` +
          `${m.comment ? `, "${m.comment.slice(0, 60)}"` : ""}); kept, not overwritten.`);
    }
    const graded = new Set(rows().filter((r) => r.mark && r.mark.graded).map((r) => r.student));
    data.progress.graded = graded.size;
  }
  async function send(body, students) {
    const before = {};
    students.forEach((s) => { const r = row(s); before[s] = { ...seen(r), item: r.item, free: r.free || "" }; });
    body.students = students;
    body.expect = Object.fromEntries(students.map((s) => [s, seen(row(s))]));
    const res = await call("/apply", body);
    merge(res);
    const done = Object.keys(res.written);
    if (done.length) undo.push({ restore: Object.fromEntries(done.map((s) => [s, before[s]])),
                                 expect: Object.fromEntries(done.map((s) => [s, res.written[s]])) });
    render();
    return res;
  }
  function chosen() {
    if (selected.size) return [...selected];
    const t = targets[cursor];
    return t ? t.students : [];
  }
  async function applyItem(key) {
    const t = targets[cursor], many = selected.size > 0;
    const res = await send({ item: key }, chosen());
    selected.clear();
    if (!many && t) { // on to the next group (a group) or the next answer
      let n = cursor + 1;
      if (t.type === "group") while (n < targets.length && targets[n].gi === t.gi) n++;
      cursor = Math.min(n, targets.length - 1);
    }
    render(); paintCursor(true);
    return res;
  }
  async function comment(student, text) { await send({ free: text }, [student]); }
  async function undoLast() {
    const last = undo.pop();
    if (!last) return say("nothing to undo");
    const res = await call("/apply", { restore: last.restore, expect: last.expect, students: [] });
    merge(res); render(); say("undone", true);
  }
  async function reload() {
    data = await call("");
    data.groups.forEach((g) => g.students.forEach((r) => { r.conflict = false; }));
    render();
  }
  async function groups(op, target) {
    await call("/groups", { op, students: [...selected], target });
    selected.clear(); await reload();
  }
  document.getElementById("split").onclick = () => groups("split");
  document.getElementById("merge").onclick = () => groups("merge");
  document.getElementById("move").onclick = () => groups("move", (targets[cursor] || {}).students[0]);
  document.getElementById("mine").onchange = render;
  document.getElementById("share").onclick = async () => {
    const graders = document.getElementById("share-graders").value.split(",");
    await call("/share", { graders, by: document.getElementById("share-by").value });
    await reload();
  };
  document.getElementById("rubric-add").onclick = () => {
    data.rubric.push({ key: String(data.rubric.length + 1), points: 0, text: "new item", feedback: "" });
    renderRubric();
  };
  document.getElementById("rubric-save").onclick = async () => {
    const items = [...document.querySelectorAll("#rubric-items tr")].map((tr) => ({
      points: tr.querySelector(".points").value, text: tr.querySelector(".text").value,
      feedback: tr.querySelector(".feedback").value }));
    data.rubric = await call("/rubric", { items });
    renderRubric(); say("rubric saved", true);
  };
  document.getElementById("groups").addEventListener("click", (ev) => {
    const n = ev.target.closest("[data-target]");
    if (n && ev.target.tagName !== "INPUT") { cursor = Number(n.dataset.target); paintCursor(false); }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT") {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const k = ev.key;
    if (k === "j" || k === "k") {
      cursor = Math.max(0, Math.min(targets.length - 1, cursor + (k === "j" ? 1 : -1)));
      paintCursor(true);
    } else if (/^[1-9]$/.test(k) && data.rubric.some((i) => i.key === k)) {
      applyItem(k);
    } else if (k === "u") {
      undoLast();
    } else if (k === "x") {
      const t = targets[cursor];
      if (t) t.students.forEach((s) => (selected.has(s) ? selected.delete(s) : selected.add(s)));
      render();
    } else if (k === "c") {
      const t = targets[cursor];
      if (t && t.type === "answer") { ev.preventDefault(); t.node.querySelector("input.free").focus(); }
    } else if (k === "Escape") {
      selected.clear(); render();
    } else return;
    ev.preventDefault();
  });
  // Another grader's or formgrader's changes show up without a reload.
  // ?poll=0 turns this off (a test holding a page stale on purpose).
  const poll = Number(new URLSearchParams(location.search).get("poll") ?? 5);
  if (poll > 0) setInterval(() => {
    if (document.activeElement.tagName !== "INPUT") reload().catch(() => {});
  }, poll * 1000);
  reload().then(renderRubric);
})();
