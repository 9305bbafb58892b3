import { Config, Context, Layer, Option, type Redacted } from "effect"

/** Process-level settings: where the service listens and which Postgres it uses. */
export class TawsilConfig extends Context.Tag("tawsil/TawsilConfig")<
  TawsilConfig,
  {
    readonly port: number
    readonly dataDir: string
    readonly embeddedPostgresPort: number
    readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
    readonly adminToken: Option.Option<Redacted.Redacted<string>>
    readonly demo: Option.Option<boolean>
  }
>() {
  static readonly config = Config.all({
    port: Config.port("PORT").pipe(Config.withDefault(3000), Config.withDescription("HTTP port")),
    dataDir: Config.string("TAWSIL_DATA_DIR").pipe(
      Config.withDefault("./.tawsil"),
      Config.withDescription(
        "the embedded Postgres's data and password, the generated admin token and the demo key (files mode 0600)"
      )
    ),
    embeddedPostgresPort: Config.port("TAWSIL_PG_PORT").pipe(
      Config.withDefault(54329),
      Config.withDescription("loopback port of the embedded Postgres")
    ),
    databaseUrl: Config.option(
      Config.redacted("DATABASE_URL").pipe(Config.withDescription("an external Postgres; unset = embedded"))
    ),
    adminToken: Config.option(
      Config.redacted("TAWSIL_ADMIN_TOKEN").pipe(
        Config.withDescription("admin bearer token; unset = generated at first start")
      )
    ),
    demo: Config.option(
      Config.boolean("TAWSIL_DEMO").pipe(
        Config.withDescription(
          "seed the demo account, package and simulator (default: on with embedded Postgres)"
        )
      )
    )
  })

  static readonly layerFromEnv = Layer.effect(TawsilConfig, TawsilConfig.config)
}

export const isEmbedded = (config: Context.Tag.Service<TawsilConfig>) => Option.isNone(config.databaseUrl)

export const demoEnabled = (config: Context.Tag.Service<TawsilConfig>) =>
  Option.getOrElse(config.demo, () => isEmbedded(config))
