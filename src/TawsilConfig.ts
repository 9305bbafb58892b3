import { Config, Context, Layer, Option, type Redacted } from "effect"

/** Process-level settings: where the service listens and which Postgres it uses. */
export class TawsilConfig extends Context.Service<
  TawsilConfig,
  {
    readonly port: number
    readonly dataDir: string
    readonly embeddedPostgresPort: number
    readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
    readonly adminToken: Option.Option<Redacted.Redacted<string>>
    readonly demo: Option.Option<boolean>
  }
>()("tawsil/TawsilConfig") {
  // v4 has no Config.withDescription: the descriptions the v3 config carried are the comments here
  static readonly config = Config.all({
    /** HTTP port */
    port: Config.Port("PORT").pipe(Config.withDefault(3000)),
    /** the embedded Postgres's data and password, the generated admin token and the demo key (files mode 0600) */
    dataDir: Config.String("TAWSIL_DATA_DIR").pipe(Config.withDefault("./.tawsil")),
    /** loopback port of the embedded Postgres */
    embeddedPostgresPort: Config.Port("TAWSIL_PG_PORT").pipe(Config.withDefault(54329)),
    /** an external Postgres; unset = embedded */
    databaseUrl: Config.option(Config.Redacted("DATABASE_URL")),
    /** admin bearer token; unset = generated at first start */
    adminToken: Config.option(Config.Redacted("TAWSIL_ADMIN_TOKEN")),
    /** seed the demo account, package and simulator (default: on with embedded Postgres) */
    demo: Config.option(Config.Boolean("TAWSIL_DEMO"))
  })

  static readonly layerFromEnv = Layer.effect(TawsilConfig, TawsilConfig.config)
}

export const isEmbedded = (config: TawsilConfig["Service"]) => Option.isNone(config.databaseUrl)

export const demoEnabled = (config: TawsilConfig["Service"]) =>
  Option.getOrElse(config.demo, () => isEmbedded(config))
