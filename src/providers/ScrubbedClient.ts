import { Effect } from "effect"
import {
  type CatalogueItem,
  CheckResult,
  PlaceResult,
  type ProviderClient,
  type ProviderError,
  ProviderAmbiguous,
  ProviderMisconfigured,
  ProviderRejected,
  ProviderTransient,
  ProviderUnavailable
} from "./Provider.js"
import { scrub } from "./Scrub.js"

type Clean = (text: string) => string

/** Messages are excerpts for the dispatch log and admin answers; scrubbed first, so no secret is cut in two. */
const excerptLength = 300
const excerpt = (text: string) => (text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text)

const cleanPlace = (clean: Clean, cleanPin: Clean) =>
  PlaceResult.$match({
    Accepted: ({ providerOrderId, cost, message }) =>
      PlaceResult.Accepted({ providerOrderId, cost, message: clean(message) }),
    Delivered: ({ pin, message }) => PlaceResult.Delivered({ pin: cleanPin(pin), message: clean(message) })
  })

const cleanCheck = (clean: Clean, cleanPin: Clean) =>
  CheckResult.$match({
    Pending: ({ message }) => CheckResult.Pending({ message: clean(message) }),
    Succeeded: ({ pin, message }) =>
      CheckResult.Succeeded({ pin: pin === undefined ? undefined : cleanPin(pin), message: clean(message) }),
    Failed: ({ message }) => CheckResult.Failed({ message: clean(message) }),
    NotFound: ({ message }) => CheckResult.NotFound({ message: clean(message) }),
    Looped: ({ message }) => CheckResult.Looped({ message: clean(message) })
  })

const cleanError =
  (clean: Clean) =>
  (error: ProviderError): ProviderError => {
    const message = clean(error.message)
    switch (error._tag) {
      case "ProviderTransient":
        return new ProviderTransient({ message, cause: error.cause })
      case "ProviderAmbiguous":
        return new ProviderAmbiguous({ message, cause: error.cause })
      case "ProviderUnavailable":
        return new ProviderUnavailable({ message })
      case "ProviderMisconfigured":
        return new ProviderMisconfigured({ message, ...(error.loop === true ? { loop: true } : {}) })
      case "ProviderRejected":
        return new ProviderRejected({ message })
    }
  }

const cleanItem =
  (clean: Clean) =>
  (item: CatalogueItem): CatalogueItem => ({ ...item, name: clean(item.name) })

/**
 * A provider client whose every answer and error is scrubbed of `secrets` (every form, `Scrub.ts`) before anyone
 * sees it: whatever an adapter lets through, no credential reaches an order, the dispatch log, an admin answer
 * or a log line. Causes are kept as they are: adapters keep only scrubbed excerpts in them (`UnrecognisedAnswer`).
 */
export const scrubbedClient = (client: ProviderClient, secrets: ReadonlyArray<string>): ProviderClient => {
  const clean: Clean = (text) => excerpt(scrub(text, secrets))
  // a PIN is the goods: scrubbed (a "PIN" holding our credential is an echo), never shortened
  const cleanPin: Clean = (pin) => scrub(pin, secrets)
  const errors = Effect.mapError(cleanError(clean))
  return {
    place: (order) => client.place(order).pipe(Effect.map(cleanPlace(clean, cleanPin)), errors),
    check: (order) => client.check(order).pipe(Effect.map(cleanCheck(clean, cleanPin)), errors),
    balance: client.balance.pipe(errors),
    ...(client.catalogue === undefined
      ? {}
      : {
          catalogue: client.catalogue.pipe(
            Effect.map((items) => items.map(cleanItem(clean))),
            errors
          )
        })
  }
}
