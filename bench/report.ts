/** The printed table, and the after-run correctness check of balances, orders and ledger debits. */
import { PgClient } from "@effect/sql-pg"
import { Effect, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { type PhaseResult, percentile } from "./load.js"
import { readPassword } from "../src/db/PostgresPassword.js"
import { call, type CpuUse, type Service } from "./service.js"

export interface Row {
  readonly scenario: string
  readonly result: PhaseResult
  readonly cpu: CpuUse
  /** What the target is about, and whether it was met. */
  readonly target: string
  readonly pass: boolean
  readonly throughput: number
}

const ms = (n: number) => (Number.isNaN(n) ? "-" : n < 10 ? n.toFixed(2) : n.toFixed(1))

export const errorsText = (errors: Record<string, number>) => {
  const entries = Object.entries(errors)
  return entries.length === 0 ? "0" : entries.map(([key, n]) => `${n}×${key}`).join(" ")
}

export const printTable = (rows: ReadonlyArray<Row>) => {
  const header = [
    "scenario",
    "requests",
    "201s",
    "errors",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "throughput",
    "cpu svc/pg/drv %",
    "target",
    ""
  ]
  const lines = rows.map((row) => {
    const l = row.result.latencies
    return [
      row.scenario,
      String(row.result.requests),
      String(row.result.created),
      errorsText(row.result.errors),
      ms(percentile(l, 50)),
      ms(percentile(l, 90)),
      ms(percentile(l, 99)),
      ms(l[l.length - 1] ?? NaN),
      `${Math.round(row.throughput)}/s`,
      [row.cpu.service, row.cpu.postgres, row.cpu.driver].map((n) => n.toFixed(0)).join("/"),
      row.target,
      row.pass ? "PASS" : "MISS"
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)))
  const format = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (i === 0 || i >= 10 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ")
  console.log(format(header))
  console.log(widths.map((w) => "-".repeat(w)).join("  "))
  for (const line of lines) console.log(format(line))
}

export interface BenchAccount {
  readonly id: string
  readonly apiKey: string
  /** 201s this account got, warm-up included. */
  created: number
}

const cents = (amount: string) => {
  const [whole, fraction = ""] = amount.split(".")
  const sign = whole!.startsWith("-") ? -1n : 1n
  return BigInt(whole!) * 100n + sign * BigInt((fraction + "00").slice(0, 2))
}

/**
 * Every account must have been debited exactly price × its 201s (via the API), and hold exactly that many orders
 * and debit ledger entries (read straight from the embedded Postgres). Returns the problems found.
 */
export const verify = async (
  service: Service,
  accounts: ReadonlyArray<BenchAccount>,
  initial: string,
  price: string
): Promise<{ problems: Array<string>; dbChecked: boolean }> => {
  const problems: Array<string> = []
  for (const account of accounts) {
    const { balance } = await call<{ balance: string }>(service, "GET", "/v1/account", undefined, {
      token: account.apiKey
    })
    const expected = cents(initial) - cents(price) * BigInt(account.created)
    if (cents(balance) !== expected) {
      problems.push(`${account.id}: balance ${balance}, expected ${initial} - ${account.created} × ${price}`)
    }
  }

  // the embedded Postgres's password, kept 0600 in its data directory (src/db/PostgresPassword.ts)
  const password = Option.getOrThrow(readPassword(service.dataDir))
  const url = Redacted.make(
    `postgres://postgres:${Redacted.value(password)}@127.0.0.1:${service.pgPort}/postgres`
  )
  const counts = Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ id: string; orders: number; debits: number; debited: string }>`
      select a.id,
        (select count(*) from tawsil.orders o where o.account_id = a.id)::int as orders,
        (select count(*) from tawsil.ledger_entries l where l.account_id = a.id and l.kind = 'debit')::int as debits,
        (select coalesce(-sum(amount), 0) from tawsil.ledger_entries l
          where l.account_id = a.id and l.kind = 'debit')::text as debited
      from tawsil.accounts a`
  }).pipe(Effect.provide(PgClient.layer({ url, maxConnections: 1 })))
  const rows = await Effect.runPromise(Effect.result(counts))
  if (rows._tag === "Failure") return { problems, dbChecked: false }
  const byId = new Map(rows.success.map((row) => [row.id, row]))
  for (const account of accounts) {
    const row = byId.get(account.id)
    const debited = cents(price) * BigInt(account.created)
    if (row === undefined) problems.push(`${account.id}: not in the database`)
    else if (
      row.orders !== account.created ||
      row.debits !== account.created ||
      cents(row.debited) !== debited
    ) {
      problems.push(
        `${account.id}: ${account.created} × 201 but ${row.orders} orders, ${row.debits} debits totalling ${row.debited}`
      )
    }
  }
  return { problems, dbChecked: true }
}
