import { Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import { expectError, send } from "./RawHttp.js"
import { testAdminToken } from "./TestServer.js"

/** `PUT /v1/admin/providers/{id}` with any JSON body, as the admin. */
export const putProvider = (id: string, body: unknown) =>
  send(
    HttpClientRequest.put(`/v1/admin/providers/${id}`).pipe(
      HttpClientRequest.bodyText(JSON.stringify(body), "application/json"),
      HttpClientRequest.bearerToken(testAdminToken)
    )
  )

/** Each named bad body's answer: `[name, status, the field a 400 names (else the answer's text)]`. */
export const refusals = (cases: ReadonlyArray<readonly [string, unknown, string]>) =>
  Effect.forEach(cases, ([name, body]) =>
    Effect.map(putProvider("bad", body), (answer) => [
      name,
      answer.status,
      answer.status === 400 ? expectError(answer, 400, "ValidationError")["field"] : answer.text
    ])
  )
