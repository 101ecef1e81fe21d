// emotrace dashboard: customers ranked by risk, a customer's timeline on a real time axis, emotion mix, alerts tied
// to their messages and the words that drove them, agents' profiles, a live feed. Plain JS drawing SVG; no CDN.
"use strict";
const params = new URLSearchParams(location.search);
const KEY_STORE = "emotrace-api-key";
// The key from /?api_key=..., kept for this tab's reloads and taken out of the address bar (history, shared links);
// the page is served with Referrer-Policy: no-referrer, so its requests do not pass the address on either.
const apiKey = params.get("api_key") || sessionStorage.getItem(KEY_STORE);
if (params.has("api_key")) {
  sessionStorage.setItem(KEY_STORE, apiKey);
  params.delete("api_key");
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}
let selected = params.get("customer");
let source = null;
const SVG = "http://www.w3.org/2000/svg";
const GAP_MS = 3 * 24 * 3600 * 1000;  // no message for 3 days or more: the line breaks
const EMOTIONS = ["anger", "disgust", "fear", "sadness", "surprise", "joy", "neutral"];
const DAY = 24 * 3600 * 1000;
const NO_EKMAN = "this model has no Ekman view: train with --mapping to get one";
let hasEkman = true;  // whether the served model reads the Ekman view (GET /v1/model's groupings)

// The server refuses this page: no or a wrong API key (401), or, with no keys set, a host name other than this
// machine's own (403 E903). Every panel stops and the banner says why.
class Refused extends Error {}

// "1 alert", "3 alerts": a count and its noun, plural unless one.
const counted = (count, noun) => `${count} ${noun}${Math.abs(count) === 1 ? "" : "s"}`;
// A 0-100 score as shown: whole points rounded down, so it agrees with its segment's band (41.6 is "41 frustrated",
// where the frustrated band ends below 42; rounded, it read "42 frustrated").
const points = (score) => String(Math.floor(score));
const RELOAD_AFTER_MS = 400;  // live events within this long after the first are answered by one reload
// A trend's change in whole points, signed, toward zero so that it agrees with the trend's name: -4.6 is "stable
// (-4)", as a change under 5 points is; a stable change under a point "±0" (it read "stable (-0)"); a rising or
// falling one at least one point (a threshold under a point set in the rules: "falling (-1)", not "falling (±0)").
const signedPoints = (delta, trend) => {
  const n = Math.trunc(delta) || (trend === "stable" ? 0 : Math.sign(delta));
  return n > 0 ? `+${n}` : n < 0 ? `${n}` : "±0";
};

async function answer(path, method = "GET", body = undefined) {
  const headers = apiKey ? { "X-API-Key": apiKey } : {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.ok) return response;
  const error = response.status === 401 || response.status === 403 ? new Refused(`${path}: ${response.status}`)
    : new Error(`${path}: ${response.status}`);
  // a problem+json body: its title and code, what is wrong, and how to fix it
  const problem = await response.json().catch(() => null);
  Object.assign(error, { status: response.status, problem,
    detail: problem ? `${problem.title} (${problem.code}): ${problem.detail} ${problem.fix}` : "" });
  throw error;
}

const api = async (path, method = "GET", body = undefined) => (await answer(path, method, body)).json();

// A page of a list and how many the list holds (its X-Total-Count header).
async function apiPage(path) {
  const response = await answer(path);
  const items = await response.json();
  return { items, total: Number(response.headers.get("X-Total-Count") ?? items.length) };
}

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function svgEl(tag, attrs = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function activate(node, action) {  // clickable and keyboard-operable
  node.setAttribute("tabindex", "0");
  node.addEventListener("click", action);
  node.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); action(); } });
}

function showRefusal(error) {
  const prompt = document.querySelector("#key-prompt");
  prompt.hidden = false;
  const needsKey = error.status === 401;  // a 403 is a server without keys that serves its own machine's name only
  prompt.replaceChildren(el("strong", {}, needsKey ? "This server needs an API key. " : "The server refuses this page: "),
    document.createTextNode(needsKey ? "Open the dashboard as /?api_key=YOUR_KEY (one of EMOTRACE_API_KEYS)."
      : error.detail || error.message));
  document.querySelector("#live").textContent = `live feed: ${needsKey ? "needs an API key" : "refused by the server"}`;
  if (source) source.close();
}

// Dates in one format everywhere (the browser's locale): "Dec 2, 14:05" for moments, "Dec 2, 2026" for days;
// ISO dates inside the server's sentences ("alert on 2026-11-30") are shown the same way.
const when = (iso) => new Date(iso).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const dayOf = (iso) => new Date(iso).toLocaleDateString([], { month: "short", day: "numeric", year: "numeric" });
const localDates = (text) => text.replace(/\b(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?\b/g, (_, d) => dayOf(`${d}T12:00:00`));

const PAGE = 200;
const EMPTY_STORE = "No customers yet: send messages (POST /v1/messages), upload a conversation "
  + "(POST /v1/customers/{id}/conversations) or store a batch (emotrace batch --ingest); emotrace serve --demo shows demo customers.";
let currentTimeline = null;
const filters = { search: "", segment: "", page: 0 };

function customersQuery() {
  // one more than a page: whether a next page exists (with exactly a page of customers, "›" led to an empty one)
  const query = new URLSearchParams({ limit: String(PAGE + 1), offset: String(filters.page * PAGE) });
  if (filters.search) query.set("search", filters.search);
  if (filters.segment) query.set("segment", filters.segment);
  return `/v1/customers?${query}`;
}

let customersAsked = 0;  // the latest list request: an earlier answer arriving after it is dropped

// A list the server refused (422: a search that cannot be an id, "josé", "anna 2", ".."): no rows, and why.
function showListRefused(error) {
  const search = error.problem?.errors?.find((e) => e.loc.at(-1) === "search");
  document.querySelector("#customers tbody").replaceChildren();
  document.querySelector("#page-next").disabled = true;
  document.querySelector("#customers-empty").textContent = search
    ? `not a customer id: "${filters.search}" (${search.msg}; ${error.problem.code})` : String(error.detail || error.message);
}

async function loadCustomers() {
  const body = document.querySelector("#customers tbody");
  const asked = ++customersAsked;
  let listed;
  try {
    listed = await api(customersQuery());
  } catch (error) {
    if (error.status !== 422) throw error;  // a refused key or host, a failing server: as any other request
    if (asked === customersAsked) showListRefused(error);
    return;
  }
  if (asked !== customersAsked) return;  // a newer search, filter or page was asked for meanwhile
  const more = listed.length > PAGE, customers = listed.slice(0, PAGE);
  document.querySelector("#page-label").textContent = `page ${filters.page + 1}`;
  document.querySelector("#page-prev").disabled = filters.page === 0;
  document.querySelector("#page-next").disabled = !more;
  const wholeList = !filters.search && !filters.segment && filters.page === 0 && !more;
  if (selected && wholeList && !customers.some((c) => c.id === selected)) clearCustomer();  // erased meanwhile
  document.querySelector("#customers-empty").textContent = customers.length ? "" : wholeList ? EMPTY_STORE
    : "No customer matches this search or segment.";
  body.replaceChildren(...customers.map((c) => {
    const row = el("tr", { "data-customer": c.id, class: c.id === selected ? "selected" : "",
      "aria-selected": String(c.id === selected) });
    row.append(el("td", {}, c.id), el("td", {}, points(c.score)), el("td", { class: `seg-${c.segment}` }, c.segment),
      el("td", {}, `${c.trend} (${signedPoints(c.trend_delta, c.trend)})`), el("td", {}, String(c.open_alerts)));
    activate(row, () => { selected = c.id; loadCustomers(); loadCustomer(); });
    return row;
  }));
  const { items: alerts, total } = await apiPage("/v1/alerts?sort=newest&limit=30");
  document.querySelector("#alerts-count").textContent = total > alerts.length ? `(${alerts.length} of ${total})` : "";
  // a lead typing an assignee keeps what they typed, and the focus, when the list reloads (a live event, say)
  const typing = document.activeElement?.matches?.("#alerts input.assignee") ? document.activeElement : null;
  const typed = typing ? { alert: typing.closest("li").dataset.alert, value: typing.value } : null;
  document.querySelector("#alerts").replaceChildren(...alerts.map(alertItem));
  if (typed) {
    const field = document.querySelector(`#alerts li[data-alert="${typed.alert}"] input.assignee`);
    if (field) { field.value = typed.value; field.focus(); }
  }
  if (!selected && customers.length) { selected = customers[0].id; body.rows[0]?.classList.add("selected"); }
}

// An open or acknowledged alert: its text opens the customer at the alert; buttons acknowledge or resolve it, the
// field assigns it (Enter). Each change is a PATCH /v1/alerts/{id}; the list reloads (also on the live "alert" event).
function alertItem(a) {
  const li = el("li", { class: `${a.severity} ${a.status}`, "data-alert": String(a.id) });
  const text = el("span", { class: "alert-text" }, `${when(a.at)} · ${a.customer_id}: ${a.reason}`);
  activate(text, () => { selected = a.customer_id; loadCustomers(); loadCustomer().then(() => showAlert(a)); });
  const who = `alert ${a.id} of ${a.customer_id}`;
  const status = el("span", { class: "alert-status" }, a.assignee ? `${a.status} · ${a.assignee}` : a.status);
  const change = (body) => api(`/v1/alerts/${a.id}`, "PATCH", body).then(() => loadCustomers())
    .catch((error) => { if (error instanceof Refused) throw error; status.textContent = String(error.detail || error.message); })
    .catch(handle);
  const acknowledge = el("button", { type: "button", class: "acknowledge", "aria-label": `Acknowledge ${who}` }, "Acknowledge");
  acknowledge.disabled = a.status !== "open";
  acknowledge.addEventListener("click", () => change({ status: "acknowledged", actor: "dashboard" }));
  const resolve = el("button", { type: "button", class: "resolve", "aria-label": `Resolve ${who}` }, "Resolve");
  resolve.addEventListener("click", () => change({ status: "resolved", actor: "dashboard" }));
  const assign = el("input", { type: "text", class: "assignee", maxlength: "128", placeholder: "assign to…",
    "aria-label": `Assign ${who} to (press Enter)` });
  assign.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && assign.value.trim()) change({ assignee: assign.value.trim(), actor: "dashboard" });
  });
  li.append(text, " ", status, acknowledge, resolve, assign);
  return li;
}

async function loadFloor() {
  const days = await api("/v1/floor/trend?days=30");
  const W = 360, H = 90, B = 16, top = 6;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}` });
  const step = W / days.length, most = Math.max(1, ...days.map((d) => d.alerts));
  const y = (s) => top + ((1 - s) / 2) * (H - B - top);  // satisfaction -1..1
  days.forEach((d, i) => {
    const h = (d.alerts / most) * (H - B - top) * 0.6;
    if (h > 0) {
      const bar = svgEl("rect", { class: "floor-alerts", x: i * step + 1, y: H - B - h, width: Math.max(1, step - 2), height: h });
      bar.append(svgEl("title", {}, `${dayOf(`${d.day}T12:00:00`)}: ${counted(d.alerts, "alert")}`));
      svg.append(bar);
    }
  });
  const points = days.map((d, i) => (d.mean_satisfaction === null ? null : [i * step + step / 2, y(d.mean_satisfaction)]));
  let path = "", pen = false;
  for (const p of points) {  // a day without messages breaks the line
    if (p === null) { pen = false; continue; }
    path += `${pen ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`; pen = true;
  }
  svg.append(svgEl("line", { class: "grid", x1: 0, x2: W, y1: y(0), y2: y(0) }), svgEl("path", { class: "floor-mood", d: path }));
  for (const i of [0, Math.floor(days.length / 2), days.length - 1]) {
    svg.append(svgEl("text", { class: "axis floor-axis", x: i * step + step / 2, y: H - 3, "text-anchor": "middle" },
      new Date(`${days[i].day}T12:00:00`).toLocaleDateString([], { month: "short", day: "numeric" })));
  }
  document.querySelector("#floor").replaceChildren(svg);
}

async function loadDrivers() {  // the topics carrying most dissatisfaction this week, against the week before
  const found = await api("/v1/drivers?limit=5");
  const box = document.querySelector("#drivers");
  if (!found.drivers.length) { box.replaceChildren(el("li", { class: "meta said" }, localDates(found.reason))); return; }
  box.replaceChildren(...found.drivers.map((d) => {
    const change = d.new ? "new" : `${d.messages_change >= 0 ? "+" : ""}${counted(d.messages_change, "message")}, ` +
      `${d.carried_change >= 0 ? "+" : ""}${d.carried_change.toFixed(1)} carried vs the week before`;
    const item = el("li", { "data-topic": d.topic });
    item.append(el("strong", {}, d.name), el("span", { class: "meta" },
      ` ${counted(d.messages, "message")}, dissatisfaction carried ${d.carried.toFixed(1)} (${change})`));
    if (d.examples.length) item.append(el("q", {}, d.examples[0]));
    return item;
  }));
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
    if (error instanceof Refused) throw error;
    box.replaceChildren(el("p", { class: "meta" }, String(error.detail || error.message)));
  }
}

// The local midnights from t0 to t1, every day or every few days (at most about seven): the dates under them are
// the browser's, as the emotion mix's days are (UTC midnights put Dec 3, 10:00 in Los Angeles before "Dec 3").
function timeTicks(t0, t1) {
  const ticks = [];
  const every = Math.max(1, Math.ceil((t1 - t0) / 6 / DAY));
  const start = new Date(t0);
  const midnight = (days) => new Date(start.getFullYear(), start.getMonth(), start.getDate() + days).getTime();
  for (let day = midnight(0) < t0 ? 1 : 0; midnight(day) <= t1; day += every) ticks.push(midnight(day));
  return ticks;
}

// One point per conversation: at its start, the score after it (line) with a whisker down to its worst, and its
// customer turns' mean valence; a click shows that conversation's messages. The time range trims the axis.
function conversationsOf(timeline) {
  const turns = timeline.messages.filter((m) => m.speaker === "customer")
    .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  const byId = new Map();
  turns.forEach((m, i) => {
    const state = timeline.history[i];
    if (!state) return;
    if (!byId.has(m.conversation_id)) byId.set(m.conversation_id, { id: m.conversation_id, start: Date.parse(m.timestamp), states: [], valences: [] });
    const c = byId.get(m.conversation_id);
    c.states.push(state.score);
    c.valences.push(m.valence);
  });
  return [...byId.values()].map((c) => ({ ...c, score: c.states[c.states.length - 1], worst: Math.min(...c.states),
    valence: c.valences.reduce((a, b) => a + b, 0) / c.valences.length })).sort((a, b) => a.start - b.start);
}

function drawChart(timeline) {
  const W = 820, H = 270, L = 40, R = 44, T = 12, B = 30;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}` });
  document.querySelector("#chart").replaceChildren(svg);
  const range = document.querySelector("#range").value;
  const since = range === "all" ? -Infinity : Date.now() - Number(range) * DAY;
  const conversations = conversationsOf(timeline).filter((c) => c.start >= since);
  const alerts = timeline.alerts.filter((a) => Date.parse(a.at) >= since);
  if (!conversations.length) {
    svg.append(svgEl("text", { x: W / 2, y: H / 2, class: "axis", "text-anchor": "middle" }, "No conversations in this range."));
    return;
  }
  const times = conversations.map((c) => c.start);
  const t0 = Math.min(...times, ...alerts.map((a) => Date.parse(a.at))) - DAY / 2;
  const t1 = Math.max(...times, ...alerts.map((a) => Date.parse(a.at)), t0 + DAY) + DAY / 2;
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const yScore = (s) => H - B - (s / 100) * (H - T - B);
  const yVal = (v) => yScore(50 + 50 * v);
  for (const s of [0, 25, 50, 75, 100]) {
    svg.append(svgEl("line", { x1: L, x2: W - R, y1: yScore(s), y2: yScore(s), class: "grid" }));
    svg.append(svgEl("text", { x: L - 6, y: yScore(s) + 4, class: "axis score-axis", "text-anchor": "end" }, String(s)));
    svg.append(svgEl("text", { x: W - R + 6, y: yScore(s) + 4, class: "axis valence-axis" }, ((s - 50) / 50).toFixed(1)));
  }
  for (const t of timeTicks(t0, t1)) {
    svg.append(svgEl("line", { x1: x(t), x2: x(t), y1: T, y2: H - B, class: "grid" }));
    svg.append(svgEl("text", { x: x(t), y: H - 10, class: "axis time-axis", "text-anchor": "middle" },
      new Date(t).toLocaleDateString([], { month: "short", day: "numeric" })));
  }
  for (let i = 1; i < conversations.length; i++) {  // no contact for days: a thin band, not the plot
    if (times[i] - times[i - 1] >= GAP_MS) {
      svg.append(svgEl("rect", { class: "gap", x: x(times[i - 1]) + 6, y: H - B - 4, width: Math.max(0, x(times[i]) - x(times[i - 1]) - 12), height: 4 }));
    }
  }
  const path = (f) => conversations.map((c, i) => `${i ? "L" : "M"}${x(c.start).toFixed(1)},${f(c).toFixed(1)}`).join(" ");
  svg.append(svgEl("path", { class: "valence", d: path((c) => yVal(c.valence)) }), svgEl("path", { class: "score", d: path((c) => yScore(c.score)) }));
  for (const c of conversations) {
    svg.append(svgEl("line", { class: "worst", x1: x(c.start), x2: x(c.start), y1: yScore(c.score), y2: yScore(c.worst) }));
    svg.append(svgEl("rect", { class: "valence-point", x: x(c.start) - 3, y: yVal(c.valence) - 3, width: 6, height: 6 }));
    const dot = svgEl("circle", { class: "point conversation", cx: x(c.start), cy: yScore(c.score), r: 5, role: "button",
      "data-conversation": c.id, "aria-label": `Conversation ${c.id}, ${when(new Date(c.start).toISOString())}: score ` +
        `${points(c.score)} after it (worst ${points(c.worst)}), ${counted(c.states.length, "customer message")}` });
    dot.append(svgEl("title", {}, `${when(new Date(c.start).toISOString())} · ${c.id}: score ${points(c.score)} (worst ${points(c.worst)})`));
    activate(dot, () => showConversation(timeline, c.id));
    svg.append(dot);
  }
  let lastX = -Infinity, row = 0;
  for (const a of [...alerts].sort((p, q) => Date.parse(p.at) - Date.parse(q.at))) {
    const t = Date.parse(a.at);
    row = x(t) - lastX < 16 ? row + 1 : 0;  // alerts close in time stack instead of hiding each other
    lastX = x(t);
    const marker = svgEl("circle", { class: `alert-marker ${a.severity}`, cx: x(t), cy: T + 8 + 16 * row, r: 7, role: "button",
      "aria-label": `${a.kind} alert, ${when(a.at)}: ${a.reason}`, "data-at": a.at, "data-alert": String(a.id) });
    marker.append(svgEl("title", {}, `${when(a.at)} — ${a.reason}`));
    activate(marker, () => showAlert(a));
    svg.append(marker);
  }
}

// A conversation's messages alone (the conversation view); "all messages" goes back to the whole history.
function showConversation(timeline, id) {
  const list = document.querySelector("#messages");
  const shown = timeline.messages.filter((m) => m.conversation_id === id);
  const back = el("button", { type: "button", id: "all-messages" }, "all messages");
  back.addEventListener("click", () => list.replaceChildren(...timeline.messages.slice().reverse().map(messageItem)));
  list.replaceChildren(el("li", { class: "conversation-head", id: "conversation-view", tabindex: "-1" }, `Conversation ${id}, ${counted(shown.length, "message")} `),
    ...shown.map(messageItem));
  list.firstChild.append(back);
  document.querySelectorAll("#chart circle.conversation").forEach((dot) => dot.classList.toggle("active", dot.dataset.conversation === id));
}

function drawMix(messages) {
  if (!hasEkman) {
    document.querySelector("#mix").replaceChildren(el("p", { class: "no-view" }, `No emotion mix: ${NO_EKMAN}.`));
    document.querySelector("#mix-legend").replaceChildren();
    return;
  }
  const days = new Map();
  for (const m of messages) {
    if (m.speaker !== "customer" || !m.ekman_probabilities) continue;
    const day = new Date(m.timestamp); day.setHours(0, 0, 0, 0);
    const key = day.getTime();
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(m.ekman_probabilities);
  }
  const W = 820, H = 120, L = 40, R = 44, B = 20;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}` });
  const keys = [...days.keys()].sort((a, b) => a - b);
  if (keys.length) {
    const t0 = keys[0] - DAY / 2, t1 = keys[keys.length - 1] + DAY * 1.5;
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const width = Math.max(4, Math.min(40, x(t0 + DAY) - x(t0) - 2));
    for (const key of keys) {
      let y = H - B;
      const group = svgEl("g", { class: "day", "data-day": new Date(key).toISOString().slice(0, 10) });
      for (const emotion of EMOTIONS) {
        const share = days.get(key).reduce((s, e) => s + (e[emotion] || 0), 0) / days.get(key).length;
        const h = share * (H - B - 8);
        if (h < 0.5) continue;
        y -= h;
        const bar = svgEl("rect", { class: `mix ${emotion}`, x: x(key), y, width, height: h });
        bar.append(svgEl("title", {}, `${dayOf(key)}: ${emotion} ${(100 * share).toFixed(0)}%`));
        group.append(bar);
      }
      svg.append(group);
    }
    const every = Math.ceil(keys.length / 8);  // a date axis: at most eight labelled days
    keys.filter((_, i) => i % every === 0).forEach((key) => svg.append(svgEl("text", {
      class: "axis mix-axis", x: x(key) + width / 2, y: H - 5, "text-anchor": "middle" },
      new Date(key).toLocaleDateString([], { month: "short", day: "numeric" }))));
  }
  document.querySelector("#mix").replaceChildren(svg);
  document.querySelector("#mix-legend").replaceChildren(...EMOTIONS.flatMap((e) => [el("span", { class: `k mix ${e}` }), document.createTextNode(`${e} `)]));
}

// A message's colour is its stored satisfaction class: the one the correction form preselects and the floor counts.
const TONES = { dissatisfied: "neg", neutral: "mid", satisfied: "pos" };

function messageItem(m) {
  const tone = m.speaker === "customer" ? TONES[m.satisfaction_class] : "";
  const li = el("li", { class: `${m.speaker} ${tone}`, "data-message": String(m.id) });
  li.append(el("div", { class: "text" }, m.text ?? "(text not stored)"),
    el("div", { class: "meta" }, `${m.speaker}${m.agent_id ? ` (${m.agent_id})` : ""} · ${m.channel} · ${when(m.timestamp)}` +
      (m.speaker === "customer" ? ` · ${m.labels.join(", ")} · valence ${m.valence.toFixed(2)} · satisfaction ${m.satisfaction.toFixed(2)}` : "") +
      (m.speaker === "customer" && m.intent_labels?.length ? ` · intent: ${m.intent_labels.map((i) => i.replaceAll("_", " ")).join(", ")}` : "")));
  if (m.speaker !== "customer") return li;
  const corrections = el("ul", { class: "corrections", "aria-label": `Corrections of message ${m.id}` });
  (m.corrections || []).forEach((c) => addCorrection(corrections, c));
  const wrong = el("button", { type: "button", class: "mark-wrong", "aria-expanded": "false",
    "aria-label": `Mark the reading of message ${m.id} wrong` }, "Reading wrong?");
  wrong.addEventListener("click", () => {
    const open = li.querySelector("form.correction");
    if (open) { open.remove(); wrong.setAttribute("aria-expanded", "false"); return; }
    const form = correctionForm(m, corrections, () => { form.remove(); wrong.setAttribute("aria-expanded", "false"); wrong.focus(); });
    wrong.after(form);
    wrong.setAttribute("aria-expanded", "true");
    form.querySelector("select").focus();
  });
  li.append(corrections, wrong);
  return li;
}

// A lead marks a reading wrong: the right satisfaction class, optional emotion labels and intents (the model's names,
// comma-separated) and a note, POSTed to /v1/messages/{id}/corrections; a refusal (an unknown name, say) is shown in
// the form. The corrections are listed under the message (also when another lead's arrive on the live feed).
function correctionForm(m, list, done) {
  const who = `message ${m.id}`;
  const form = el("form", { class: "correction", "aria-label": `Correct the reading of ${who}` });
  const satisfaction = el("select", { "aria-label": `Right satisfaction class of ${who}` });
  satisfaction.append(...["dissatisfied", "neutral", "satisfied"].map((c) => el("option", { value: c }, c)));
  satisfaction.value = m.satisfaction_class;
  const labels = el("input", { type: "text", class: "labels", placeholder: "emotions, e.g. annoyance",
    "aria-label": `Right emotion labels of ${who}, comma-separated (optional)` });
  const intents = el("input", { type: "text", class: "intents", placeholder: "intents, e.g. refund_request",
    "aria-label": `Intents ${who} states, comma-separated (optional)` });
  const note = el("input", { type: "text", class: "note", maxlength: "2000", placeholder: "note",
    "aria-label": `Note on the correction of ${who} (optional)` });
  const status = el("span", { class: "correction-status", role: "status" });
  form.append(satisfaction, labels, intents, note, el("button", { type: "submit" }, "Save correction"), status);
  const names = (input) => input.value.split(",").map((n) => n.trim()).filter(Boolean);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = { satisfaction_class: satisfaction.value, corrected_by: "dashboard" };
    if (names(labels).length) body.labels = names(labels);
    if (names(intents).length) body.intents = names(intents);
    if (note.value.trim()) body.note = note.value.trim();
    api(`/v1/messages/${m.id}/corrections`, "POST", body).then((c) => { addCorrection(list, c); done(); })
      .catch((error) => { if (error instanceof Refused) throw error; status.textContent = String(error.detail || error.message); })
      .catch(handle);
  });
  return form;
}

function addCorrection(list, c) {
  if (list.querySelector(`li[data-correction="${c.id}"]`)) return;  // saved here and heard on the live feed
  const said = [c.satisfaction_class, ...(c.labels || []), ...(c.intents || []).map((i) => `states ${i}`),
    ...(c.topics || []).map((t) => `about ${t}`)].filter(Boolean).join(", ");
  list.append(el("li", { "data-correction": String(c.id) },
    `corrected by ${c.corrected_by} (${when(c.created_at)}): ${said}${c.note ? ` — ${c.note}` : ""}`));
}

function markWords(node, words) {  // the explanation's top words, highlighted in the message text
  const text = Array.from(node.textContent);  // the server's offsets count code points, not UTF-16 units
  const spans = words.filter((w) => w.weight > 0).sort((a, b) => a.start - b.start);
  const parts = [];
  let last = 0;
  for (const w of spans) {
    if (w.start < last) continue;
    parts.push(document.createTextNode(text.slice(last, w.start).join("")),
      el("mark", { title: `+${w.weight.toFixed(2)}` }, text.slice(w.start, w.end).join("")));
    last = w.end;
  }
  parts.push(document.createTextNode(text.slice(last).join("")));
  node.replaceChildren(...parts);
}

async function showAlert(alert) {
  document.querySelectorAll("#messages li.highlight").forEach((li) => li.classList.remove("highlight"));
  document.querySelectorAll("circle.alert-marker.active").forEach((c) => c.classList.remove("active"));
  // by id: alerts of one message (a churn threat and a spike, say) share their time
  document.querySelector(`circle.alert-marker[data-alert="${alert.id}"]`)?.classList.add("active");
  document.querySelector("#alert-detail")?.remove();
  const detail = el("p", { id: "alert-detail", role: "status" }, `${when(alert.at)} — ${alert.reason}`);
  document.querySelector("#summary").append(detail);
  let first = null;
  for (const id of alert.message_ids) {
    const li = document.querySelector(`#messages li[data-message="${id}"]`);
    if (!li) continue;
    li.classList.add("highlight");
    first = first || li;
    if (!li.querySelector("mark") && li.classList.contains("customer")) {
      try {
        const found = await api(`/v1/customers/${encodeURIComponent(selected)}/messages/${id}/explanation`);
        const words = [...Object.values(found.labels).flat(), ...found.satisfaction]
          .filter((w) => w.weight >= 0.05).sort((p, q) => q.weight - p.weight);
        const strongest = [...new Map(words.map((w) => [w.start, w])).values()].slice(0, 3);
        markWords(li.querySelector(".text"), strongest);
      } catch (error) { if (error instanceof Refused) throw error; }
    }
  }
  first?.scrollIntoView({ block: "nearest" });
}

function clearCustomer() {
  selected = null;
  currentTimeline = null;  // an erased customer's chart must not come back with the next range change
  document.querySelector("#title").textContent = "Select a customer";
  for (const id of ["#summary", "#chart", "#mix", "#messages"]) document.querySelector(id).replaceChildren();
}

async function loadCustomer() {
  const id = selected;
  if (!id) return;
  const [detail, timeline, outreach] = await Promise.all([api(`/v1/customers/${encodeURIComponent(id)}`),
    api(`/v1/customers/${encodeURIComponent(id)}/timeline`), api(`/v1/customers/${encodeURIComponent(id)}/outreach`)]);
  if (id !== selected) return;  // another customer was picked while this one loaded: never draw over it
  document.querySelector("#title").textContent = `${detail.id} — score ${points(detail.score)} (${detail.segment}, ${detail.trend})`;
  const lead = !hasEkman ? `not shown (${NO_EKMAN})`
    : detail.state ? detail.state.leading_emotions.join(", ") || "none" : "none";
  const risks = Object.entries(detail.outcome_risk).map(([kind, r]) =>
    `${kind} ${(100 * r.probability).toFixed(0)}% (${r.drivers.map((d) => d.feature).join(", ")})`);
  const step = detail.next_step;
  document.querySelector("#summary").replaceChildren(
    el("p", {}, `Leading emotions: ${lead}. Routing: ${detail.routing.route} — ${detail.routing.reason}`),
    ...(step && step.action !== "none" ? [el("p", { id: "next-step" }, `Next step: ${step.action.replaceAll("_", " ")} — ${step.script}` +
      (step.follow_up_hours ? ` Follow up within ${step.follow_up_hours} h.` : ""))] : []),
    el("p", { id: "outreach", class: outreach.decision }, outreach.decision === "ok" ? "Outreach: ok" :
      `Outreach: hold until ${dayOf(outreach.hold_until)} — ${localDates(outreach.reasons.join("; "))}`),
    ...(detail.upset_about.length ? [el("p", { id: "upset" }, "Upset about: " + detail.upset_about.map((u) =>
      `${u.name} (${u.messages} message${u.messages === 1 ? "" : "s"})`).join(", "))] : []),
    ...(risks.length ? [el("p", { id: "risks" }, `Outcome risk: ${risks.join("; ")}${detail.saveable ? " — saveable" : ""}`)] : []));
  currentTimeline = timeline;
  drawChart(timeline);
  drawMix(timeline.messages);
  document.querySelector("#messages").replaceChildren(...timeline.messages.slice().reverse().map(messageItem));
}

async function loadAgents() {
  const agents = await api("/v1/agents");
  document.querySelector("#agents tbody").replaceChildren(...agents.map((a, i) => {
    const d = a.de_escalation;
    const row = el("tr", { "data-agent": a.agent_id, class: a.enough_data ? "ranked" : "unranked" });
    row.append(el("td", {}, `${a.enough_data ? `${i + 1}. ` : ""}${a.agent_id}`),
      el("td", {}, d ? `${d.mean > 0 ? "+" : ""}${d.mean.toFixed(2)}${d.low !== null ? ` (${d.low.toFixed(2)} to ${d.high.toFixed(2)})` : ""}${a.enough_data ? "" : " · too few to rank"}` : "not measured"),
      el("td", {}, `${a.conversations} (${a.measured} measured)`),
      el("td", {}, a.empathy_rate === null ? "no distressed turns" : `${(100 * a.empathy_rate).toFixed(0)}%`),
      el("td", {}, a.ended_better === null ? "not measured" : `${(100 * a.ended_better).toFixed(0)}% / ${(100 * a.ended_worse).toFixed(0)}%`));
    activate(row, () => loadAgent(a.agent_id));
    return row;
  }));
}

async function loadAgent(agentId) {
  const detail = await api(`/v1/agents/${encodeURIComponent(agentId)}`);
  document.querySelector("#agent-title").textContent = `${agentId}: ${counted(detail.conversations, "conversation")}`;
  const newest = [...detail.conversation_effects].sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
  document.querySelector("#agent-conversations").replaceChildren(...newest.map(agentConversation));
}

// One of an agent's conversations: when it began, what it did, and a button opening its messages.
function agentConversation(c) {
  const item = el("li", { "data-conversation": c.conversation_id, "data-customer": c.customer_id });
  const open = el("button", { type: "button", class: "open-conversation", "aria-label":
    `Open conversation ${c.conversation_id} of customer ${c.customer_id}, ${when(c.started_at)}` }, "open conversation");
  open.addEventListener("click", () => openConversation(c.customer_id, c.conversation_id).catch(handle));
  item.append(el("time", { datetime: c.started_at }, when(c.started_at)),
    ` · ${c.conversation_id} · ${c.channel} · customer ${c.customer_id} (${c.segment})` +
    ` · ${c.de_escalation === null ? "not measured" : `mood ${c.de_escalation > 0 ? "+" : ""}${c.de_escalation.toFixed(2)}`}` +
    ` · ${c.ended === "unmeasured" ? "ending not measured" : `ended ${c.ended}`}${c.distress_answers ? ` · ${c.empathic_answers}/${c.distress_answers} empathic answers to distress` : ""} `,
    open);
  return item;
}

// The customer's view at one conversation (from the agents view); the focus moves to it.
async function openConversation(customerId, conversationId) {
  showView("customers");
  selected = customerId;
  loadCustomers().catch(handle);
  await loadCustomer();
  if (selected !== customerId) return;  // another customer was picked meanwhile
  showConversation(currentTimeline, conversationId);
  document.querySelector("#conversation-view").focus();
}

function showView(name) {
  for (const view of ["customers", "agents"]) {
    document.querySelector(`#${view}-view`).hidden = view !== name;
    const tab = document.querySelector(`#tab-${view}`);
    tab.classList.toggle("active", view === name);
    tab.setAttribute("aria-pressed", String(view === name));
  }
  if (name === "agents") loadAgents().catch(handle);
}

function handle(error) {
  if (error instanceof Refused) showRefusal(error);
  else console.warn(error);
}

function connect() {
  const live = document.querySelector("#live");
  source = new EventSource(`/v1/stream${apiKey ? `?api_key=${encodeURIComponent(apiKey)}` : ""}`);
  source.addEventListener("ready", () => { live.textContent = "live feed: on"; live.className = "live on"; });
  source.addEventListener("reading", (e) => {
    const data = JSON.parse(e.data);
    if (data.customer_id === selected && !document.querySelector(`#messages li[data-message="${data.id}"]`)) {
      document.querySelector("#messages").prepend(messageItem(data));
    }
  });
  // one reload for the events that come together (a write of 100 customers sends 100 customer events: each reloaded
  // the list, segments, floor and drivers, and segments fits a mixture over every message)
  let reloading = null;
  let customerChangedSince = false;
  const reload = (customerChanged) => {
    customerChangedSince ||= customerChanged;
    if (reloading) return;
    reloading = setTimeout(() => {
      const changed = customerChangedSince;
      reloading = null;
      customerChangedSince = false;
      loadCustomers().catch(handle);
      loadSegments().catch(handle);
      loadFloor().catch(handle);
      loadDrivers().catch(handle);
      if (selected && changed) loadCustomer().catch(handle);
    }, RELOAD_AFTER_MS);
  };
  source.addEventListener("customer", (e) => reload(JSON.parse(e.data).id === selected));
  source.addEventListener("alert", () => loadCustomers().catch(handle));
  // the events missed while reconnecting are no longer kept (another server, a restart): read everything anew
  source.addEventListener("gap", () => reload(true));
  source.addEventListener("correction", (e) => {
    const data = JSON.parse(e.data);
    const list = document.querySelector(`#messages li[data-message="${data.message_id}"] ul.corrections`);
    if (data.customer_id === selected && list) addCorrection(list, data);
  });
  source.addEventListener("deleted", (e) => {
    const data = JSON.parse(e.data);
    document.querySelector(`#customers tr[data-customer="${CSS.escape(data.customer_id)}"]`)?.remove();
    const shown = data.customer_id === selected;
    if (shown) clearCustomer();
    // the list then selects its first customer: show that one (its row was highlighted under "Select a customer")
    loadCustomers().then(() => { if (shown && selected) return loadCustomer(); }).catch(handle);
  });
  source.onerror = () => {
    live.textContent = "live feed: reconnecting…"; live.className = "live off";
    api("/v1/customers?limit=1").catch(handle);  // a missing key (401) or a refused host (403): say so, not retry
  };
}

function refilter(change) {
  Object.assign(filters, change);
  loadCustomers().catch(handle);
}

document.querySelector("#customer-search").addEventListener("input", (e) => refilter({ search: e.target.value.trim(), page: 0 }));
document.querySelector("#range").addEventListener("change", () => { if (currentTimeline) drawChart(currentTimeline); });
document.querySelector("#segment-filter").addEventListener("change", (e) => refilter({ segment: e.target.value, page: 0 }));
document.querySelector("#page-prev").addEventListener("click", () => refilter({ page: Math.max(0, filters.page - 1) }));
document.querySelector("#page-next").addEventListener("click", () => refilter({ page: filters.page + 1 }));
document.querySelector("#customer-filters").addEventListener("submit", (e) => e.preventDefault());
if (apiKey) {  // downloads are plain links: they carry no header, so they are fetched with the key instead
  for (const link of document.querySelectorAll("#customer-filters a")) {
    link.addEventListener("click", async (e) => {
      e.preventDefault();
      let response;
      try {
        response = await answer(link.getAttribute("href"));  // an error answer is not saved as the CSV
      } catch (error) {
        handle(error);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const save = el("a", { href: url, download: link.textContent });
      save.click();
      URL.revokeObjectURL(url);
    });
  }
}

document.querySelector("#tab-customers").addEventListener("click", () => showView("customers"));
document.querySelector("#tab-agents").addEventListener("click", () => showView("agents"));
api("/v1/model").then((model) => { hasEkman = "ekman" in model.groupings; })
  .then(loadCustomers)
  // a customer that cannot be opened (an old link, an erased id) leaves the rest of the page working
  .then(() => { if (selected) return loadCustomer().catch((error) => { clearCustomer(); handle(error); }); })
  .then(() => { connect(); loadFloor().catch(handle); loadDrivers().catch(handle); return loadSegments(); }).catch(handle);
