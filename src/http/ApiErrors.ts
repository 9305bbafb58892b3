import { HttpApiMiddleware } from "effect/http-api"
import { ValidationError } from "../orders/ValidationError.js"
import {
  InternalError,
  NotFound,
  PayloadTooLarge,
  ServiceUnavailable,
  UnsupportedMediaType
} from "./HttpErrors.js"

/** The errors any request may get whatever its route; the router-wide mapping (`ErrorMapping.ts`) answers them too. */
export const apiWideErrors = [
  ValidationError,
  NotFound,
  PayloadTooLarge,
  UnsupportedMediaType,
  ServiceUnavailable,
  InternalError
] as const

/**
 * The errors every endpoint of Tawsil's own API may answer, whatever the group: bad input, unknown routes,
 * oversized or non-JSON bodies, an unreachable database (503) and internal errors (500). Effect 4 has no API-wide
 * errors, so they are this middleware's (on every endpoint of `TawsilApi`, in the OpenAPI document and the typed
 * client); `ApiErrorsLive` implements it.
 */
export class ApiErrors extends HttpApiMiddleware.Service<ApiErrors>()("tawsil/http/ApiErrors", {
  error: apiWideErrors
}) {}
