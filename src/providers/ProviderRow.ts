import { ProviderView } from "./ProviderConfig.js"

/** A configured provider as stored: credentials included, for the adapters only. */
export interface ProviderRow {
  readonly id: string
  /** a built-in kind, or one a host service added (`ProviderKinds`) */
  readonly kind: string
  readonly name: string
  readonly base_url: string | null
  readonly credentials: Record<string, string>
  /** as the kind's options schema encodes them (checked when the provider was saved) */
  readonly options: Record<string, unknown>
  readonly enabled: boolean
}

/** What the API shows of a stored provider: never its credentials. */
export const toProviderView = (row: ProviderRow) =>
  new ProviderView({
    id: row.id,
    kind: row.kind,
    name: row.name,
    ...(row.base_url === null ? {} : { baseUrl: row.base_url }),
    enabled: row.enabled,
    options: row.options,
    hasCredentials: Object.keys(row.credentials).length > 0
  })
