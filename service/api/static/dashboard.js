// emotrace dashboard: customers ranked by risk, a customer's timeline as an SVG chart, a live feed.
"use strict";
const params = new URLSearchParams(location.search);
const apiKey = params.get("api_key");
let selected = params.get("customer");

async function api(path) {
  const response = await fetch(path, { headers: apiKey ? { "X-API-Key": apiKey } : {} });
  if (!response.ok) {
    const error = new Error(`${path}: ${response.status}`);
    error.detail = await response.json().then((b) => b.detail, () => "");
    throw error;
  }
  return response.json();
}

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

async function loadCustomers() {
  const body = document.querySelector("#customers tbody");
  const customers = await api("/v1/customers?limit=200");
  body.replaceChildren(...customers.map((c) => {
    const row = el("tr", { "data-customer": c.id, class: c.id === selected ? "selected" : "" });
    row.append(el("td", {}, c.id), el("td", {}, c.score.toFixed(0)), el("td", { class: `seg-${c.segment}` }, c.segment),
      el("td", {}, `${c.trend} (${c.trend_delta > 0 ? "+" : ""}${c.trend_delta.toFixed(0)})`), el("td", {}, String(c.open_alerts)));
    row.addEventListener("click", () => { selected = c.id; loadCustomers(); loadCustomer(); });
    return row;
  }));
  const alerts = await api("/v1/alerts?limit=20");
  document.querySelector("#alerts").replaceChildren(...alerts.map((a) =>
    el("li", { class: a.severity }, `${a.customer_id}: ${a.reason}`)));
  if (!selected && customers.length) selected = customers[0].id;
}

async function loadSegments() {
  const box = document.querySelector("#segments");
  try {
    const found = await api("/v1/segments");
    const table = el("table", { id: "segment-table" });
    table.append(el("thead"), el("tbody"));
    table.tHead.append(el("tr"));
    table.tHead.rows[0].append(el("th", {}, "segment"), el("th", {}, "customers"), el("th", {}, "sets it apart"));
    for (const s of found.segments) {
      const row = el("tr", { "data-segment": s.name });
      row.append(el("td", {}, s.name), el("td", {}, String(s.size)),
        el("td", {}, s.distinguishing.map((d) => `${d.feature} ${d.z > 0 ? "+" : ""}${d.z.toFixed(1)} sd`).join(", ")));
      table.tBodies[0].append(row);
    }
    box.replaceChildren(table, el("p", { class: "meta" },
      `${found.customers} active customers, silhouette ${found.silhouette.toFixed(2)}; ${found.inactive} inactive left out.`));
  } catch (error) {
    box.replaceChildren(el("p", { class: "meta" }, String(error.detail || error.message)));
  }
}

function drawChart(history, alerts) {
  const W = 800, H = 260, P = 30;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  if (!history.length) { document.querySelector("#chart").replaceChildren(svg); return; }
  const times = history.map((h) => Date.parse(h.at));
  const t0 = Math.min(...times), t1 = Math.max(...times, t0 + 1);
  const x = (t) => P + ((t - t0) / (t1 - t0)) * (W - 2 * P);
  const yScore = (s) => H - P - (s / 100) * (H - 2 * P);
  const yVal = (v) => yScore(50 + 50 * v);
  const line = (cls, f) => {
    const p = document.createElementNS(svg.namespaceURI, "path");
    p.setAttribute("class", cls);
    p.setAttribute("d", history.map((h, i) => `${i ? "L" : "M"}${x(times[i]).toFixed(1)},${f(h).toFixed(1)}`).join(" "));
    svg.append(p);
  };
  for (const s of [0, 50, 100]) {
    const g = document.createElementNS(svg.namespaceURI, "line");
    Object.entries({ x1: P, x2: W - P, y1: yScore(s), y2: yScore(s), stroke: "#eee" }).forEach(([k, v]) => g.setAttribute(k, v));
    svg.append(g);
    const t = document.createElementNS(svg.namespaceURI, "text");
    Object.entries({ x: 2, y: yScore(s) + 4, "font-size": 10 }).forEach(([k, v]) => t.setAttribute(k, v));
    t.textContent = s; svg.append(t);
  }
  line("score", (h) => yScore(h.score));
  line("valence", (h) => yVal(h.valence));
  for (const a of alerts) {
    const t = Date.parse(a.at);
    const nearest = history.reduce((best, h, i) => Math.abs(times[i] - t) < Math.abs(times[best] - t) ? i : best, 0);
    const c = document.createElementNS(svg.namespaceURI, "circle");
    Object.entries({ class: "alert-marker", cx: x(t), cy: yScore(history[nearest].score), r: 6 }).forEach(([k, v]) => c.setAttribute(k, v));
    const title = document.createElementNS(svg.namespaceURI, "title");
    title.textContent = a.reason; c.append(title); svg.append(c);
  }
  document.querySelector("#chart").replaceChildren(svg);
}

async function loadCustomer() {
  const id = selected;
  if (!id) return;
  const [detail, timeline] = await Promise.all([api(`/v1/customers/${encodeURIComponent(id)}`),
    api(`/v1/customers/${encodeURIComponent(id)}/timeline`)]);
  if (id !== selected) return;  // another customer was picked while this one loaded: never draw over it
  document.querySelector("#title").textContent = `${detail.id} — score ${detail.score.toFixed(0)} (${detail.segment}, ${detail.trend})`;
  const lead = detail.state ? detail.state.leading_emotions.join(", ") || "none" : "none";
  const outreach = await api(`/v1/customers/${encodeURIComponent(id)}/outreach`);
  if (id !== selected) return;
  const risks = Object.entries(detail.outcome_risk).map(([kind, r]) =>
    `${kind} ${(100 * r.probability).toFixed(0)}% (${r.drivers.map((d) => d.feature).join(", ")})`);
  document.querySelector("#summary").replaceChildren(
    el("p", {}, `Leading emotions: ${lead}. Routing: ${detail.routing.route} — ${detail.routing.reason}`),
    el("p", { id: "outreach", class: outreach.decision }, outreach.decision === "ok" ? "Outreach: ok" :
      `Outreach: hold until ${new Date(outreach.hold_until).toLocaleDateString()} — ${outreach.reasons.join("; ")}`),
    ...(risks.length ? [el("p", { id: "risks" }, `Outcome risk: ${risks.join("; ")}${detail.saveable ? " — saveable" : ""}`)] : []));
  drawChart(timeline.history, timeline.alerts);
  document.querySelector("#messages").replaceChildren(...timeline.messages.slice().reverse().map((m) => {
    const tone = m.satisfaction < -0.3 ? "neg" : m.satisfaction > 0.3 ? "pos" : "";
    const li = el("li", { class: `${m.speaker} ${tone}` });
    li.append(el("div", {}, m.text ?? "(text not stored)"),
      el("div", { class: "meta" }, `${m.speaker} · ${m.channel} · ${new Date(m.timestamp).toLocaleString()} · ` +
        `${m.labels.join(", ")} · valence ${m.valence.toFixed(2)} · satisfaction ${m.satisfaction.toFixed(2)}`));
    return li;
  }));
}

function connect() {
  const live = document.querySelector("#live");
  const source = new EventSource(`/v1/stream${apiKey ? `?api_key=${encodeURIComponent(apiKey)}` : ""}`);
  source.addEventListener("ready", () => { live.textContent = "live feed: on"; live.className = "live on"; });
  source.addEventListener("customer", (e) => {
    const data = JSON.parse(e.data);
    loadCustomers();
    loadSegments();
    if (data.id === selected) loadCustomer();
  });
  source.onerror = () => { live.textContent = "live feed: reconnecting…"; live.className = "live off"; };
}

loadCustomers().then(() => { if (selected) loadCustomer(); });
loadSegments();
connect();
