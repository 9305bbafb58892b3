/* global document */
// Every value from the API reaches the DOM as a text node or an attribute value, never as markup.

/** An element; string children become text nodes. `props` keys are fixed by this file, never taken from data. */
export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue
    if (key === "onClick") node.addEventListener("click", value)
    else if (key === "className") node.className = value
    else node.setAttribute(key, value === true ? "" : String(value))
  }
  for (const child of children) {
    if (child !== undefined && child !== null) node.append(child)
  }
  return node
}

const states = ["queued", "sending", "awaiting", "manual", "done", "failed"]
const statuses = ["pending", "approved", "rejected"]

const time = (iso) => (iso === undefined ? "" : new Date(iso).toLocaleString())
const price = (order) => `${order.price.amount} ${order.price.currency}`
const code = (text) => el("code", {}, text)

/** Replaces the rows of `table`'s body; a table with nothing to show says so. */
const fill = (tableId, rows, empty) => {
  const table = document.getElementById(tableId)
  const columns = table.querySelectorAll("thead th").length
  const body = table.querySelector("tbody")
  body.replaceChildren(
    ...(rows.length > 0 ? rows : [el("tr", {}, el("td", { colspan: columns, className: "empty" }, empty))])
  )
}

/** The operator actions an order allows (docs/api.md §3: approve, reject, dispatch). */
const actionButtons = (order, onAction) => {
  const button = (action, label) =>
    el("button", { type: "button", "data-action": action, onClick: () => onAction(action, order) }, label)
  return el(
    "td",
    { className: "actions" },
    order.status === "approved" ? undefined : button("approve", "Approve"),
    order.status === "pending" ? button("reject", "Reject") : undefined,
    ["manual", "failed"].includes(order.dispatch.state) ? button("dispatch", "Re-dispatch") : undefined
  )
}

const renderCounts = (stateCounts) => {
  const total = (match) => stateCounts.filter(match).reduce((sum, row) => sum + row.count, 0)
  const card = (label, count, className) =>
    el(
      "div",
      { className: `count ${className}`, "data-count": label },
      el("strong", {}, String(count)),
      label
    )
  document.getElementById("state-counts").replaceChildren(
    ...states.map((state) =>
      card(
        state,
        total((row) => row.state === state),
        `state-${state}`
      )
    ),
    ...statuses.map((status) =>
      card(
        status,
        total((row) => row.status === status),
        "status"
      )
    )
  )
}

const manualRow = (order, onAction) =>
  el(
    "tr",
    { "data-order-id": order.id },
    el("td", {}, String(order.number)),
    el("td", {}, code(order.id)),
    el("td", {}, order.packageId),
    el("td", {}, order.playerId),
    el("td", {}, price(order)),
    el("td", {}, order.dispatch.provider ?? ""),
    el("td", {}, String(order.dispatch.attempts)),
    el("td", {}, order.dispatch.lastMessage ?? order.message ?? ""),
    el("td", {}, time(order.createdAt)),
    actionButtons(order, onAction)
  )

const recentRow = (order, onAction) =>
  el(
    "tr",
    { "data-order-id": order.id, "data-status": order.status },
    el("td", {}, String(order.number)),
    el("td", {}, code(order.id)),
    el("td", {}, order.packageId),
    el("td", {}, order.playerId),
    el("td", {}, price(order)),
    el("td", { className: `status-${order.status}` }, order.status),
    el("td", {}, order.dispatch.state),
    el("td", {}, order.dispatch.provider ?? ""),
    el("td", {}, time(order.createdAt)),
    actionButtons(order, onAction)
  )

const providerRow = (provider, balance, onBalance) =>
  el(
    "tr",
    { "data-provider-id": provider.id, className: provider.errors > 0 ? "unhealthy" : undefined },
    el("td", {}, provider.name, " ", code(provider.id)),
    el("td", {}, provider.kind),
    el("td", {}, provider.enabled ? "yes" : "no"),
    el("td", {}, String(provider.inFlight)),
    el("td", {}, String(provider.calls)),
    el("td", {}, String(provider.errors)),
    el("td", {}, provider.outcomes.map((o) => `${o.outcome} ${o.count}`).join(", ")),
    el("td", {}, provider.lastOutcome ?? "", provider.lastCallAt ? ` · ${time(provider.lastCallAt)}` : ""),
    el(
      "td",
      { className: "balance" },
      el("span", {}, balance ?? ""),
      el("button", { type: "button", onClick: () => onBalance(provider.id) }, "Check")
    )
  )

const failureRow = (failure) =>
  el(
    "tr",
    { "data-order-id": failure.orderId },
    el("td", {}, time(failure.createdAt)),
    el("td", {}, code(failure.orderId)),
    el("td", {}, failure.providerId ?? ""),
    el("td", {}, failure.action),
    el("td", {}, failure.outcome),
    el("td", {}, failure.response ?? "")
  )

/** Draws the whole board from one `GET /v1/admin/dashboard` answer. */
export const renderBoard = (summary, { onAction, onBalance, balances }) => {
  renderCounts(summary.stateCounts)
  fill(
    "manual-queue",
    summary.manualQueue.map((o) => manualRow(o, onAction)),
    "No order waits for an operator."
  )
  fill(
    "providers",
    summary.providers.map((p) => providerRow(p, balances.get(p.id), onBalance)),
    "No provider is configured."
  )
  fill("recent-failures", summary.recentFailures.map(failureRow), "No recent failure.")
  fill(
    "recent-orders",
    summary.recentOrders.map((o) => recentRow(o, onAction)),
    "No order yet."
  )
}
