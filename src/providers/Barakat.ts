import { type Duration, Effect, Option, RcMap, type Result, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { makeBatcher } from "../db/Batcher.js"
import {
  type CheckKey,
  checkResultFor,
  parseBalance,
  parseCatalogue,
  parseCheck,
  parsePlace
} from "./BarakatParse.js"
import type { Answer, Operation } from "./ProviderHttp.js"
import { exchange, joinUrl, layerRcMap, misconfigured, providerHttpClient } from "./ProviderHttp.js"
import { type Lane, makeLanes } from "./ProviderLane.js"
import { type ProviderLimits, providerLimits } from "./ProviderLimits.js"
import { type ProviderError, ProviderMisconfigured, type ProviderOrder } from "./Provider.js"
import type { ProviderRow } from "./ProviderConfigs.js"
import type { ProviderFactory } from "./ProviderKinds.js"
import { scrubbedClient } from "./ScrubbedClient.js"
import { chainHeader, TawsilInstance } from "./TawsilChain.js"

/** The kind's defaults; a provider's own limits (`ProviderLimits.ts`, in its options) win over them. */
export interface BarakatOptions {
  readonly sendTimeout: Duration.Input
  readonly checkTimeout: Duration.Input
  /** The least time between the starts of two calls to one Barakat provider: 100 ms keeps to ≤ 10 requests/s. */
  readonly spacing: Duration.Input
  /** How long a check waits for others to share its request. */
  readonly batchWindow: Duration.Input
  readonly maxBatch: number
  readonly batchConcurrency: number
}

export const barakatDefaults: BarakatOptions = {
  sendTimeout: "20 seconds",
  checkTimeout: "15 seconds",
  spacing: "100 millis",
  batchWindow: "25 millis",
  maxBatch: 50,
  batchConcurrency: 2
}

const BarakatRow = Schema.Struct({
  base_url: Schema.String.check(Schema.isPattern(/^https?:\/\/\S+$/)),
  credentials: Schema.Struct({ apiToken: Schema.NonEmptyString })
})
type BarakatRow = typeof BarakatRow.Type
const decodeRow = Schema.decodeUnknownEffect(BarakatRow)

/**
 * The Barakat (Apstore) adapter (docs/wire-protocols.md §3): JSON over GET, the token in the `api-token` header, our order id as
 * `order_uuid`. Checks from every order fiber are batched (≤ 50 ids a request) and calls to one provider go through
 * its lane (spacing, concurrency: a batch of checks is one request).
 *
 * Player input: `meta.params.playerId` names the query key of the player id (default `uid`, the first param of
 * most products) and `meta.params.extra` the key of the extra field; without it the extra field is not sent.
 *
 * Every call carries `X-Tawsil-Chain` (src/providers/TawsilChain.ts): a place the order's incoming chain and this
 * instance's id, any other call this instance's id. Built without a `TawsilInstance`, only the incoming chain.
 */
export const makeBarakatFactory = (options: Partial<BarakatOptions> = {}) =>
  Effect.gen(function* () {
    const settings = { ...barakatDefaults, ...options }
    const http = providerHttpClient(yield* HttpClient.HttpClient)
    const instance = yield* Effect.serviceOption(TawsilInstance)
    const chainHeaders = (incoming: ReadonlyArray<string>): Record<string, string> => {
      const ids = Option.match(instance, { onNone: () => incoming, onSome: ({ id }) => [...incoming, id] })
      return ids.length === 0 ? {} : { [chainHeader]: ids.join(",") }
    }

    const makeClient = (providerId: string, config: BarakatRow, limits: ProviderLimits, lane: Lane) =>
      Effect.gen(function* () {
        const token = config.credentials.apiToken
        const sendTimeout = limits.sendTimeout ?? settings.sendTimeout
        const checkTimeout = limits.checkTimeout ?? settings.checkTimeout
        const secrets = [token]

        const call = <A>(
          path: string,
          operation: Operation,
          params: Record<string, string>,
          parse: (answer: Answer, secrets: ReadonlyArray<string>) => Result.Result<A, ProviderError>,
          chain: ReadonlyArray<string> = []
        ) =>
          lane(
            exchange(
              http,
              HttpClientRequest.get(joinUrl(config.base_url, `/client/api/${path}`)).pipe(
                HttpClientRequest.setHeader("api-token", token),
                HttpClientRequest.setHeaders(chainHeaders(chain)),
                HttpClientRequest.acceptJson,
                HttpClientRequest.setUrlParams(params)
              ),
              {
                provider: "Barakat",
                providerId,
                endpoint: path.split("/")[0] ?? path,
                operation,
                timeout: operation === "place" ? sendTimeout : checkTimeout
              }
            )
          ).pipe(Effect.flatMap((answer) => Effect.fromResult(parse(answer, secrets))))

        const place = (order: ProviderOrder) =>
          Effect.gen(function* () {
            const mapping = order.mapping
            if (mapping === undefined) {
              return yield* misconfigured(
                `the package has no Barakat mapping (sku) for provider ${providerId}`
              )
            }
            const keys = mapping.meta?.params
            const extraKey = keys?.extra
            return yield* call(
              `newOrder/${encodeURIComponent(mapping.sku)}/params`,
              "place",
              {
                qty: String(order.quantity),
                [keys?.playerId ?? "uid"]: order.playerId,
                ...(extraKey !== undefined && order.extra !== undefined ? { [extraKey]: order.extra } : {}),
                order_uuid: order.orderId
              },
              parsePlace,
              order.chain
            )
          }).pipe(Effect.withSpan("Barakat.place", { attributes: { providerId, orderId: order.orderId } }))

        const checkBatch = (keys: ReadonlyArray<CheckKey>) => {
          const ids = [...new Set(keys.map((key) => key.orderId))]
          return call("check", "check", { orders: `[${ids.join(",")}]`, uuid: "1" }, parseCheck).pipe(
            Effect.map((entries) => keys.map((key) => checkResultFor(entries, key))),
            Effect.withSpan("Barakat.checkBatch", { attributes: { providerId, orders: ids.length } })
          )
        }
        const batchedCheck = yield* makeBatcher({
          run: checkBatch,
          window: settings.batchWindow,
          maxBatch: settings.maxBatch,
          concurrency: settings.batchConcurrency
        })

        const check = (order: ProviderOrder) =>
          /^[A-Za-z0-9_-]{1,64}$/.test(order.orderId)
            ? Effect.flatMap(
                batchedCheck({ orderId: order.orderId, providerOrderId: order.providerOrderId }),
                Effect.fromResult
              )
            : misconfigured(`Barakat cannot check an order id like "${order.orderId}"`)

        const balance = call("profile", "balance", {}, parseBalance).pipe(
          Effect.withSpan("Barakat.balance", { attributes: { providerId } })
        )

        const catalogue = call("products", "catalogue", {}, parseCatalogue).pipe(
          Effect.withSpan("Barakat.catalogue", { attributes: { providerId } })
        )

        // a provider may echo what it was sent (the token header) in any answer
        return scrubbedClient({ place, check, balance, catalogue }, secrets)
      })

    const lanes = yield* makeLanes(settings.spacing)
    // one client — so one check batcher — per provider, configuration and limits (keys compared by value): a
    // changed token or limit gets a new one
    const clients = yield* layerRcMap(
      (key: { readonly providerId: string; readonly config: BarakatRow; readonly limits: ProviderLimits }) =>
        Effect.flatMap(lanes(key.providerId, key.limits), (lane) =>
          makeClient(key.providerId, key.config, key.limits, lane)
        )
    )

    const factory: ProviderFactory = (row: ProviderRow) =>
      Effect.gen(function* () {
        const config = yield* decodeRow(row).pipe(
          Effect.mapError(
            () =>
              new ProviderMisconfigured({
                message: `provider ${row.id}: barakat needs a baseUrl and credentials { apiToken }`
              })
          )
        )
        const limits = yield* providerLimits(row)
        return yield* Effect.scoped(RcMap.get(clients, { providerId: row.id, config, limits }))
      })

    return factory
  })
