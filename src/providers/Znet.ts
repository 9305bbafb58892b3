import { type Duration, Effect, type Result, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import type { Answer, Operation } from "./ProviderHttp.js"
import { exchange, joinUrl, misconfigured, providerHttpClient } from "./ProviderHttp.js"
import { makeLanes } from "./ProviderLane.js"
import { providerLimits } from "./ProviderLimits.js"
import { type ProviderError, ProviderMisconfigured, type ProviderOrder } from "./Provider.js"
import type { ProviderRow } from "./ProviderConfigs.js"
import type { ProviderFactory } from "./ProviderKinds.js"
import { scrubbedClient } from "./ScrubbedClient.js"
import { parseBalance, parseCatalogue, parseCheck, parsePlace } from "./ZnetParse.js"

/** The kind's defaults; a provider's own limits (`ProviderLimits.ts`, in its options) win over them. */
export interface ZnetOptions {
  readonly sendTimeout: Duration.Input
  readonly checkTimeout: Duration.Input
  /** The least time between the starts of two calls to one Znet provider (docs/wire-protocols.md §2: ~100–500 ms). */
  readonly spacing: Duration.Input
}

export const znetDefaults: ZnetOptions = {
  sendTimeout: "20 seconds",
  checkTimeout: "15 seconds",
  spacing: "200 millis"
}

const ZnetRow = Schema.Struct({
  base_url: Schema.String.check(Schema.isPattern(/^https?:\/\/\S+$/)),
  credentials: Schema.Struct({ kod: Schema.NonEmptyString, sifre: Schema.NonEmptyString }),
  options: Schema.Struct({ defaultPhone: Schema.optional(Schema.NonEmptyString) })
})
const decodeRow = Schema.decodeUnknownEffect(ZnetRow)

/** `musteri_tel`: the order's `extra` when it looks like a phone number (`+` and 9–15 digits), else the default. */
export const customerPhone = (extra: string | undefined, defaultPhone: string | undefined) => {
  const compact = extra?.replace(/[\s().-]/g, "") ?? ""
  return /^\+\d{9,15}$/.test(compact) ? compact : (defaultPhone ?? "111111111")
}

/**
 * The Znet adapter (docs/wire-protocols.md §2): pipe text over GET, credentials in the query. Our numeric `referans` is the
 * only handle on an order. Calls to one provider go through its lane (spacing, concurrency), whoever makes them.
 */
export const makeZnetFactory = (options: Partial<ZnetOptions> = {}) =>
  Effect.gen(function* () {
    const settings = { ...znetDefaults, ...options }
    const http = providerHttpClient(yield* HttpClient.HttpClient)
    const lanes = yield* makeLanes(settings.spacing)

    const factory: ProviderFactory = (row: ProviderRow) =>
      Effect.gen(function* () {
        const config = yield* decodeRow(row).pipe(
          Effect.mapError(
            () =>
              new ProviderMisconfigured({
                message: `provider ${row.id}: znet needs a baseUrl and credentials { kod, sifre }`
              })
          )
        )
        const limits = yield* providerLimits(row)
        const lane = yield* lanes(row.id, limits)
        const sendTimeout = limits.sendTimeout ?? settings.sendTimeout
        const checkTimeout = limits.checkTimeout ?? settings.checkTimeout
        const { kod, sifre } = config.credentials
        const secrets = [kod, sifre]

        const call = <A>(
          endpoint: string,
          operation: Operation,
          params: Record<string, string>,
          parse: (answer: Answer, secrets: ReadonlyArray<string>) => Result.Result<A, ProviderError>
        ) =>
          lane(
            exchange(
              http,
              HttpClientRequest.get(joinUrl(config.base_url, `/servis/${endpoint}.php`)).pipe(
                HttpClientRequest.setUrlParams({ kod, sifre, ...params })
              ),
              {
                provider: "Znet",
                providerId: row.id,
                endpoint,
                operation,
                timeout: operation === "place" ? sendTimeout : checkTimeout
              }
            )
          ).pipe(Effect.flatMap((answer) => Effect.fromResult(parse(answer, secrets))))

        const reference = (order: ProviderOrder): Effect.Effect<string, ProviderMisconfigured> =>
          /^\d{1,20}$/.test(order.reference)
            ? Effect.succeed(order.reference)
            : misconfigured(`Znet needs a numeric reference of at most 20 digits, not "${order.reference}"`)

        const place = (order: ProviderOrder) =>
          Effect.gen(function* () {
            const oyun = order.mapping?.meta?.oyun
            const kupur = order.mapping?.meta?.kupur
            if (oyun === undefined || kupur === undefined) {
              return yield* misconfigured(
                `the package has no Znet mapping (oyun and kupur) for provider ${row.id}`
              )
            }
            return yield* call(
              "pin_ekle",
              "place",
              {
                oyun,
                kupur,
                referans: yield* reference(order),
                musteri_tel: customerPhone(order.extra, config.options.defaultPhone),
                oyuncu_bilgi: order.playerId
              },
              parsePlace
            )
          }).pipe(
            Effect.withSpan("Znet.place", { attributes: { providerId: row.id, reference: order.reference } })
          )

        const check = (order: ProviderOrder) =>
          reference(order).pipe(
            Effect.flatMap((referans) =>
              call("pin_kontrol", "check", { tahsilat_api_islem_id: referans }, parseCheck)
            ),
            Effect.withSpan("Znet.check", { attributes: { providerId: row.id, reference: order.reference } })
          )

        const balance = call("bakiye_kontrol", "balance", {}, parseBalance).pipe(
          Effect.withSpan("Znet.balance", { attributes: { providerId: row.id } })
        )

        const catalogue = call("pin_listesi", "catalogue", {}, parseCatalogue).pipe(
          Effect.withSpan("Znet.catalogue", { attributes: { providerId: row.id } })
        )

        // a provider may echo what it was sent (the query, with our credentials) in any answer
        return scrubbedClient({ place, check, balance, catalogue }, secrets)
      })

    return factory
  })
