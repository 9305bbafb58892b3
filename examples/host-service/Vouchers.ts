import { Effect, Schema } from "effect"
import {
  CheckResult,
  PlaceResult,
  type ProviderClient,
  type ProviderKind,
  ProviderKinds,
  ProviderMisconfigured,
  type ProviderRow
} from "tawsil"

/** What an operator configures for a `vouchers` provider: the prefix of the codes it issues. */
export const VoucherOptions = Schema.Struct({
  prefix: Schema.String.check(Schema.isPattern(/^[A-Z]{2,8}$/, { message: "2 to 8 capital letters" }))
})

const decodeOptions = Schema.decodeUnknownEffect(VoucherOptions)

/** The code of an order's voucher: the provider's prefix and Tawsil's reference (the same code on every call). */
export const voucherCode = (prefix: string, reference: string) => `${prefix}-${reference}`

const voucherClient = (prefix: string): ProviderClient => ({
  place: (order) =>
    Effect.succeed(
      PlaceResult.Delivered({ pin: voucherCode(prefix, order.reference), message: "voucher issued" })
    ),
  check: (order) =>
    Effect.succeed(
      CheckResult.Succeeded({ pin: voucherCode(prefix, order.reference), message: "voucher issued" })
    ),
  // the shop issues its own vouchers: there is no float to run out of
  balance: Effect.succeed({ balance: "0.00", currency: undefined })
})

/**
 * The shop's own gift vouchers as a Tawsil provider kind: an order routed to a provider of kind `vouchers` is
 * delivered in the send itself, with a code the shop issues. Its options are checked by `VoucherOptions` when an
 * operator saves the provider (`PUT /v1/admin/providers/{id}`): a bad prefix is a 400 naming `options.prefix`.
 */
export const vouchersKind: ProviderKind = {
  options: VoucherOptions,
  reach: "local",
  make: (row: ProviderRow) =>
    decodeOptions(row.options).pipe(
      Effect.mapError(
        () => new ProviderMisconfigured({ message: `provider ${row.id}: bad vouchers options` })
      ),
      Effect.map(({ prefix }) => voucherClient(prefix))
    )
}

/** The provider kinds the host adds to Tawsil's built-in ones: `layer({ providerKinds: HostProviderKinds })`. */
export const HostProviderKinds = ProviderKinds.layer({ vouchers: vouchersKind })
