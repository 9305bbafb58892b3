/**
 * The shop's own provider kind (`vouchers`, with a Schema for its options), configured through Tawsil's admin API
 * mounted in the host's API: checked by its schema (a bad option is a 400 naming the field), listed, and serving
 * the orders routed to it. Only "tawsil" and "tawsil/testing" are imported.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { ValidationError } from "tawsil"
import { TawsilTest, TestPostgres } from "tawsil/testing"
import {
  adminToken,
  hostClient,
  hostTestLayer,
  ShopAccount,
  shopPackageId,
  TawsilWithHostKinds
} from "./HostTestLayer.js"
import { voucherCode } from "./Vouchers.js"

/** `PUT /v1/admin/providers/{id}` on the host's port, as raw JSON: its status and body. */
const putProvider = (id: string, body: unknown) =>
  Effect.gen(function* () {
    const response = yield* HttpClient.execute(
      HttpClientRequest.put(`/v1/admin/providers/${id}`).pipe(
        HttpClientRequest.bodyText(JSON.stringify(body), "application/json"),
        HttpClientRequest.bearerToken(adminToken)
      )
    )
    return { status: response.status, body: yield* response.json }
  }).pipe(Effect.orDie)

const decodeValidationError = Schema.decodeUnknownEffect(ValidationError)

// Tawsil as main.ts wires it: `layer({ providerKinds: HostProviderKinds })`
const HostTestLive = hostTestLayer(TawsilWithHostKinds, TestPostgres)

describe("a provider kind of the host's, configured through the admin API", () => {
  it.effect("a bad option: 400 ValidationError naming the field, and nothing stored", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ prefix: "gift-1" }, "options.prefix"],
        [{}, "options.prefix"],
        // not an object: refused by the request's own schema, before the kind's
        ["GIFT", "options"]
      ]
      const answers = []
      for (const [options] of cases) {
        const answer = yield* putProvider("vouchers", { kind: "vouchers", name: "Vouchers", options })
        const refused = yield* Effect.result(decodeValidationError(answer.body))
        answers.push([answer.status, refused._tag === "Success" ? refused.success.field : answer.body])
      }
      assert.deepStrictEqual(
        answers,
        cases.map(([, field]) => [400, field])
      )
      const admin = yield* hostClient(adminToken)
      assert.deepStrictEqual(yield* admin.admin.listProviders(), [])
    }).pipe(Effect.provide(HostTestLive))
  )

  it.effect("saved and listed; the shop's order routed to it is delivered with the kind's code", () =>
    Effect.gen(function* () {
      const admin = yield* hostClient(adminToken)
      const saved = yield* putProvider("vouchers", {
        kind: "vouchers",
        name: "Shop vouchers",
        options: { prefix: "GIFT" }
      })
      assert.strictEqual(saved.status, 200, JSON.stringify(saved.body))
      const listed = yield* admin.admin.listProviders()
      assert.deepStrictEqual(
        listed.map((provider) => [provider.id, provider.kind, provider.options]),
        [["vouchers", "vouchers", { prefix: "GIFT" }]]
      )
      yield* admin.admin.putPackage({
        params: { id: shopPackageId },
        payload: {
          name: "Gift card",
          price: "5.00",
          currency: "USD",
          enabled: true,
          route: { mode: "auto", primary: "vouchers" },
          mappings: {}
        }
      })

      const { apiKey } = yield* ShopAccount
      const purchase = yield* (yield* hostClient()).shop.buy({
        payload: { purchaseId: "p-1", playerId: "5551234" }
      })
      const settled = yield* TawsilTest.awaitSettled(purchase.orderId)
      assert.strictEqual(settled.status, "approved")
      const reference = settled.dispatch.reference
      assert.isDefined(reference)
      assert.strictEqual(settled.pin, voucherCode("GIFT", reference))
      const seen = yield* (yield* hostClient(apiKey)).orders.get({ params: { id: purchase.orderId } })
      assert.strictEqual(seen.pin, settled.pin, "the reseller sees the voucher's code")
    }).pipe(Effect.provide(HostTestLive))
  )
})
