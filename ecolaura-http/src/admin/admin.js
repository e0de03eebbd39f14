// The staff admin page: plain JavaScript over the REST API (/api/v1), with
// no inline script or style, so the page runs under a policy that allows
// only its own files. The access token lives in this page's memory: closing
// or reloading the page signs out.
"use strict";

const state = { token: null, refresh: null, productsNext: null, ordersNext: null, editing: null };

const $ = (id) => document.getElementById(id);

function say(text, isError) {
  const m = $("message");
  m.textContent = text || "";
  m.classList.toggle("error", Boolean(isError));
}

// A problem+json answer as one line: its detail and each field's errors.
function problemText(status, body) {
  if (!body || typeof body !== "object") return `The server answered ${status}.`;
  let text = body.detail || body.title || `The server answered ${status}.`;
  if (body.errors) {
    const fields = Object.entries(body.errors).map(([f, msgs]) => `${f}: ${[].concat(msgs).join(", ")}`);
    if (fields.length) text += ` (${fields.join("; ")})`;
  }
  return text;
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (response.status === 401 && state.token) {
    state.refresh = null;
    signOut("Your session ended; sign in again.");
  }
  if (!response.ok) {
    const error = new Error(problemText(response.status, data));
    error.status = response.status;
    throw error;
  }
  return data;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "—" : String(text);
  if (className) td.className = className;
  return td;
}

function button(label, onClick, id) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (id) b.id = id;
  b.addEventListener("click", onClick);
  return b;
}

function show(screen) {
  for (const s of ["sign-in", "products", "orders", "queue"]) {
    $(`screen-${s}`).hidden = s !== screen;
  }
  for (const tab of document.querySelectorAll("nav .tab")) {
    tab.classList.toggle("active", tab.dataset.screen === screen);
  }
  $("nav").hidden = screen === "sign-in";
  if (screen === "products") loadProducts(false);
  if (screen === "orders") loadOrders(false);
  if (screen === "queue") loadQueue();
}

// ---- sign in

async function signIn(event) {
  event.preventDefault();
  say("");
  try {
    const tokens = await api("POST", "/api/v1/auth/token", {
      email: $("email").value,
      password: $("password").value,
    });
    state.token = tokens.access;
    state.refresh = tokens.refresh;
    const me = await api("GET", "/api/v1/users/me");
    if (me.role !== "staff") {
      state.token = null;
      say("This page is for the shop's staff.", true);
      return;
    }
    $("password").value = "";
    say(`Signed in as ${me.email}.`);
    show("products");
  } catch (e) {
    state.token = null;
    say(e.message, true);
  }
}

function signOut(text) {
  if (state.refresh) {
    // Ends the session on the server; the page forgets its tokens either way.
    fetch("/api/v1/auth/logout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh: state.refresh }),
      credentials: "omit",
    }).catch(() => {});
  }
  state.token = null;
  state.refresh = null;
  $("edit-form").hidden = true;
  show("sign-in");
  say(text || "Signed out.");
}

// ---- products

async function loadProducts(more) {
  const tbody = $("products");
  let path;
  if (more && state.productsNext) {
    const next = new URL(state.productsNext, location.origin);
    path = next.pathname + next.search;
  } else {
    const search = $("search").value.trim();
    path = "/api/v1/products?page_size=20&ordering=name" + (search ? `&search=${encodeURIComponent(search)}` : "");
    tbody.replaceChildren();
  }
  try {
    const page = await api("GET", path);
    for (const p of page.results) tbody.append(productRow(p));
    state.productsNext = page.next;
    $("products-more").hidden = !page.next;
    if (!more) say(`${page.count} product${page.count === 1 ? "" : "s"}.`);
  } catch (e) {
    say(e.message, true);
  }
}

function productRow(p) {
  const tr = document.createElement("tr");
  tr.dataset.id = p.id;
  const metrics = p.sustainability;
  tr.append(
    cell(p.name),
    cell(p.category),
    cell(`${p.price} ${p.currency}`, "num"),
    cell(p.stock, "num"),
    cell(metrics ? metrics.carbon_footprint_kg : null, "num"),
    cell(p.sustainability_score, "num"),
  );
  const actions = document.createElement("td");
  actions.append(button("Edit", () => edit(p.id), `edit-${p.id}`));
  tr.append(actions);
  return tr;
}

async function edit(id) {
  try {
    const p = await api("GET", `/api/v1/products/${id}`);
    state.editing = p;
    $("edit-name").textContent = p.name;
    $("edit-price").value = p.price;
    $("edit-stock").value = p.stock;
    const m = p.sustainability;
    $("edit-carbon").value = m ? String(m.carbon_footprint_kg) : "";
    $("edit-recyclable").checked = Boolean(m && m.recyclable);
    $("edit-biodegradable").checked = Boolean(m && m.biodegradable);
    $("edit-form").hidden = false;
    $("edit-price").focus();
  } catch (e) {
    say(e.message, true);
  }
}

async function save(event) {
  event.preventDefault();
  const p = state.editing;
  if (!p) return;
  const patch = { price: $("edit-price").value.trim(), stock: Number($("edit-stock").value) };
  const carbon = $("edit-carbon").value.trim();
  const recyclable = $("edit-recyclable").checked;
  const biodegradable = $("edit-biodegradable").checked;
  const had = p.sustainability;
  if (carbon !== "") {
    const changed = !had || String(had.carbon_footprint_kg) !== carbon
      || had.recyclable !== recyclable || had.biodegradable !== biodegradable;
    // The number as typed: the API keeps footprints as exact decimals.
    if (changed) patch.sustainability = { carbon_footprint_kg: Number(carbon), recyclable, biodegradable };
  } else if (had) {
    patch.sustainability = null;
  }
  try {
    const saved = await api("PATCH", `/api/v1/products/${p.id}`, patch);
    state.editing = saved;
    const row = document.querySelector(`#products tr[data-id="${CSS.escape(p.id)}"]`);
    if (row) row.replaceWith(productRow(saved));
    say(`Saved ${saved.name}: ${saved.price} ${saved.currency}, ${saved.stock} in stock, score ${saved.sustainability_score}.`);
  } catch (e) {
    say(e.message, true);
  }
}

// ---- orders

const NEXT_STATUS = { confirmed: "shipped", shipped: "delivered" };

async function loadOrders(more) {
  const tbody = $("orders");
  let path = "/api/v1/orders?page_size=20";
  if (more && state.ordersNext) {
    const next = new URL(state.ordersNext, location.origin);
    path = next.pathname + next.search;
  } else {
    tbody.replaceChildren();
  }
  try {
    const page = await api("GET", path);
    for (const o of page.results) tbody.append(orderRow(o));
    state.ordersNext = page.next;
    $("orders-more").hidden = !page.next;
    if (!more) say(`${page.count} order${page.count === 1 ? "" : "s"}.`);
  } catch (e) {
    say(e.message, true);
  }
}

function orderRow(o) {
  const tr = document.createElement("tr");
  tr.dataset.id = o.id;
  const status = document.createElement("td");
  const badge = document.createElement("span");
  badge.className = `status ${o.status}`;
  badge.textContent = o.status;
  status.append(badge);
  const lines = o.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ");
  tr.append(cell(o.id.slice(-12)), cell(new Date(o.created_at).toLocaleString()), status,
    cell(`${o.total} ${o.currency}`, "num"), cell(lines));
  const actions = document.createElement("td");
  const next = NEXT_STATUS[o.status];
  if (next) actions.append(button(`Mark ${next}`, () => move(o.id, next), `move-${o.id}`));
  if (o.status === "pending" || o.status === "confirmed") {
    actions.append(button("Cancel", () => cancel(o.id), `cancel-${o.id}`));
  }
  tr.append(actions);
  return tr;
}

function replaceOrder(o) {
  const row = document.querySelector(`#orders tr[data-id="${CSS.escape(o.id)}"]`);
  if (row) row.replaceWith(orderRow(o));
}

async function move(id, status) {
  try {
    const o = await api("POST", `/api/v1/orders/${id}/status`, { status });
    replaceOrder(o);
    say(`Order …${id.slice(-12)} is ${o.status}.`);
  } catch (e) {
    say(e.message, true);
  }
}

async function cancel(id) {
  try {
    const o = await api("POST", `/api/v1/orders/${id}/cancel`);
    replaceOrder(o);
    say(`Order …${id.slice(-12)} is cancelled; its stock is back.`);
  } catch (e) {
    say(e.message, true);
  }
}

// ---- queue

async function loadQueue() {
  const tbody = $("queue");
  try {
    const health = await api("GET", "/api/v1/admin/queue");
    tbody.replaceChildren();
    for (const k of health.kinds) {
      const tr = document.createElement("tr");
      tr.append(cell(k.kind), cell(k.ready, "num"), cell(k.scheduled, "num"), cell(k.running, "num"),
        cell(k.dead, k.dead > 0 ? "num dead" : "num"), cell(k.oldest_ready_age_seconds, "num"));
      tbody.append(tr);
    }
    say(`Queue read at ${new Date().toLocaleTimeString()}.`);
  } catch (e) {
    say(e.message, true);
  }
}

// ---- wiring

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); $("edit-form").hidden = true; loadProducts(false); });
  $("products-more").addEventListener("click", () => loadProducts(true));
  $("orders-more").addEventListener("click", () => loadOrders(true));
  $("edit-form").addEventListener("submit", save);
  $("cancel-edit").addEventListener("click", () => { $("edit-form").hidden = true; state.editing = null; });
  $("queue-refresh").addEventListener("click", loadQueue);
  for (const tab of document.querySelectorAll("nav .tab")) {
    tab.addEventListener("click", () => show(tab.dataset.screen));
  }
  show("sign-in");
});
