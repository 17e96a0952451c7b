/**
 * The HTTP body of `PUT /v1/clusters/{id}` and `POST .../preview`, as a TypeBox (JSON Schema)
 * schema. It mirrors {@link ClusterSpec} with every field but the essentials optional; defaults
 * are applied by `cluster-request.ts`. Unknown properties are rejected so typos fail loudly.
 */
import { type Static, Type } from "@sinclair/typebox";
import { METRICS_AGENT_KINDS, RECONCILE_POLICIES, SERVICE_TYPES } from "../../spec/cluster-spec";
import { DNS_LABEL_PATTERN, DURATION_PATTERN, LOKI_SIZE_PATTERN, NGINX_SIZE_PATTERN } from "../../spec/validation";

/** A DNS-1123 label: what Kubernetes accepts as a namespace name, and our cluster/tenant id. */

/** A cluster, project or operation id. */
export const DnsLabel = Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 63, description: "A DNS-1123 label" });

/** Largest kubeconfig accepted; real ones are a few KiB, embedded certificates included. */
const KUBECONFIG_MAX = 256 * 1024;

const Kubeconfig = (description: string) =>
    Type.String({ minLength: 1, maxLength: KUBECONFIG_MAX, description: `${description} (secret; never echoed)` });

const Duration = Type.String({ pattern: "^([0-9]+(ms|s|m|h|d|w|y))+$", maxLength: 32 });
const Quantity = Type.String({ pattern: "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$", maxLength: 32 });
/** A tenant limit: > 0, as the Tenant checks it (there is no "0 means unlimited"). */
const Count = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
/** Patterns shared with the spec checks (stacks/validation.ts), so the body never admits what they refuse. */
const Retention = Type.String({ pattern: DURATION_PATTERN, maxLength: 32, description: "A duration of at least 24h" });
const LokiSize = Type.String({ pattern: LOKI_SIZE_PATTERN, maxLength: 32, description: "A byte size such as 3MB" });
const Strict = { additionalProperties: false } as const;

const RateLimit = Type.Object(
    {
        requestsPerSecond: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
        burst: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    },
    Strict,
);

const Resources = Type.Object(
    {
        requests: Type.Optional(Type.Object({ cpu: Type.Optional(Quantity), memory: Type.Optional(Quantity) }, Strict)),
        limits: Type.Optional(Type.Object({ cpu: Type.Optional(Quantity), memory: Type.Optional(Quantity) }, Strict)),
    },
    Strict,
);

const RuleGroup = Type.Object(
    {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        interval: Type.Optional(Duration),
        rules: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 1000 }),
    },
    Strict,
);

/** An http(s) base URL without query or fragment. */
const ApiUrl = Type.String({ pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$", maxLength: 500 });

/** The body of a cluster create/update or preview request. */
export const ClusterBody = Type.Object(
    {
        project: DnsLabel,
        seed: Type.String({
            pattern: "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$",
            maxLength: 200,
            description: "The seed stack: `seed-eu1` or `org/mla/seed-eu1`",
        }),
        userKubeconfig: Kubeconfig("Kubeconfig of the user cluster"),
        seedKubeconfig: Type.Optional(
            Kubeconfig("Kubeconfig of the seed; defaults to the file MLA_SEED_KUBECONFIG_DIR/<seed>.yaml"),
        ),
        suspended: Type.Optional(Type.Boolean()),
        reconcilePolicy: Type.Optional(
            Type.Union(
                RECONCILE_POLICIES.map((p) => Type.Literal(p)),
                {
                    description:
                        "What the reconciler does with drift: report it, or also run an up; MLA_RECONCILE_POLICY when unset",
                },
            ),
        ),
        gateway: Type.Optional(
            Type.Object(
                {
                    externalHostnames: Type.Optional(
                        Type.Array(Type.String({ pattern: "^[A-Za-z0-9*]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?$" }), {
                            maxItems: 50,
                        }),
                    ),
                    externalIps: Type.Optional(
                        Type.Array(Type.String({ pattern: "^[0-9a-fA-F:.]{2,45}$" }), { maxItems: 50 }),
                    ),
                    serviceType: Type.Optional(Type.Union(SERVICE_TYPES.map((t) => Type.Literal(t)))),
                    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
                    allowSingleReplica: Type.Optional(
                        Type.Boolean({
                            description: "Accept replicas: 1 (development seeds; no PodDisruptionBudget then)",
                        }),
                    ),
                    metricsWriteLimit: Type.Optional(RateLimit),
                    logsWriteLimit: Type.Optional(RateLimit),
                    queryLimit: Type.Optional(RateLimit),
                    maxBodySize: Type.Optional(Type.String({ pattern: NGINX_SIZE_PATTERN, maxLength: 16 })),
                },
                Strict,
            ),
        ),
        pki: Type.Optional(
            Type.Object(
                {
                    validityHours: Type.Optional(Type.Integer({ minimum: 24, maximum: 876_000 })),
                    earlyRenewalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 876_000 })),
                },
                Strict,
            ),
        ),
        monitoring: Type.Optional(
            Type.Object(
                {
                    enabled: Type.Optional(Type.Boolean()),
                    agent: Type.Optional(Type.Union(METRICS_AGENT_KINDS.map((k) => Type.Literal(k)))),
                    scrapeInterval: Type.Optional(Duration),
                    customScrapeConfigs: Type.Optional(
                        Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 200 }),
                    ),
                    resources: Type.Optional(Resources),
                    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
                    nodeExporter: Type.Optional(Type.Boolean()),
                    kubeStateMetrics: Type.Optional(Type.Boolean()),
                },
                Strict,
            ),
        ),
        logging: Type.Optional(
            Type.Object(
                {
                    enabled: Type.Optional(Type.Boolean()),
                    agent: Type.Optional(Type.Union([Type.Literal("alloy"), Type.Literal("promtail")])),
                    resources: Type.Optional(Resources),
                },
                Strict,
            ),
        ),
        tenant: Type.Optional(
            Type.Object(
                {
                    alertmanagerConfig: Type.Optional(
                        Type.String({ maxLength: KUBECONFIG_MAX, description: "YAML (secret)" }),
                    ),
                    metricRuleGroups: Type.Optional(Type.Array(RuleGroup, { maxItems: 500 })),
                    logRuleGroups: Type.Optional(Type.Array(RuleGroup, { maxItems: 500 })),
                    metricsLimits: Type.Optional(
                        Type.Object(
                            {
                                ingestionRate: Type.Optional(Count),
                                ingestionBurstSize: Type.Optional(Count),
                                maxSeriesPerUser: Type.Optional(Count),
                                maxSeriesPerMetric: Type.Optional(Count),
                                maxSamplesPerQuery: Type.Optional(Count),
                                maxFetchedSeriesPerQuery: Type.Optional(Count),
                            },
                            Strict,
                        ),
                    ),
                    logsLimits: Type.Optional(
                        Type.Object(
                            {
                                ingestionRateMb: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000 })),
                                ingestionBurstSizeMb: Type.Optional(
                                    Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
                                ),
                                maxStreamsPerUser: Type.Optional(Count),
                                perStreamRateLimit: Type.Optional(LokiSize),
                                perStreamRateLimitBurst: Type.Optional(LokiSize),
                            },
                            Strict,
                        ),
                    ),
                    retention: Type.Optional(
                        Type.Object({ metrics: Type.Optional(Retention), logs: Type.Optional(Retention) }, Strict),
                    ),
                    purgeOnDestroy: Type.Optional(Type.Boolean()),
                },
                Strict,
            ),
        ),
        seedApi: Type.Optional(
            Type.Object(
                {
                    grafanaOrgId: Type.Optional(
                        Type.Integer({ minimum: 1, description: "An existing Grafana org for the project" }),
                    ),
                    grafanaUrl: Type.Optional(ApiUrl),
                    cortexPurgerUrl: Type.Optional(ApiUrl),
                    lokiDeleteUrl: Type.Optional(ApiUrl),
                },
                {
                    ...Strict,
                    description: "Seed APIs as reachable from the service; default: the seed's in-cluster addresses",
                },
            ),
        ),
    },
    Strict,
);

/** A validated request body. */
export type ClusterBody = Static<typeof ClusterBody>;
