import type { Effect } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { TawsilApi } from "../http/Api.js"

/**
 * The typed client of Tawsil's HTTP API at `baseUrl` (e.g. `http://localhost:3000`), sending `token` (a reseller's
 * API key or the admin token) as `Authorization: Bearer`. Needs an `HttpClient` (`FetchHttpClient.layer`,
 * `NodeHttpClient.layerUndici`, …).
 */
export const makeClient = (baseUrl: string, options: { readonly token?: string | undefined } = {}) =>
  HttpApiClient.make(TawsilApi, {
    baseUrl,
    transformClient: (client) =>
      options.token === undefined
        ? client
        : HttpClient.mapRequest(client, HttpClientRequest.bearerToken(options.token))
  })

/** The client's type, for a host that keeps one in a service. */
export type TawsilClient = Effect.Success<ReturnType<typeof makeClient>>
