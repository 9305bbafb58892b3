import { Config, Effect, Layer, LogLevel, References, Schema, SchemaTransformation } from "effect"

/** A level name in any case, as v3 read it: Trace, Debug, Info, Warn (or Warning), Error, Fatal, Off (or None), All. */
const LogLevelName = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Literals(LogLevel.values),
    SchemaTransformation.transform({
      decode: (name) => {
        const lower = name.trim().toLowerCase()
        const level = lower === "off" ? "none" : lower === "warning" ? "warn" : lower
        return (level.charAt(0).toUpperCase() + level.slice(1)) as LogLevel.LogLevel
      },
      encode: (level) => level
    })
  )
)

export const LogLevelLive = Layer.unwrap(
  Effect.map(Config.schema(LogLevelName, "TAWSIL_LOG_LEVEL").pipe(Config.withDefault("Info")), (level) =>
    Layer.succeed(References.MinimumLogLevel, level)
  )
)
