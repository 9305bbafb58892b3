import { Config, Context, Duration, Effect, Layer, Logger, Option, Redactable, Schema, Tracer } from "effect"

export type LogFormat = "json" | "pretty"

const logFormat = Config.schema(
  Schema.Literals(["json", "pretty"]).annotate({
    description: "log format: json (one object a line) or pretty"
  }),
  "TAWSIL_LOG_FORMAT"
)

/** `TAWSIL_LOG_FORMAT`; unset = `pretty` on a terminal, `json` otherwise (a pipe, a container, a service). */
export const logFormatConfig = (isTerminal: boolean): Config.Config<LogFormat> =>
  logFormat.pipe(Config.withDefault<LogFormat>(isTerminal ? "pretty" : "json"))

/** Keys every JSON line has (or may have) of its own; an annotation with one of these names gets a `_` prefix. */
const reserved = new Set(["time", "level", "message", "fiber", "spans", "traceId", "spanId", "cause"])

const currentSpan = (options: Logger.Options<unknown>) =>
  Context.getOption(options.fiber.context, Tracer.ParentSpan)

/** The module a line comes from: its `module` annotation, else the first word of its span (`Orders.create`). */
const moduleOf = (annotations: Record<string, unknown>, span: Option.Option<Tracer.AnySpan>) => {
  if (typeof annotations["module"] === "string") return annotations["module"]
  if (Option.isSome(span) && span.value._tag === "Span") return span.value.name.split(/[.\s]/)[0] ?? "tawsil"
  return "tawsil"
}

/** JSON.stringify that writes BigInts as text (instead of throwing), redacts `Redactable` values, cuts cycles. */
const stringify = (line: Record<string, unknown>) => {
  const seen = new WeakSet<object>()
  return JSON.stringify(line, (_key, value: unknown) => {
    if (typeof value === "bigint") return value.toString()
    if (typeof value !== "object" || value === null) return value
    if (seen.has(value)) return "[Circular]"
    seen.add(value)
    return Redactable.redact(value)
  })
}

/**
 * One JSON object a line, annotations flattened to the top level: `time`, `level`, `module`, `orderId` (when the
 * line is about an order), `message`, the other annotations, `fiber`, log spans, the trace and span ids of the
 * current span (they match OpenTelemetry's when tracing is on) and the pretty cause of an error. Secrets never get
 * here as text: credentials are `Redacted` values, which write themselves as `<redacted>`.
 */
export const jsonLogger: Logger.Logger<unknown, string> = Logger.make((options) => {
  const log = Logger.formatStructured.log(options)
  const span = currentSpan(options)
  const { module: _module, orderId, ...rest } = log.annotations
  const line: Record<string, unknown> = {
    time: log.timestamp,
    level: log.level,
    module: moduleOf(log.annotations, span),
    ...(orderId === undefined ? {} : { orderId }),
    message: log.message
  }
  for (const [key, value] of Object.entries(rest)) line[reserved.has(key) ? `_${key}` : key] = value
  line["fiber"] = log.fiberId
  if (Object.keys(log.spans).length > 0) line["spans"] = log.spans
  if (Option.isSome(span)) {
    line["traceId"] = span.value.traceId
    line["spanId"] = span.value.spanId
  }
  if (log.cause !== undefined) line["cause"] = log.cause
  return stringify(line)
})

/** How long JSON lines wait to be written together: one `write` per window instead of one per line. */
export const logWindow = Duration.millis(20)

/**
 * Several processes of one service (`TAWSIL_PROCESSES`) share one stdout: a write to a pipe is atomic only up to
 * PIPE_BUF (4096 bytes on Linux), so lines go out in whole-line chunks of at most that size (a longer line alone).
 */
const pipeAtomicBytes = 4096

const writeLines = (lines: Array<string>) =>
  Effect.sync(() => {
    let chunk = ""
    let bytes = 0
    for (const line of lines) {
      const size = Buffer.byteLength(line) + 1
      if (bytes > 0 && bytes + size > pipeAtomicBytes) {
        process.stdout.write(chunk)
        chunk = ""
        bytes = 0
      }
      chunk += `${line}\n`
      bytes += size
    }
    if (bytes > 0) process.stdout.write(chunk)
  })

/**
 * JSON lines are batched: a synchronous write per line cost ~12 % of the service's busy time under load. What is
 * buffered is written when the layer's scope closes (shutdown); a SIGKILL loses at most the last window's lines.
 */
const configuredLogger = (format: LogFormat) =>
  format === "json"
    ? Logger.batched(jsonLogger, { window: logWindow, flush: writeLines })
    : Effect.succeed(Logger.consolePretty())

/**
 * Puts the configured logger in place of Effect's console logger, the default one (in Effect 4
 * `NodeRuntime.runMain` installs no pretty logger of its own), so every line is written once, in one format.
 * Other loggers (the tracer's, for one) are kept. Provide it under everything else (see `main.ts`).
 */
export const LoggingLive = Layer.unwrap(
  Effect.map(logFormatConfig(process.stdout.isTTY === true), (format) =>
    Layer.effect(
      Logger.CurrentLoggers,
      Effect.gen(function* () {
        const next = new Set(yield* Logger.CurrentLoggers)
        next.delete(Logger.defaultLogger)
        next.add(yield* configuredLogger(format))
        return next
      })
    )
  )
)
