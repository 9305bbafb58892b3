import { Effect } from "effect"
import type { TawsilNode } from "./Node.js"

export interface Znet {
  readonly url: string
  readonly kod: string
  readonly sifre: string
}

const call = async (origin: string, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return JSON.parse(text) as Record<string, unknown>
}

/**
 * `providers` Znet providers (all the same simulator, behind the proxy) with one package each: the Znet adapter
 * spaces calls to one provider 200 ms apart, so several providers let a few hundred orders move in seconds.
 * Returns the reseller key and the package ids.
 */
export const setup = (node: TawsilNode, token: string, znet: Znet, providers: number) =>
  Effect.promise(async () => {
    const packages: Array<string> = []
    for (let i = 0; i < providers; i++) {
      await call(node.origin, token, "PUT", `/v1/admin/providers/z${i}`, {
        kind: "znet",
        name: `Znet ${i}`,
        enabled: true,
        baseUrl: znet.url,
        credentials: { kod: znet.kod, sifre: znet.sifre }
      })
      await call(node.origin, token, "PUT", `/v1/admin/packages/p${i}`, {
        name: `PUBG 325 via z${i}`,
        price: "1.00",
        currency: "USD",
        enabled: true,
        route: { mode: "auto", primary: `z${i}` },
        mappings: { [`z${i}`]: { sku: "2", meta: { oyun: "1", kupur: "325" } } }
      })
      packages.push(`p${i}`)
    }
    const created = await call(node.origin, token, "POST", "/v1/admin/accounts", {
      name: "Chaos",
      currency: "USD"
    })
    const account = created.account as { id: string }
    await call(node.origin, token, "POST", `/v1/admin/accounts/${account.id}/credit`, {
      amount: "1000000.00"
    })
    return { key: created.apiKey as string, packages }
  })

/** Creates `count` orders, spread round-robin over `nodes` and the packages, 16 at a time; returns the order ids. */
export const createOrders = (
  nodes: ReadonlyArray<TawsilNode>,
  key: string,
  packages: ReadonlyArray<string>,
  count: number,
  offset = 0
) =>
  Effect.promise(async () => {
    const ids: Array<string> = []
    let next = 0
    const worker = async () => {
      while (next < count) {
        const i = next++
        const node = nodes[i % nodes.length]!
        const order = await call(node.origin, key, "POST", "/v1/orders", {
          packageId: packages[i % packages.length],
          playerId: `player-${offset + i}`
        })
        ids.push(order.id as string)
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    return ids
  })
