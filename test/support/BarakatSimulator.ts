import { Effect, type Scope } from "effect"
import { echoContentType, type EchoPlacement, echoText, phpJson } from "./ProviderEcho.js"
import {
  type Incoming,
  type ProtocolFault,
  startWireServer,
  type WireServer,
  type WireReply
} from "./WireServer.js"

export interface BarakatProduct {
  readonly id: string
  readonly name: string
  readonly price: string
  readonly available: boolean
  readonly params: ReadonlyArray<string>
  readonly qty_values: null | { readonly min: number; readonly max: number } | ReadonlyArray<number>
}

export interface BarakatBehaviour {
  readonly latencyMs: number
  readonly outcome: "success" | "failure" | "mixed"
  /** Checks that answer `wait` before the final state. */
  readonly pollsBeforeFinal: number
  /** Every call with the good token answers by echoing the token there (`echoReply`). */
  readonly echo?: EchoPlacement | undefined
}

export interface BarakatSimulatorOptions extends Partial<BarakatBehaviour> {
  readonly port?: number
  readonly token?: string
  readonly balance?: number
  readonly balanceAsNumber?: boolean
  readonly products?: ReadonlyArray<BarakatProduct>
}

export interface BarakatSimulator extends WireServer {
  readonly token: string
  readonly script: (change: Partial<BarakatBehaviour>) => Effect.Effect<void>
  /** How many orders were created with this `order_uuid` (a repeated uuid is a new order). */
  readonly placements: (uuid: string) => Effect.Effect<number>
  /** The ids asked for by each check request, in order. */
  readonly checkBatches: Effect.Effect<ReadonlyArray<ReadonlyArray<string>>>
}

export const defaultBarakatProducts: ReadonlyArray<BarakatProduct> = [
  { id: "101", name: "PUBG 325 UC", price: "4.55", available: true, params: ["uid"], qty_values: null },
  {
    id: "202",
    name: "Likee Diamonds",
    price: "0.50",
    available: true,
    params: ["player_id", "server"],
    qty_values: { min: 1, max: 100 }
  },
  {
    id: "303",
    name: "Free Fire 100",
    price: "1.00",
    available: false,
    params: ["uid"],
    qty_values: [1, 2, 5]
  }
]

interface BarakatOrder {
  readonly orderId: string
  readonly uuid: string | undefined
  readonly outcome: "success" | "failure"
  readonly price: string
  checks: number
}

const json = (status: number, body: unknown): WireReply => ({
  status,
  body: JSON.stringify(body),
  contentType: "application/json"
})
const code = (status: number, errorCode: number, message: string) =>
  json(status, { code: errorCode, message })
const error = (message: string) => json(200, { status: "ERROR", message })

const faultReply: Readonly<Record<ProtocolFault, WireReply>> = {
  insufficientBalance: error("Insufficient balance"),
  productNotFound: code(404, 109, "Product not found"),
  maintenance: code(200, 130, "Site under maintenance")
}

/**
 * An answer, written the way PHP writes JSON, that echoes the token: a check rejects the orders asked for with the
 * echo as their note, any other call is an error with it as the message; `html` is a whole page.
 */
const echoReply = (
  where: EchoPlacement,
  query: URLSearchParams,
  isCheck: boolean,
  token: string
): WireReply => {
  const sent = { "api-token": token }
  // in a JSON answer the value itself is the JSON echo: the body's encoding is the echo's
  const echoed = where === "json" ? token : echoText(where, sent)
  if (where === "html") return { status: 200, body: echoed, contentType: "text/html" }
  const ids = /^\[(.*)\]$/.exec(query.get("orders") ?? "")?.[1]?.split(",") ?? []
  const body = isCheck
    ? {
        status: "OK",
        data: ids.map((id, i) => ({
          order_id: String(90000 + i),
          order_uuid: id.trim(),
          status: "reject",
          note: echoed
        }))
      }
    : { status: "ERROR", message: `Request refused: ${echoed}` }
  return {
    status: 200,
    body: phpJson(body),
    contentType: where === "header" ? echoContentType("application/json", sent) : "application/json"
  }
}

const validQuantity = (product: BarakatProduct, qty: number) => {
  const values = product.qty_values
  if (values === null) return qty === 1 ? undefined : code(400, 105, "Quantity not allowed")
  if (Array.isArray(values)) return values.includes(qty) ? undefined : code(400, 112, "Quantity not in list")
  if ("min" in values)
    return qty >= values.min && qty <= values.max ? undefined : code(400, 106, "Quantity out of range")
  return undefined
}

/**
 * Barakat over real HTTP (docs/wire-protocols.md §3): JSON, the token in `api-token`, orders kept by `order_uuid` (a repeated
 * uuid is a new order; the newest answers checks), a batch check of at most 50 ids that leaves unknown ids out.
 */
export const start = (
  options: BarakatSimulatorOptions = {}
): Effect.Effect<BarakatSimulator, never, Scope.Scope> =>
  Effect.gen(function* () {
    const token = options.token ?? "tok-7f3a9c1e5b"
    const products = options.products ?? defaultBarakatProducts
    let balance = options.balance ?? 500
    let behaviour: BarakatBehaviour = {
      latencyMs: options.latencyMs ?? 0,
      outcome: options.outcome ?? "success",
      pollsBeforeFinal: options.pollsBeforeFinal ?? 1,
      echo: options.echo
    }
    let nextOrderId = 67890
    const byUuid = new Map<string, BarakatOrder>()
    const byId = new Map<string, BarakatOrder>()
    const placements = new Map<string, number>()
    const checkBatches: Array<ReadonlyArray<string>> = []

    const outcomeFor = (key: string): "success" | "failure" => {
      if (behaviour.outcome !== "mixed") return behaviour.outcome
      const sum = [...key].reduce((total, char) => total + char.charCodeAt(0), 0)
      return sum % 5 === 0 ? "failure" : "success"
    }

    const place = (productId: string, query: URLSearchParams): WireReply => {
      const product = products.find((p) => p.id === productId)
      if (product === undefined) return faultReply.productNotFound
      if (!product.available) return code(200, 110, "Product not available")
      const qty = Number(query.get("qty") ?? "1")
      const wrongQuantity = validQuantity(product, qty)
      if (wrongQuantity !== undefined) return wrongQuantity
      const missing = product.params.find((param) => (query.get(param) ?? "").trim() === "")
      if (product.params[0] === missing) return code(400, 114, `Missing param ${missing}`)
      const price = Number(product.price) * qty
      if (balance < price) return faultReply.insufficientBalance
      balance -= price
      const uuid = query.get("order_uuid") ?? undefined
      const order: BarakatOrder = {
        orderId: String(nextOrderId++),
        uuid,
        outcome: outcomeFor(uuid ?? product.id),
        price: price.toFixed(2),
        checks: 0
      }
      byId.set(order.orderId, order)
      if (uuid !== undefined) {
        byUuid.set(uuid, order)
        placements.set(uuid, (placements.get(uuid) ?? 0) + 1)
      }
      return json(200, {
        status: "OK",
        data: { order_id: order.orderId, status: "wait", price: order.price, pin: null, note: null }
      })
    }

    const check = (query: URLSearchParams): WireReply => {
      const ids = /^\[(.*)\]$/.exec(query.get("orders") ?? "")?.[1]
      if (ids === undefined) return error("orders must be a list")
      const list = ids === "" ? [] : ids.split(",").map((id) => id.trim())
      checkBatches.push(list)
      if (list.length > 50) return error("Too many orders (at most 50)")
      const byUuidFlag = query.get("uuid") === "1"
      const data = list.flatMap((id) => {
        const order = byUuidFlag ? byUuid.get(id) : byId.get(id)
        if (order === undefined) return []
        order.checks += 1
        const final = order.checks > behaviour.pollsBeforeFinal
        const status = !final ? "wait" : order.outcome === "success" ? "accept" : "reject"
        return [
          {
            order_id: order.orderId,
            ...(order.uuid === undefined ? {} : { order_uuid: order.uuid }),
            status,
            ...(status === "accept" ? { pin: `PIN-${order.uuid ?? order.orderId}` } : {}),
            ...(status === "reject" ? { note: "Cancelled by provider: wrong player id" } : {})
          }
        ]
      })
      return json(200, { status: "OK", data })
    }

    const handle = ({ path, query, headers }: Incoming, fault: ProtocolFault | undefined): WireReply => {
      if (!path.startsWith("/client/api/")) {
        return { status: 404, body: "<html><body>Not Found</body></html>", contentType: "text/html" }
      }
      const given = headers["api-token"]
      if (given === undefined) return code(401, 120, "Token required")
      if (given !== token) return code(401, 121, "Token error")
      if (fault !== undefined) return faultReply[fault]
      if (behaviour.echo !== undefined) {
        return echoReply(behaviour.echo, query, path === "/client/api/check", token)
      }
      const newOrder = /^\/client\/api\/newOrder\/([^/]+)\/params$/.exec(path)
      if (newOrder !== null) return place(decodeURIComponent(newOrder[1] ?? ""), query)
      switch (path) {
        case "/client/api/profile":
          return json(200, {
            balance: options.balanceAsNumber === true ? balance : balance.toFixed(2),
            email: "reseller@example.com"
          })
        case "/client/api/products":
          return json(200, products)
        case "/client/api/check":
          return check(query)
        default:
          return code(404, 404, "Not found")
      }
    }

    const server = yield* startWireServer({
      port: options.port,
      secretParams: [],
      latencyMs: () => behaviour.latencyMs,
      endpointOf: (path) =>
        path.includes("/newOrder/")
          ? "place"
          : path.endsWith("/check")
            ? "check"
            : path.endsWith("/profile")
              ? "balance"
              : "other",
      handle
    })

    return {
      ...server,
      token,
      script: (change) => Effect.sync(() => void (behaviour = { ...behaviour, ...change })),
      placements: (uuid) => Effect.sync(() => placements.get(uuid) ?? 0),
      checkBatches: Effect.sync(() => [...checkBatches])
    }
  })

export const BarakatSimulator = { start } as const
