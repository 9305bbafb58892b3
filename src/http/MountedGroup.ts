import type { HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware } from "effect/http-api"

/**
 * A group's endpoints, by identifier, as an HttpApi that adds middleware `Added` to all of its endpoints holds
 * them: Tawsil's adds `ApiErrors`, a host's may add its own or none (`never`). A handler function generic in
 * `Added` serves the group wherever it is mounted; `HttpApiBuilder.group` infers `Added` from the API. Such a
 * handler may fail only with its endpoint's own errors (the added middleware's are not known to it).
 */
export type MountedEndpoints<Group extends HttpApiGroup.Constraint, Added extends HttpApiMiddleware.AnyId> = {
  readonly [Identifier in keyof Group["endpoints"]]: HttpApiEndpoint.AddMiddleware<
    Group["endpoints"][Identifier],
    Added
  >
}
