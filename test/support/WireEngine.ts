import { Clock, Effect } from "effect"
import { HttpClient, HttpClientRequest, HttpClientResponse } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { TestClock } from "effect/testing"
import { TawsilApi } from "../../src/http/Api.js"
import type { Mapping, Route } from "../../src/orders/Package.js"
import { eventually, pendingSleeps } from "./TestEngine.js"
import { adminClient } from "./TestServer.js"
import type { WireServer } from "./WireServer.js"

/** The typed API client, as `apiClient` makes it. */
export type Client = Effect.Success<typeof adminClient>

/** Znet's PUBG 325 UC in the simulator's default catalogue: `pin_listesi` id 2, game 1, denomination 325. */
export const znetPubg: Mapping = { sku: "2", meta: { oyun: "1", kupur: "325" } }
/** Barakat's PUBG 325 UC in the simulator's default catalogue (param `uid`, quantity 1 only). */
export const barakatPubg: Mapping = { sku: "101" }

export const putZnet = (
  admin: Client,
  id: string,
  target: { readonly baseUrl: string; readonly kod: string; readonly sifre: string }
) =>
  admin.admin.putProvider({
    params: { id },
    payload: {
      kind: "znet",
      name: `Znet ${id}`,
      baseUrl: target.baseUrl,
      credentials: { kod: target.kod, sifre: target.sifre },
      enabled: true,
      options: {}
    }
  })

export const putBarakat = (
  admin: Client,
  id: string,
  target: { readonly baseUrl: string; readonly token: string }
) =>
  admin.admin.putProvider({
    params: { id },
    payload: {
      kind: "barakat",
      name: `Barakat ${id}`,
      baseUrl: target.baseUrl,
      credentials: { apiToken: target.token },
      enabled: true,
      options: {}
    }
  })

/** A USD package with `route` and provider `mappings`, through the admin API. */
export const putPackage = (
  admin: Client,
  id: string,
  route: Route,
  mappings: Readonly<Record<string, Mapping>>,
  price = "35.00"
) =>
  admin.admin.putPackage({
    params: { id },
    payload: { name: `Package ${id}`, price, currency: "USD", enabled: true, route, mappings }
  })

/** The requests a wire simulator saw on paths ending with `suffix`, oldest first. */
export const requestsTo = (server: WireServer, suffix: string) =>
  Effect.map(server.requests, (requests) => requests.filter((r) => r.path.endsWith(suffix)))

/** Real time, for I/O to land while the TestClock stands still. */
export const realPause = (millis: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** How many sleeps are registered at `atMillis` (TestClock time); interrupted sleeps stay counted. */
export const sleepsAt = (atMillis: number) =>
  Effect.map(pendingSleeps, (sleeps) => sleeps.filter((at) => at === atMillis).length)

/** Waits until at least `count` sleeps are registered at `atMillis`. */
export const awaitSleeps = (atMillis: number, count: number) =>
  eventually(
    sleepsAt(atMillis),
    (n) => n >= count,
    `${count} sleep(s) registered at ${atMillis} ms (TestClock)`
  ).pipe(Effect.asVoid)

const nextSleepWithin = (within: number) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const due = (yield* pendingSleeps).filter((at) => at > now && at <= now + within)
    return due.length === 0 ? undefined : Math.min(...due) - now
  })

/**
 * Moves the TestClock from sleep to sleep, each no further than `within` ahead (the adapters' batch windows and
 * rate-limiter refills), until `done`. Before each step it waits for the last step's I/O to land: for `settled`
 * (when given), and for the next sleep to be registered.
 */
export const stepClockUntil = <E, R, E2 = never, R2 = never>(
  done: Effect.Effect<boolean, E, R>,
  options: {
    readonly within: number
    readonly settled?: Effect.Effect<boolean, E2, R2>
    /** Told the TestClock time of each step before it is taken. */
    readonly onStep?: (atMillis: number) => void
    readonly maxSteps?: number
  }
) =>
  Effect.gen(function* () {
    const maxSteps = options.maxSteps ?? 500
    const settled = options.settled ?? Effect.succeed(true)
    for (let step = 0; step < maxSteps; step++) {
      const [finished, ready, next] = yield* eventually(
        Effect.all([done, settled, nextSleepWithin(options.within)]),
        ([finished, ready, next]) => finished || (ready && next !== undefined)
      )
      if (finished || !ready || next === undefined) return step
      options.onStep?.((yield* Clock.currentTimeMillis) + next)
      yield* TestClock.adjust(next)
    }
    return yield* Effect.die(new Error(`not done after ${maxSteps} clock steps`))
  })

/**
 * A typed API client that keeps the raw text of every answer it receives (bodies of errors included), so a test
 * can look for what an answer must never hold.
 */
export const recordingClient = (bodies: Array<string>, token: string) =>
  HttpApiClient.make(TawsilApi, {
    transformClient: (client) =>
      client.pipe(
        HttpClient.mapRequest(HttpClientRequest.bearerToken(token)),
        // a body can be read once: keep its text, and hand the client a response over the same bytes
        HttpClient.transformResponse(
          Effect.flatMap((response) =>
            Effect.map(response.arrayBuffer, (bytes) => {
              bodies.push(`${response.status} ${new TextDecoder().decode(bytes)}`)
              return HttpClientResponse.fromWeb(
                response.request,
                new Response(bytes.byteLength === 0 ? null : bytes, {
                  status: response.status,
                  headers: response.headers
                })
              )
            })
          )
        )
      )
  })
