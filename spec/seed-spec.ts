/**
 * The seed spec: the seed stack's config (`mla:*` keys) as a TypeBox schema with its `Static<>`
 * type (pure). Every field is optional and takes its default from `defaultSeedPlan()`; fields,
 * enums and bounds come from the plan's schemas (`seed-plan.ts`), so the config cannot admit what
 * the plan refuses. The checks across fields are in `checks/seed-checks.ts`; `grafana.oauth` is
 * read by its own loader, which never echoes a pasted client secret.
 */
import { type Static, type TObject, type TSchema, Type } from "@sinclair/typebox";
import { DnsLabel, ResourceSpec, STRICT, oneOf } from "./cluster-spec";
import { CACHES, SIZED_CONTAINERS, SIZING_PROFILES } from "./seed-sizing";
import {
    CortexReplicas,
    GrafanaAuthProxy,
    GrafanaDatabase,
    GrafanaPersistence,
    LokiReplicas,
    MinioPlan,
    SeedPlan,
} from "./seed-plan";
import { PROBLEM_KEYWORD } from "./schema-problems";

const Optional = Type.Optional;

/** Each listed key, optional, with one schema; unknown keys refused. */
function keysOf<K extends string>(keys: readonly K[], schema: TSchema): TObject {
    return Type.Object(Object.fromEntries(keys.map((k) => [k, Optional(schema)])), STRICT);
}

/** `mla:objectStore`: the bundled MinIO (`minio.*`) or an external S3 endpoint. */
export const ObjectStoreConfig = Type.Object(
    {
        type: Optional(oneOf(["minio", "s3"] as const)),
        /** `host[:port]` without a scheme (checked in `checks/seed-checks.ts`). */
        endpoint: Optional(Type.String({ maxLength: 253 })),
        region: Optional(Type.String({ minLength: 1, maxLength: 63 })),
        insecure: Optional(Type.Boolean()),
        minio: Optional(Type.Partial(Type.Omit(MinioPlan, ["kind"]), STRICT)),
    },
    STRICT,
);

/** `mla:sizing`: a profile and overrides of any container's resources or any cache's size. */
export const SizingConfig = Type.Object(
    {
        profile: Optional(oneOf(SIZING_PROFILES)),
        resources: Optional(
            Type.Object(
                Object.fromEntries(
                    Object.entries(SIZED_CONTAINERS).map(([backend, containers]) => [
                        backend,
                        Optional(keysOf(containers, ResourceSpec)),
                    ]),
                ),
                STRICT,
            ),
        ),
        caches: Optional(
            keysOf(
                CACHES,
                Type.Object(
                    {
                        memoryMiB: Optional(Type.Integer({ minimum: 16, maximum: 1_048_576 })),
                        cpu: Optional(ResourceSpec.properties.requests.properties.cpu),
                    },
                    STRICT,
                ),
            ),
        ),
    },
    STRICT,
);

const plan = SeedPlan.properties;
const grafana = plan.grafana.properties;

/** The seed stack's config: every `mla:*` key but the secrets. */
export const SeedConfig = Type.Object(
    {
        /** The MLA namespace. */
        namespace: Optional(DnsLabel),
        objectStore: Optional(ObjectStoreConfig),
        buckets: Optional(Type.Partial(plan.buckets, STRICT)),
        cortex: Optional(
            Type.Object(
                {
                    replicationFactor: Optional(plan.cortex.properties.replicationFactor),
                    replicas: Optional(Type.Partial(CortexReplicas, STRICT)),
                },
                STRICT,
            ),
        ),
        loki: Optional(
            Type.Object(
                {
                    replicationFactor: Optional(plan.loki.properties.replicationFactor),
                    replicas: Optional(Type.Partial(LokiReplicas, STRICT)),
                    retention: Optional(plan.loki.properties.retention),
                },
                STRICT,
            ),
        ),
        grafana: Optional(
            Type.Object(
                {
                    namespace: Optional(DnsLabel),
                    rootUrl: grafana.rootUrl,
                    authProxy: Optional(
                        Type.Partial(
                            Type.Object({ enabled: Type.Boolean(), ...GrafanaAuthProxy.properties }, STRICT),
                            STRICT,
                        ),
                    ),
                    /** Read by `grafana.oauth`'s own loader (`programs/seed-oauth-config.ts`). */
                    oauth: Optional(Type.Unknown()),
                    replicas: Optional(grafana.replicas),
                    persistence: Optional(Type.Partial(GrafanaPersistence, STRICT)),
                    database: Optional(GrafanaDatabase),
                },
                STRICT,
            ),
        ),
        sizing: Optional(SizingConfig),
        /** How often the overrides merger re-reads tenant fragments, in seconds. */
        overridesSyncSeconds: Optional(plan.overridesSyncSeconds),
        receiverFirewall: Optional(
            Type.Object(
                {
                    blockCidrNetworks: Optional(
                        Type.Array(
                            Type.String({
                                maxLength: 64,
                                [PROBLEM_KEYWORD]: "must be a CIDR such as 100.64.0.0/10 or fd00::/8",
                            }),
                            { maxItems: 200 },
                        ),
                    ),
                },
                STRICT,
            ),
        ),
        /** The MLA namespace's NetworkPolicy, and namespaces whose pods may also reach the backends. */
        networkPolicy: Optional(
            Type.Object(
                {
                    enabled: Optional(Type.Boolean()),
                    extraIngressNamespaces: Optional(Type.Array(DnsLabel, { maxItems: 50 })),
                },
                STRICT,
            ),
        ),
        /** The context within the seed kubeconfig. */
        seedContext: Optional(Type.String({ maxLength: 253 })),
    },
    STRICT,
);
export type SeedConfig = Static<typeof SeedConfig>;
