/**
 * `npm run bench:create [-- options]`: starts the service on a fresh embedded Postgres and drives POST /v1/orders
 * over loopback from this process — a fixed rate (open loop) and then as fast as it can (closed loop), each with
 * every order from one account and spread round-robin over many accounts — prints a table against the targets,
 * then checks that every account was debited exactly once per 201. See `--help`.
 *
 * Exit status: 0 when measured (targets missed or not), 1 when a request failed or the books do not balance,
 * 2 when the service could not be started or set up.
 */
import { execFileSync } from "node:child_process"
import { cpus } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { closedLoop, fixedRate, makeDriver, type PhaseResult, percentile, type Target } from "./load.js"
import { type BenchAccount, errorsText, printTable, type Row, verify } from "./report.js"
import { call, cpuMeter, type Service, startService, stopService, waitForDispatch } from "./service.js"

const usage = `usage: npm run bench:create -- [options]
  --rate R            fixed-rate phase: requests per second (default 500)
  --seconds N         fixed-rate phase: measured seconds (default 20)
  --peak-seconds N    peak phase: measured seconds (default 10)
  --concurrency C     peak phase: requests in flight (default 64)
  --warmup N          seconds of unrecorded load before each phase (default 2)
  --accounts N        accounts of the spread scenarios (default 100)
  --connections N     keep-alive connections of the driver (default 128)
  --only LIST         scenarios to run, of fixed-one,fixed-many,peak-one,peak-many (default all)
  --route MODE        the package's route: auto (orders go to the simulator, default) or manual (no sends)
  --settle N          before each phase, wait up to N s for the engine to finish earlier orders (default 60)
  --idempotency-keys  send a unique Idempotency-Key with every create
  --echo              copy the service's output (warnings and errors) to stderr as it comes
  --cpu-prof          profile the service (node --cpu-prof); the profile lands in .bench/profiles/
targets: p99 <= 15 ms at 500 req/s, and >= 2500 creates/s at peak, from one account and from many`

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "20" },
    "peak-seconds": { type: "string", default: "10" },
    concurrency: { type: "string", default: "64" },
    warmup: { type: "string", default: "2" },
    accounts: { type: "string", default: "100" },
    connections: { type: "string", default: "128" },
    only: { type: "string", default: "fixed-one,fixed-many,peak-one,peak-many" },
    route: { type: "string", default: "auto" },
    settle: { type: "string", default: "60" },
    "idempotency-keys": { type: "boolean", default: false },
    "cpu-prof": { type: "boolean", default: false },
    echo: { type: "boolean", default: false },
    help: { type: "boolean", default: false }
  }
})
if (flags.help) {
  console.log(usage)
  process.exit(0)
}
const positive = (name: keyof typeof flags) => {
  const n = Number(flags[name])
  if (!(n > 0)) {
    console.error(`--${name} must be a positive number\n${usage}`)
    process.exit(2)
  }
  return n
}
const rate = positive("rate")
const seconds = positive("seconds")
const peakSeconds = positive("peak-seconds")
const concurrency = Math.round(positive("concurrency"))
const warmup = Number(flags.warmup)
const manyAccounts = Math.round(positive("accounts"))
const only = new Set(flags.only.split(","))
const settleSeconds = Number(flags.settle)
if (flags.route !== "auto" && flags.route !== "manual") {
  console.error(`--route must be auto or manual\n${usage}`)
  process.exit(2)
}

const targetP99Ms = 15
const targetPeak = 2500
const initialBalance = "100000000.00"
const price = "1.00"
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..")

/** The commit under test, and whether src/ differs from it. */
const revision = () => {
  try {
    const git = (...args: Array<string>) =>
      execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim()
    const dirty = git("status", "--porcelain", "src")
      .split("\n")
      .filter((l) => l !== "").length
    return `${git("log", "-1", "--format=%h %s")}${dirty > 0 ? ` (+ ${dirty} uncommitted file(s) in src/)` : ""}`
  } catch {
    return "unknown (not a git checkout)"
  }
}

const setUp = async (service: Service) => {
  await call(service, "PUT", "/v1/admin/providers/sim", {
    kind: "simulator",
    name: "Sim",
    enabled: true,
    // settles on the first status check (one poll interval after the send), always successfully
    options: { sendLatencyMs: 0, checksBeforeFinal: 0, outcome: "success" }
  })
  await call(service, "PUT", "/v1/admin/packages/bench", {
    name: "Bench",
    price,
    currency: "USD",
    enabled: true,
    route: { mode: flags.route, primary: "sim" },
    mappings: {}
  })
  const accounts: Array<BenchAccount> = []
  for (let i = 0; i <= manyAccounts; i++) {
    const created = await call<{ account: { id: string }; apiKey: string }>(
      service,
      "POST",
      "/v1/admin/accounts",
      { name: i === 0 ? "bench single" : `bench ${i}`, currency: "USD" },
      { expect: 201 }
    )
    await call(service, "POST", `/v1/admin/accounts/${created.account.id}/credit`, { amount: initialBalance })
    accounts.push({ id: created.account.id, apiKey: created.apiKey, created: 0 })
  }
  return accounts
}

const run = async (service: Service) => {
  const accounts = await setUp(service)
  const targets: Array<Target> = accounts.map((a, index) => ({ index, authorization: `Bearer ${a.apiKey}` }))
  const one = (_i: number) => targets[0]!
  const many = (i: number) => targets[1 + (i % manyAccounts)]!
  const onCreated = (index: number) => accounts[index]!.created++
  const driver = makeDriver(service.origin, Math.round(positive("connections")), flags["idempotency-keys"])

  const scenarios = [
    { id: "fixed-one", name: `${rate}/s, 1 account`, target: one, peak: false },
    { id: "fixed-many", name: `${rate}/s, ${manyAccounts} accounts`, target: many, peak: false },
    { id: "peak-one", name: `peak, 1 account`, target: one, peak: true },
    { id: "peak-many", name: `peak, ${manyAccounts} accounts`, target: many, peak: true }
  ].filter((s) => only.has(s.id))

  const rows: Array<Row> = []
  for (const scenario of scenarios) {
    const phase = (secs: number, record: boolean): Promise<PhaseResult> => {
      const options = { driver, target: scenario.target, seconds: secs, record, onCreated }
      return scenario.peak ? closedLoop({ ...options, concurrency }) : fixedRate({ ...options, rate })
    }
    if (rows.length > 0 && settleSeconds > 0) {
      // the engine sends every order and checks it one poll interval later: let that finish, so that each
      // phase measures its own orders only
      const waited = await waitForDispatch(service, settleSeconds * 1000)
      console.log(
        `  (waited ${(waited.ms / 1000).toFixed(1)} s for earlier orders to settle${waited.idle ? "" : ", gave up"})`
      )
    }
    process.stdout.write(`running ${scenario.name} … `)
    if (warmup > 0) await phase(warmup, false)
    const meter = cpuMeter(service)
    const result = await phase(scenario.peak ? peakSeconds : seconds, true)
    const cpu = meter()
    const throughput = (result.created * 1000) / result.durationMs
    const p99 = percentile(result.latencies, 99)
    const [target, pass] = scenario.peak
      ? [`>= ${targetPeak}/s`, throughput >= targetPeak]
      : [`p99 <= ${targetP99Ms} ms`, p99 <= targetP99Ms]
    rows.push({ scenario: scenario.name, result, cpu, throughput, target, pass })
    console.log(`${result.created} created, errors ${errorsText(result.errors)}`)
    for (const sample of result.samples) console.log(`  e.g. ${sample}`)
    if (result.maxSendLagMs > 10) {
      console.log(
        `  note: the driver fired up to ${result.maxSendLagMs.toFixed(1)} ms late (counted in latency)`
      )
    }
  }
  await driver.close()
  return { rows, accounts }
}

const main = async () => {
  const cpu = cpus()
  console.log(`Tawsil create benchmark, ${new Date().toISOString()}`)
  console.log(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), Node ${process.version}, ${process.platform}/${process.arch}; ` +
      `the driver, the service and its embedded Postgres share them`
  )
  console.log(
    `load: fixed ${rate} req/s for ${seconds} s (open loop, latency from the scheduled send time); ` +
      `peak ${concurrency} in flight for ${peakSeconds} s; ${warmup} s warm-up before each; ` +
      `${flags["idempotency-keys"] ? "with" : "no"} Idempotency-Key`
  )
  console.log(`code: ${revision()}`)
  console.log(`targets: p99 <= ${targetP99Ms} ms at ${rate} req/s; peak >= ${targetPeak} creates/s\n`)

  let service: Service | undefined
  const stop = async () => {
    const s = service
    service = undefined
    if (s !== undefined) await stopService(s)
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(130)))
  }
  const nodeArgs = flags["cpu-prof"]
    ? ["--cpu-prof", `--cpu-prof-dir=${join(repoRoot, ".bench", "profiles")}`]
    : []
  try {
    try {
      service = await startService(repoRoot, { nodeArgs, readyTimeoutMs: 90_000, echo: flags.echo })
    } catch (error) {
      console.error(`could not start the service: ${(error as Error).message}`)
      return 2
    }
    const started = service
    let outcome: Awaited<ReturnType<typeof run>>
    try {
      outcome = await run(started)
    } catch (error) {
      console.error(`\nthe benchmark failed: ${(error as Error).stack}\nservice output:\n${started.output()}`)
      return 2
    }
    console.log()
    printTable(outcome.rows)
    const { problems, dbChecked } = await verify(started, outcome.accounts, initialBalance, price)
    const total = outcome.accounts.reduce((sum, a) => sum + a.created, 0)
    console.log(
      `\nbooks: ${total} orders created (warm-ups included) over ${outcome.accounts.length} accounts; ` +
        (problems.length === 0
          ? `every balance is down by exactly ${price} per 201` +
            (dbChecked
              ? `, and the database holds one order and one debit per 201`
              : ` (database check skipped)`)
          : `${problems.length} problem(s):\n  ${problems.slice(0, 20).join("\n  ")}`)
    )
    const after = started.outputSinceReady()
    if (after.count > 0) {
      console.log(`\nthe service printed ${after.count} line(s) during the run; the last ones:`)
      for (const line of after.lines.slice(-10)) console.log(`  ${line}`)
    }
    const failedRequests = outcome.rows.some((row) => Object.keys(row.result.errors).length > 0)
    return failedRequests || problems.length > 0 ? 1 : 0
  } finally {
    await stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error)
    process.exit(2)
  }
)
