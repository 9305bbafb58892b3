import { Effect, type Scope } from "effect"
import { echoContentType, type EchoPlacement, echoText } from "./ProviderEcho.js"
import {
  type Incoming,
  type ProtocolFault,
  startWireServer,
  type WireServer,
  type WireReply
} from "./WireServer.js"

export interface ZnetProduct {
  readonly id: string
  readonly adi: string
  readonly oyun_bilgi_id: string
  readonly kupur: string
  readonly fiyat: string
  /** A top-up delivers no PIN: its check answers ` - `. */
  readonly topUp?: boolean
}

export interface ZnetBehaviour {
  readonly latencyMs: number
  readonly outcome: "success" | "failure" | "mixed"
  /** Checks that answer `1` (waiting) before the final state. */
  readonly pollsBeforeFinal: number
  /** Every call with good credentials answers by echoing `kod` and `sifre` there (`echoReply`). */
  readonly echo?: EchoPlacement | undefined
}

export interface ZnetSimulatorOptions extends Partial<ZnetBehaviour> {
  readonly port?: number
  readonly kod?: string
  readonly sifre?: string
  readonly balance?: number
  readonly products?: ReadonlyArray<ZnetProduct>
}

export interface ZnetSimulator extends WireServer {
  readonly kod: string
  readonly sifre: string
  readonly script: (change: Partial<ZnetBehaviour>) => Effect.Effect<void>
  /** How many orders were created with this reference (a repeated reference is a new order). */
  readonly placements: (referans: string) => Effect.Effect<number>
}

export const defaultZnetProducts: ReadonlyArray<ZnetProduct> = [
  { id: "2", adi: "PUBG Mobile 325 UC", oyun_bilgi_id: "1", kupur: "325", fiyat: "35.00" },
  { id: "3", adi: "PUBG Mobile 660 UC", oyun_bilgi_id: "1", kupur: "660", fiyat: "70.00" },
  { id: "9", adi: "Free Fire 100 Elmas", oyun_bilgi_id: "4", kupur: "100", fiyat: "10.12", topUp: true }
]

interface ZnetOrder {
  checks: number
  readonly outcome: "success" | "failure"
  readonly product: ZnetProduct
}

const text = (body: string): WireReply => ({ status: 200, body })

/**
 * An answer that echoes what was sent: a check cancels the order with the echo as its description, any other
 * call is refused with it as the error text; `html` is a whole page.
 */
const echoReply = (where: EchoPlacement, endpoint: string, sent: Record<string, string>): WireReply => {
  const echoed = echoText(where, sent)
  if (where === "html") return { status: 200, body: echoed, contentType: "text/html" }
  const body = endpoint === "pin_kontrol" ? `OK|3| - |İptal edildi: ${echoed}` : `5|Geçersiz istek: ${echoed}`
  return where === "header"
    ? { status: 200, body, contentType: echoContentType("text/plain; charset=utf-8", sent) }
    : text(body)
}

const faultReply: Readonly<Record<ProtocolFault, WireReply>> = {
  insufficientBalance: text("6|Bayi Bakiye Yetersiz"),
  productNotFound: text("3|Kupur Bilgisi Bulunamadı"),
  maintenance: text("9|Sistem bakımda, lütfen daha sonra tekrar deneyin")
}

/**
 * Znet over real HTTP (docs/wire-protocols.md §2): pipe text, credentials in the query, orders kept by `referans` (a repeated
 * reference is a new order, the newest answers checks). A wrong `kod`/`sifre` answers `8|Bağlantı Hatası,…` and,
 * like a careless PHP backend, echoes the dealer code back — the adapter must not repeat it.
 */
export const start = (options: ZnetSimulatorOptions = {}): Effect.Effect<ZnetSimulator, never, Scope.Scope> =>
  Effect.gen(function* () {
    const kod = options.kod ?? "bayi-4711"
    const sifre = options.sifre ?? "gizli-sifre-81"
    const products = options.products ?? defaultZnetProducts
    let balance = options.balance ?? 1000
    let behaviour: ZnetBehaviour = {
      latencyMs: options.latencyMs ?? 0,
      outcome: options.outcome ?? "success",
      pollsBeforeFinal: options.pollsBeforeFinal ?? 1,
      echo: options.echo
    }
    const orders = new Map<string, ZnetOrder>()
    const placements = new Map<string, number>()

    const outcomeFor = (referans: string): "success" | "failure" =>
      behaviour.outcome !== "mixed"
        ? behaviour.outcome
        : Number(referans.slice(-1)) % 5 === 0
          ? "failure"
          : "success"

    const place = (query: URLSearchParams): WireReply => {
      const product = products.find(
        (p) => p.oyun_bilgi_id === query.get("oyun") && p.kupur === query.get("kupur")
      )
      if (product === undefined) return faultReply.productNotFound
      const referans = query.get("referans") ?? ""
      if (!/^\d{1,20}$/.test(referans)) return text("4|Referans numarası geçersiz")
      if ((query.get("oyuncu_bilgi") ?? "").trim() === "") return text("5|Oyuncu bilgisi boş olamaz")
      if ((query.get("musteri_tel") ?? "") === "") return text("5|Müşteri telefonu boş olamaz")
      const price = Number(product.fiyat)
      if (balance < price) return faultReply.insufficientBalance
      balance -= price
      orders.set(referans, { checks: 0, outcome: outcomeFor(referans), product })
      placements.set(referans, (placements.get(referans) ?? 0) + 1)
      return text(`OK|${product.fiyat}|${balance.toFixed(2)}`)
    }

    const check = (query: URLSearchParams): WireReply => {
      const referans = query.get("tahsilat_api_islem_id") ?? ""
      const order = orders.get(referans)
      if (order === undefined) return text("3|İşlem Bulunamadı")
      order.checks += 1
      if (order.checks <= behaviour.pollsBeforeFinal) return text("OK|1| - |İşleminiz sırada")
      if (order.outcome === "failure") return text("OK|3| - |İptal edildi: oyuncu bulunamadı")
      return text(`OK|2|${order.product.topUp === true ? " - " : `PIN-${referans}`}|Başarılı`)
    }

    const handle = ({ path, query }: Incoming, fault: ProtocolFault | undefined): WireReply => {
      const name = /^\/servis\/([a-z_]+)\.php$/.exec(path)?.[1]
      if (name === undefined) {
        return { status: 404, body: "<html><body>404 Not Found</body></html>", contentType: "text/html" }
      }
      if (query.get("kod") !== kod || query.get("sifre") !== sifre) {
        return text(`8|Bağlantı Hatası, bayi kodu ${query.get("kod") ?? ""} için yetki yok`)
      }
      if (fault !== undefined) return faultReply[fault]
      if (behaviour.echo !== undefined) return echoReply(behaviour.echo, name, { kod, sifre })
      switch (name) {
        case "bakiye_kontrol":
          return text(`OK|${balance.toFixed(2)}`)
        case "pin_listesi":
          return {
            status: 200,
            contentType: "application/json",
            body: JSON.stringify({
              success: true,
              result: products.map((p) => ({
                id: p.id,
                adi: p.adi,
                oyun_id: p.oyun_bilgi_id,
                oyun_adi: p.adi.split(" ")[0],
                fiyat: p.fiyat,
                kupur: p.kupur,
                oyun_bilgi_id: p.oyun_bilgi_id
              })),
              error: null
            })
          }
        case "pin_ekle":
          return place(query)
        case "pin_kontrol":
          return check(query)
        default:
          return text("")
      }
    }

    const server = yield* startWireServer({
      port: options.port,
      secretParams: ["kod", "sifre"],
      latencyMs: () => behaviour.latencyMs,
      endpointOf: (path) =>
        path.endsWith("/pin_ekle.php")
          ? "place"
          : path.endsWith("/pin_kontrol.php")
            ? "check"
            : path.endsWith("/bakiye_kontrol.php")
              ? "balance"
              : "other",
      handle
    })

    return {
      ...server,
      kod,
      sifre,
      script: (change) => Effect.sync(() => void (behaviour = { ...behaviour, ...change })),
      placements: (referans) => Effect.sync(() => placements.get(referans) ?? 0)
    }
  })

export const ZnetSimulator = { start } as const
