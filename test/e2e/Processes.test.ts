import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { eventuallyWithin } from "../support/Eventually.js"
import { allPages, call, json, type OrderView, packageNumbers, startServiceWith } from "./KillableService.js"

/** Pids of the processes whose environment holds every one of `entries` (`NAME=value`). */
const processesWith = (...entries: ReadonlyArray<string>) =>
  Effect.sync(() =>
    readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")
          return entries.every((entry) => environment.includes(entry))
        } catch {
          return false
        }
      })
      .map(Number)
  )

/** State and parent of a process, from `/proc/<pid>/stat`; undefined once it is gone (or a zombie). */
const statOf = (pid: number) => {
  try {
    const [state, parent] = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return state === "Z" ? undefined : { state, parent: Number(parent) }
  } catch {
    return undefined
  }
}

const waitFor = eventuallyWithin(30_000)

describe("several processes of one service (TAWSIL_PROCESSES=2)", () => {
  it.live(
    "the second process is started again when it dies and its orders finish; killing the primary stops it",
    () =>
      Effect.gen(function* () {
        const s = yield* startServiceWith({
          TAWSIL_PROCESSES: "2",
          TAWSIL_LEASE_TTL: "3 seconds",
          TAWSIL_HEARTBEAT_INTERVAL: "1 second"
        })
        const second = () =>
          processesWith(`TAWSIL_DATA_DIR=${s.dataDir}`, "TAWSIL_PROCESS_INDEX=1").pipe(
            Effect.map((pids) => pids.filter((pid) => statOf(pid) !== undefined))
          )
        const [first] = yield* waitFor(second(), (pids) => pids.length === 1, "the second process runs")
        const primary = statOf(first!)!.parent

        const created: Array<string> = []
        for (let i = 0; i < 24; i++) {
          const answer = yield* call(`${s.base}/v1/orders`, {
            method: "POST",
            token: s.apiKey,
            body: {
              packageId: `p${i % packageNumbers.length}`,
              playerId: `5552${String(i).padStart(4, "0")}`
            }
          })
          assert.strictEqual(answer.status, 201, `${answer.text}${s.context()}`)
          created.push(json(answer).id as string)
        }
        process.kill(first!, "SIGKILL")
        const [restarted] = yield* waitFor(
          second(),
          (pids) => pids.length === 1 && pids[0] !== first,
          "a new second process runs"
        )
        assert.include(s.service.output(), "a process of the service exited; starting it again")

        // the killed process's orders are taken over when its lease expires: every order ends
        const orders = yield* waitFor(
          allPages<OrderView>((cursor) =>
            s.admin("GET", `/v1/admin/orders?limit=100${cursor === undefined ? "" : `&cursor=${cursor}`}`)
          ),
          (all) => all.length === created.length && all.every((order) => order.status !== "pending"),
          "every order approved or rejected"
        )
        assert.sameMembers(
          orders.map((order) => order.id),
          created
        )
        const references = orders.map((order) => order.dispatch.reference)
        assert.strictEqual(new Set(references).size, created.length, "one reference per order")

        // the primary dies: the process it started follows at once (no orphan serving the port)
        process.kill(primary, "SIGKILL")
        yield* waitFor(
          Effect.sync(() => statOf(restarted!)),
          (stat) => stat === undefined,
          "the second process exits after the primary"
        ).pipe(Effect.tapError(() => Effect.logError(s.context())))
        assert.include(s.service.output(), "the primary process is gone; shutting down")
      }),
    90_000
  )
})
