/* global document, fetch, location, sessionStorage, setInterval, clearInterval, URLSearchParams */
import { el, renderBoard } from "./render.js"

const tokenKey = "tawsil.adminToken"
const requested = Number(new URLSearchParams(location.search).get("refresh") ?? "5")
const refreshSeconds = Number.isFinite(requested) ? Math.min(Math.max(requested, 1), 60) : 5
const balanceSeconds = 60

const $ = (id) => document.getElementById(id)
const balances = new Map()
let latest
let timers = []
let pending
let lastAction = ""

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`)
    this.status = status
    this.tag = body?._tag
  }
}

/** Calls the admin API with the operator's token; an error answer becomes an ApiError carrying its `_tag`. */
const api = async (method, path, body) => {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(tokenKey) ?? ""}` }
  if (body !== undefined) headers["content-type"] = "application/json"
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const data = await response.json().catch(() => undefined)
  if (!response.ok) throw new ApiError(response.status, data)
  return data
}

const showStatus = (text, isError = false) => {
  $("status").textContent = text
  $("status").className = isError ? "error" : ""
}

const stopTimers = () => {
  timers.forEach(clearInterval)
  timers = []
}

const showLogin = (message) => {
  stopTimers()
  $("board").hidden = true
  $("sign-out").hidden = true
  $("login").hidden = false
  $("login-error").textContent = message ?? ""
  showStatus("")
}

/** A refused token sends the operator back to the token form; anything else is shown and retried. */
const fail = (what, error) => {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    sessionStorage.removeItem(tokenKey)
    showLogin(error.message)
  } else {
    showStatus(`${what}: ${error.message}`, true)
  }
}

const draw = () => {
  if (latest !== undefined) renderBoard(latest, { onAction: openAction, onBalance: checkBalance, balances })
}

const refresh = async () => {
  try {
    latest = await api("GET", "/v1/admin/dashboard")
    draw()
    showStatus(`${lastAction}updated ${new Date(latest.generatedAt).toLocaleTimeString()}`)
  } catch (error) {
    fail("refresh failed", error)
  }
}

const checkBalance = async (providerId) => {
  balances.set(providerId, "…")
  draw()
  try {
    const answer = await api("GET", `/v1/admin/providers/${encodeURIComponent(providerId)}/balance`)
    balances.set(providerId, `${answer.balance}${answer.currency ? ` ${answer.currency}` : ""}`)
  } catch (error) {
    balances.set(providerId, `unavailable: ${error.message}`)
  }
  draw()
}

const checkBalances = async () => {
  for (const provider of latest?.providers ?? []) {
    if (provider.enabled) await checkBalance(provider.id)
  }
}

const start = async () => {
  $("login").hidden = true
  $("board").hidden = false
  $("sign-out").hidden = false
  await refresh()
  if ($("board").hidden) return
  timers.push(setInterval(refresh, refreshSeconds * 1000), setInterval(checkBalances, balanceSeconds * 1000))
  await checkBalances()
}

const titles = { approve: "Approve order", reject: "Reject and refund order", dispatch: "Send order again" }

const openAction = (action, order) => {
  pending = { action, order }
  const form = $("action-form")
  form.reset()
  $("action-title").textContent = titles[action]
  $("action-order").textContent =
    `#${order.number} · ${order.id} · ${order.packageId} · player ${order.playerId} · ` +
    `${order.price.amount} ${order.price.currency} · ${order.status}`
  $("pin-field").hidden = action !== "approve"
  $("note-field").hidden = action === "dispatch"
  $("provider-field").hidden = action !== "dispatch"
  form.elements.providerId.replaceChildren(
    el("option", { value: "" }, "the package route"),
    ...(latest?.providers ?? []).filter((p) => p.enabled).map((p) => el("option", { value: p.id }, p.name))
  )
  $("action-error").textContent = ""
  $("action-dialog").showModal()
}

/** Only the fields the operator filled in: the API takes each of them as optional. */
const payloadOf = (action, form) => {
  const value = (name) => form.elements[name].value.trim()
  const fields = action === "dispatch" ? ["providerId"] : action === "approve" ? ["note", "pin"] : ["note"]
  return Object.fromEntries(fields.map((name) => [name, value(name)]).filter(([, v]) => v !== ""))
}

const confirmAction = async (event) => {
  event.preventDefault()
  if (pending === undefined) return
  const { action, order } = pending
  $("action-confirm").disabled = true
  try {
    const after = await api(
      "POST",
      `/v1/admin/orders/${encodeURIComponent(order.id)}/${action}`,
      payloadOf(action, $("action-form"))
    )
    $("action-dialog").close()
    pending = undefined
    lastAction = `order #${after.number} ${action}: ${after.status}, ${after.dispatch.state} · `
    await refresh()
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      $("action-dialog").close()
      fail(action, error)
    } else {
      $("action-error").textContent = `${error.tag ?? "Error"}: ${error.message}`
    }
  } finally {
    $("action-confirm").disabled = false
  }
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault()
  const token = $("token").value.trim()
  if (token === "") return
  sessionStorage.setItem(tokenKey, token)
  $("token").value = ""
  start()
})
$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(tokenKey)
  showLogin("")
})
$("action-form").addEventListener("submit", confirmAction)
$("action-cancel").addEventListener("click", () => $("action-dialog").close())

if (sessionStorage.getItem(tokenKey)) start()
else showLogin()
