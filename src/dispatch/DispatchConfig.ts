import { Config, Context, Duration, Effect, Layer, Schema } from "effect"
import type { PollSettings } from "../monitor/PollEngine.js"

/** The engine's settings: polling's (`PollSettings`, owned by the monitor) and the send's, the lease's, the drain's. */
export interface DispatchSettings extends PollSettings {
  /** transient send failures: first delay, cap on any delay, and how many retries */
  readonly retryBase: Duration.Duration
  readonly retryCap: Duration.Duration
  readonly retryAttempts: number
  readonly retryJitter: boolean
  /** a send that has not answered by then is ambiguous */
  readonly sendTimeout: Duration.Duration
  /** try the route's fallback provider (once) when the primary is unavailable or misconfigured */
  readonly fallbackEnabled: boolean
  /** an engine node's liveness: how often it heartbeats, and after how long silence its orders are taken over */
  readonly heartbeatInterval: Duration.Duration
  readonly leaseTtl: Duration.Duration
  /** on shutdown, how long sends already in flight may take to finish before the order fibers are interrupted */
  readonly shutdownGrace: Duration.Duration
}

const defaults: DispatchSettings = {
  pollInterval: Duration.seconds(10),
  pollDeadline: Duration.hours(24),
  retryBase: Duration.seconds(1),
  retryCap: Duration.seconds(30),
  retryAttempts: 5,
  retryJitter: true,
  sendTimeout: Duration.seconds(30),
  checkTimeout: Duration.seconds(15),
  resendQuietPeriod: Duration.seconds(60),
  fallbackEnabled: true,
  heartbeatInterval: Duration.seconds(3),
  leaseTtl: Duration.seconds(10),
  shutdownGrace: Duration.seconds(10)
}

// a Config's description is an annotation of its Schema in Effect 4
function duration(name: string, key: keyof DispatchSettings, description: string) {
  const fallback = defaults[key]
  return Config.schema(Schema.DurationFromString.annotate({ description }), name).pipe(
    Config.withDefault(Duration.isDuration(fallback) ? fallback : Duration.zero)
  )
}

export class DispatchConfig extends Context.Service<DispatchConfig, DispatchSettings>()(
  "tawsil/dispatch/DispatchConfig"
) {
  static readonly defaults = defaults

  static readonly layer = (options: Partial<DispatchSettings> = {}) =>
    Layer.succeed(DispatchConfig, { ...DispatchConfig.defaults, ...options })

  static readonly config: Config.Config<DispatchSettings> = Config.all({
    pollInterval: duration("TAWSIL_POLL_INTERVAL", "pollInterval", "spacing of provider status checks"),
    pollDeadline: duration(
      "TAWSIL_POLL_DEADLINE",
      "pollDeadline",
      "after this, an unsettled order goes to manual"
    ),
    retryBase: duration(
      "TAWSIL_RETRY_BASE",
      "retryBase",
      "first delay before retrying a transient send failure"
    ),
    retryCap: duration("TAWSIL_RETRY_CAP", "retryCap", "longest delay between send retries"),
    retryAttempts: Config.schema(
      Schema.Int.annotate({
        description: "retries of a transient send failure before the fallback or manual"
      }),
      "TAWSIL_RETRY_ATTEMPTS"
    ).pipe(Config.withDefault(defaults.retryAttempts)),
    // randomise retry delays (±20%) so retries from many orders do not align (`Config.Boolean`'s true/yes/on/1/y
    // schema is internal to Effect 4, so this description cannot be attached as an annotation)
    retryJitter: Config.Boolean("TAWSIL_RETRY_JITTER").pipe(Config.withDefault(defaults.retryJitter)),
    sendTimeout: duration(
      "TAWSIL_SEND_TIMEOUT",
      "sendTimeout",
      "a send without an answer by then is ambiguous"
    ),
    checkTimeout: duration(
      "TAWSIL_CHECK_TIMEOUT",
      "checkTimeout",
      "a status check without an answer by then"
    ),
    resendQuietPeriod: duration(
      "TAWSIL_RESEND_QUIET_PERIOD",
      "resendQuietPeriod",
      "after an ambiguous send, how long before a 'never seen' answer allows a re-send"
    ),
    // send to the route's fallback provider when the primary cannot serve
    fallbackEnabled: Config.Boolean("TAWSIL_FALLBACK").pipe(Config.withDefault(defaults.fallbackEnabled)),
    heartbeatInterval: duration(
      "TAWSIL_HEARTBEAT_INTERVAL",
      "heartbeatInterval",
      "node liveness heartbeat spacing"
    ),
    leaseTtl: duration("TAWSIL_LEASE_TTL", "leaseTtl", "silence after which a node's orders are taken over"),
    shutdownGrace: duration(
      "TAWSIL_SHUTDOWN_GRACE",
      "shutdownGrace",
      "time for in-flight sends to finish on shutdown"
    )
  })

  static readonly layerFromEnv = Layer.effect(DispatchConfig, Effect.orDie(DispatchConfig.config))
}
