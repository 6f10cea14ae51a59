// Tideflow's live dashboard: one EventSource, one "history" event, then a "frame" per period.
// Everything from the cluster is put in the page with textContent, never as markup.
"use strict";

const KEEP = 300; // chart points kept, as the server keeps them
const series = { at: [], done: [], inFlight: [], queued: [], ready: [], others: [], gone: [],
  poolDesired: [], p50: [], p99: [] };
const charts = {};

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return e;
}

function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}
const fixed = (v, d = 0) => (v === null || v === undefined) ? "–" : Number(v).toLocaleString(undefined, { maximumFractionDigits: d, minimumFractionDigits: d });
const cores = (millis) => (millis / 1000).toLocaleString(undefined, { maximumFractionDigits: 2 });
const time = (ms) => new Date(ms).toLocaleTimeString();

function push(s) {
  const t = s.at / 1000;
  if (series.at.length && t <= series.at[series.at.length - 1]) return;
  series.at.push(t); series.done.push(s.completedPerSecond); series.inFlight.push(s.inFlight);
  series.queued.push(s.queued); series.ready.push(s.ready); series.others.push(s.others);
  series.gone.push(s.gone); series.poolDesired.push(s.poolDesired > 0 ? s.poolDesired : null);
  series.p50.push(s.p50Millis); series.p99.push(s.p99Millis);
  if (series.at.length > KEEP) for (const k of Object.keys(series)) series[k].shift();
}

function chart(id, lines) {
  const box = document.getElementById(id);
  const opts = {
    width: Math.max(320, box.clientWidth - 8), height: 200,
    scales: { x: { time: true } },
    series: [{}].concat(lines.map(([label, stroke]) => ({ label, stroke, width: 2, spanGaps: false, points: { show: false } }))),
    axes: [{}, { size: 60 }],
    legend: { live: false },
  };
  const u = new uPlot(opts, [series.at].concat(lines.map(l => series[l[2]])), box);
  charts[id] = { u, keys: lines.map(l => l[2]) };
}

function makeCharts() {
  if (charts["chart-tasks"]) return;
  chart("chart-tasks", [["completed / s", "#2b6cb0", "done"], ["in flight", "#dd6b20", "inFlight"], ["queued", "#805ad5", "queued"]]);
  chart("chart-nodes", [["READY", "#1f9d55", "ready"], ["other", "#d69e2e", "others"], ["GONE", "#c53030", "gone"], ["pools desired", "#4a5568", "poolDesired"]]);
  chart("chart-latency", [["p50", "#3182ce", "p50"], ["p99", "#e53e3e", "p99"]]);
}

function redraw() {
  for (const c of Object.values(charts)) c.u.setData([series.at].concat(c.keys.map(k => series[k])));
}

function tiles(f) {
  const counts = {};
  for (const n of f.nodes) counts[n.state] = (counts[n.state] || 0) + 1;
  const live = f.nodes.filter(n => n.state !== "GONE").length;
  const t = f.tasks;
  const list = [
    ["nodes-ready", "nodes READY", `${counts.READY || 0} / ${live}`],
    ["nodes-gone", "nodes GONE", String(counts.GONE || 0)],
    ["tasks-rate", "tasks / s", fixed(t.completedPerSecond)],
    ["tasks-in-flight", "in flight", fixed(t.inFlight)],
    ["alerts-firing", "alerts firing", String(f.alerts.filter(a => a.state === "FIRING" && !a.silencedBy).length)],
  ];
  if (t.client) {
    list.push(["tasks-waiting", "waiting", fixed(t.waiting)], ["tasks-p99", "p99 latency", t.p99Millis === null ? "–" : fixed(t.p99Millis, 1) + " ms"],
      ["tasks-completed", "completed", fixed(t.completed)], ["tasks-retried", "retried", fixed(t.retried)], ["tasks-failed", "failed", fixed(t.failed)]);
  }
  for (const p of f.pools) list.push(["pool-" + p.name, "pool " + p.name, p.size < 0 ? "–" : `${p.size} → ${p.desired}`]);
  document.getElementById("tiles").replaceChildren(...list.map(([id, k, v]) =>
    el("div", { class: "tile", "data-tile": id }, el("div", { class: "v" }, v), el("div", { class: "k" }, k))));
}

function nodes(f) {
  const rows = f.nodes.slice().sort((a, b) => (a.state === "GONE") - (b.state === "GONE") || a.id.localeCompare(b.id)).map(n => {
    const labels = el("td", {}, ...Object.entries(n.labels).map(([k, v]) => el("span", { class: "label" }, `${k}=${v}`)));
    const cap = n.capacity;
    const custom = Object.entries(cap.custom).map(([k, v]) => `${k} ${v}`).join(", ");
    const capacity = `${cores(cap.cpuMillis)} cpu, ${bytes(cap.memoryBytes)}` + (cap.networkBytesPerSec ? `, ${bytes(cap.networkBytesPerSec)}/s` : "") + (custom ? `, ${custom}` : "");
    const flowsHold = n.allocated.instances.length ? `${cores(n.allocated.cpuMillis)} cpu: ${n.allocated.instances.join(", ")}` : "";
    const tasksHold = n.allocated.tasksCpuMillis || n.allocated.tasksMemoryBytes ? `tasks ${cores(n.allocated.tasksCpuMillis)} cpu, ${bytes(n.allocated.tasksMemoryBytes)}` : "";
    const alloc = [tasksHold, flowsHold].filter(x => x).join("; ") || "–";
    const l = n.load;
    return el("tr", { "data-node": n.id, "data-state": n.state },
      el("td", {}, n.id), el("td", { class: "state", "data-state": n.state }, n.state),
      el("td", {}, n.provider), el("td", {}, n.address), labels,
      el("td", { class: "num" }, l.cpu === null ? "–" : fixed(l.cpu * 100) + " %"),
      el("td", { class: "num" }, l.heapMaxBytes ? `${bytes(l.heapUsedBytes)} / ${bytes(l.heapMaxBytes)}` : "–"),
      el("td", { class: "num" }, bytes(l.networkBytesPerSec) + "/s"),
      el("td", { class: "num" }, fixed(l.inFlight)), el("td", { class: "num" }, fixed(l.queued)),
      el("td", { class: "num" }, fixed(l.completed)), el("td", {}, capacity), el("td", {}, alloc),
      el("td", { class: "num" }, l.reportAgeMillis === null ? "–" : fixed(l.reportAgeMillis / 1000, 1) + " s ago"));
  });
  document.querySelector("#nodes tbody").replaceChildren(...rows);
}

function alerts(f) {
  document.getElementById("alerts-section").hidden = f.alerts.length === 0;
  const order = { critical: 0, warning: 1, info: 2 };
  const rows = f.alerts.slice().sort((a, b) => (a.state !== "FIRING") - (b.state !== "FIRING") || order[a.severity] - order[b.severity] || a.name.localeCompare(b.name));
  document.querySelector("#alerts tbody").replaceChildren(...rows.map(a => {
    const extra = Object.entries(a.labels).filter(([k]) => k !== "alertname" && k !== "severity");
    return el("tr", { "data-alert": a.name, "data-alert-state": a.state, "data-silenced": String(a.silencedBy !== null) },
      el("td", {}, a.name), el("td", { class: "sev", "data-severity": a.severity }, a.severity),
      el("td", {}, a.state.toLowerCase() + (a.silencedBy ? ` (silenced by ${a.silencedBy})` : "")),
      el("td", {}, time(a.firingSince || a.activeSince)), el("td", {}, a.summary),
      el("td", {}, ...extra.map(([k, v]) => el("span", { class: "label" }, `${k}=${v}`))));
  }));
}

function waiting(f) {
  document.getElementById("waiting-section").hidden = f.waiting.length === 0;
  document.querySelector("#waiting tbody").replaceChildren(...f.waiting.map(w => {
    const d = w.demand;
    const custom = Object.entries(d.custom).map(([k, v]) => `, ${k} ${v}`).join("");
    return el("tr", {}, el("td", { class: "num" }, fixed(w.count)),
      el("td", {}, `${cores(d.cpuMillis)} cpu, ${bytes(d.memoryBytes)}${custom}`),
      el("td", {}, w.selector || "–"), el("td", { class: "reason" }, w.reason), el("td", {}, w.client));
  }));
}

function pools(f) {
  document.getElementById("pools-section").hidden = f.pools.length === 0;
  document.getElementById("pools").replaceChildren(...f.pools.map(p => {
    const decisions = p.decisions.slice().reverse().map(d => el("tr", { "data-scales": String(d.current !== d.desired) },
      el("td", {}, time(d.at)), el("td", { class: "num" }, `${d.current} → ${d.desired}`), el("td", {}, d.policy),
      el("td", {}, d.inputs), el("td", { class: "reason" }, d.reason)));
    return el("div", { class: "card", "data-pool": p.name },
      el("h3", {}, `${p.name}: ${p.size < 0 ? "no decision yet" : p.size + " nodes, desired " + p.desired} (bounds ${p.min}..${p.max})${p.running ? "" : ", not running here"}`),
      el("div", { class: "muted" }, p.providers ? "providers: " + p.providers : ""),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "At"), el("th", { class: "num" }, "Size"), el("th", {}, "Policy"), el("th", {}, "Saw"), el("th", {}, "Why"))),
        el("tbody", {}, ...decisions)));
  }));
}

function flows(f) {
  document.getElementById("flows-section").hidden = f.flows.length === 0;
  document.getElementById("flows").replaceChildren(...f.flows.map(flow => {
    const chips = flow.instances.map(i => el("span", { class: "chip", "data-state": i.state, "data-instance": i.id,
      title: `${i.node || "?"}: busy ${fixed(i.busy * 100)} %, backpressured ${fixed(i.backpressured * 100)} %, idle ${fixed(i.idle * 100)} %, in ${fixed(i.receivedPerSecond)}/s, out ${fixed(i.emittedPerSecond)}/s, queued ${i.queued}` },
      `${i.id} ${i.state ? i.state.toLowerCase() : "unreported"}`));
    return el("div", { class: "card", "data-flow": flow.name },
      el("h3", {}, `${flow.name}: ${flow.state}` + (flow.imbalance === null ? "" : `, imbalance ${fixed(flow.imbalance * 100)} %`)),
      flow.failure ? el("div", { class: "failure" }, flow.failure) : "",
      flow.rootCauses.length ? el("div", { class: "muted" }, "backpressure starts at: " + flow.rootCauses.join(", ")) : "",
      el("div", {}, ...chips));
  }));
}

function render(f) {
  document.getElementById("title").textContent = f.title;
  document.title = f.title;
  document.getElementById("role").textContent = f.role || "";
  document.getElementById("clock").textContent = "as of " + time(f.at);
  tiles(f); alerts(f); nodes(f); waiting(f); pools(f); flows(f);
  push(f.sample);
  redraw();
}

function connect() {
  const link = document.getElementById("link");
  const events = new EventSource("/api/v1/events");
  events.onopen = () => { link.dataset.link = "live"; link.textContent = "live"; };
  events.onerror = () => { link.dataset.link = "reconnecting"; link.textContent = "reconnecting…"; };
  events.addEventListener("history", e => {
    for (const k of Object.keys(series)) series[k].length = 0;
    for (const s of JSON.parse(e.data)) push(s);
    makeCharts();
    redraw();
  });
  events.addEventListener("frame", e => render(JSON.parse(e.data)));
}

connect();
