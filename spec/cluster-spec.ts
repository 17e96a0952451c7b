/**
 * The input of the cluster program, as TypeBox schemas with their `Static<>` types: everything
 * one user cluster's stack needs, and the one place its fields, enums and bounds are written.
 *
 * Two producers fill it: the cluster stack's config loader (`pulumi up` by hand) and the
 * onboarding service (an HTTP body). Both validate against these schemas (`cluster-input.ts`
 * derives what they accept), apply `cluster-defaults.ts` and run `checks/cluster-checks.ts`, so
 * the program never sees unchecked input and no producer admits what another refuses. Secrets are
 * `pulumi.Input<string>`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type Static, type TLiteral, type TUnion, Type } from "@sinclair/typebox";
import { PROBLEM_KEYWORD } from "./schema-problems";
import { TenantSpec } from "./tenant-spec";
import { DNS_LABEL_PATTERN, DURATION_PATTERN, MAX_CLUSTER_ID_LENGTH, NGINX_SIZE_PATTERN } from "./validation";

/** Unknown fields are refused everywhere, so a typo fails loudly. */
export const STRICT = { additionalProperties: false } as const;
/** The message of a refused value (see {@link PROBLEM_KEYWORD}). */
const says = (problem: string) => ({ [PROBLEM_KEYWORD]: problem });

/** A schema accepting exactly the strings of `values`, derived from the one list. */
export function oneOf<T extends string>(values: readonly T[], description?: string): TUnion<TLiteral<T>[]> {
    return Type.Union(
        values.map((v) => Type.Literal(v)),
        description === undefined ? {} : { description },
    );
}

/** The Service types the gateway's write listener can be exposed with. */
export const SERVICE_TYPES = ["LoadBalancer", "NodePort", "ClusterIP"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
/** The write Service's type unless a spec says otherwise. */
export const DEFAULT_SERVICE_TYPE: ServiceType = "LoadBalancer";

/** The metrics agents the project can deploy. */
export const METRICS_AGENT_KINDS = ["vmagent", "prometheus"] as const;
export type MetricsAgentKind = (typeof METRICS_AGENT_KINDS)[number];
/**
 * The default metrics agent: vmagent, the lighter at equal samples delivered (bench:agent;
 * bench/RESULTS.md, docs/fleet-cost.md).
 */
export const DEFAULT_METRICS_AGENT: MetricsAgentKind = "vmagent";

/** The log agents; Promtail is end-of-life (2026-03-02) and kept as an option. */
export const LOG_AGENT_KINDS = ["alloy", "promtail"] as const;
export type LogAgentKind = (typeof LOG_AGENT_KINDS)[number];

/**
 * What the onboarding service's reconciler does with drift it finds: `report` records it (API,
 * metrics, alerts), `remediate` also runs an `up`. Certificate renewal runs under either.
 */
export const RECONCILE_POLICIES = ["report", "remediate"] as const;
export type ReconcilePolicy = (typeof RECONCILE_POLICIES)[number];

/** A cluster (tenant) id: a DNS-1123 label short enough for the namespace `cluster-<id>`. */
export const ClusterId = Type.String({
    pattern: DNS_LABEL_PATTERN,
    maxLength: MAX_CLUSTER_ID_LENGTH,
    ...says(`must be a DNS-1123 label of at most ${MAX_CLUSTER_ID_LENGTH} characters`),
});
/** A DNS-1123 label: a project, namespace or operation id. */
export const DnsLabel = Type.String({
    pattern: DNS_LABEL_PATTERN,
    maxLength: 63,
    description: "A DNS-1123 label",
    ...says("must be a DNS-1123 label"),
});
/** A Pulumi stack name: `[org/][project/]stack`. */
/**
 * A stack name: up to three segments, none of them `.` or `..` (the service makes a workspace
 * directory from the name: `../../x` once named one outside its data dir).
 */
export const StackName = Type.String({
    pattern: "^(?!(.*/)?\\.{1,2}(/|$))([A-Za-z0-9_.-]+/){0,2}[A-Za-z0-9_.-]+$",
    maxLength: 200,
    description: "A stack: `seed-eu1` or `org/mla/seed-eu1`",
    ...says("must be a stack name like org/mla/seed"),
});
/** A duration in Prometheus syntax (`30s`, `1h30m`). */
const Duration = (problem: string) => Type.String({ pattern: DURATION_PATTERN, maxLength: 32, ...says(problem) });
/** A kubeconfig (secret), checked for emptiness and structure by the producers. */
const Kubeconfig = Type.Unsafe<pulumi.Input<string>>(Type.Any({ description: "A kubeconfig (secret; never echoed)" }));

/** Kubernetes resource requests and limits, as in a container spec. */
const quantities = Type.Object(
    {
        cpu: Type.Optional(
            Type.String({
                pattern: "^([0-9]+(\\.[0-9]+)?|[0-9]+m)$",
                maxLength: 32,
                ...says("must be a CPU quantity like 100m or 1"),
            }),
        ),
        memory: Type.Optional(
            Type.String({
                pattern: "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$",
                maxLength: 32,
                ...says("must be a memory quantity like 256Mi"),
            }),
        ),
    },
    STRICT,
);
export const ResourceSpec = Type.Object(
    { requests: Type.Optional(quantities), limits: Type.Optional(quantities) },
    STRICT,
);
export type ResourceSpec = Static<typeof ResourceSpec>;

/** A request rate limit: steady rate and burst, as nginx `limit_req` takes them. */
export const RateLimitSpec = Type.Object(
    {
        /** Requests per second on average; nginx counts whole requests per minute below 1/s. */
        requestsPerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
        /** Requests allowed above the rate before answering 429. */
        burst: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    },
    STRICT,
);
export type RateLimitSpec = Static<typeof RateLimitSpec>;

/** The per-cluster MLA gateway in the seed. */
export const GatewaySpec = Type.Object(
    {
        /** DNS names the user cluster reaches the write listener at; they become server-cert SANs. */
        externalHostnames: Type.Array(
            Type.String({
                pattern: "^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$",
                maxLength: 253,
                ...says("must be a lower-case DNS name"),
            }),
            { maxItems: 50 },
        ),
        /** Optional IP SANs for the server certificate. */
        externalIps: Type.Array(
            Type.String({ pattern: "^[0-9a-fA-F:.]{2,45}$", maxLength: 45, ...says("must be an IP address") }),
            { maxItems: 50 },
        ),
        /** Type of the external write Service. */
        serviceType: oneOf(SERVICE_TYPES),
        /** Gateway replicas; fewer than 2 needs `allowSingleReplica` (a PodDisruptionBudget keeps one up). */
        replicas: Type.Integer({ minimum: 1, maximum: 20 }),
        /** Accept `replicas: 1` (development seeds; no PDB then, so drains are not blocked). */
        allowSingleReplica: Type.Boolean({
            description: "Accept replicas: 1 (development seeds; no PodDisruptionBudget then)",
        }),
        /** Metric-ingestion requests (remote-write pushes). */
        metricsWriteLimit: RateLimitSpec,
        /** Log-ingestion requests (Loki pushes). */
        logsWriteLimit: RateLimitSpec,
        /** Query requests on the read listener (metrics and logs). */
        queryLimit: RateLimitSpec,
        /** Largest accepted request body, nginx size syntax; never 0 (which nginx reads as unlimited). */
        maxBodySize: Type.String({
            pattern: NGINX_SIZE_PATTERN,
            maxLength: 16,
            ...says("must be a size like 512k or 16m"),
        }),
    },
    STRICT,
);
export type GatewaySpec = Static<typeof GatewaySpec>;

/** The cluster's private PKI. */
export const PkiSpec = Type.Object(
    {
        /** Certificate lifetime in hours; at least a day, so a renewal window spans several reconciles. */
        validityHours: Type.Integer({ minimum: 24, maximum: 876_000 }),
        /** Renew this many hours before expiry; below `validityHours`. */
        earlyRenewalHours: Type.Integer({ minimum: 1, maximum: 876_000 }),
        /**
         * Credentials generation. Raising it replaces the cluster's CA, every certificate and the read
         * token in one `up`; old certificates are refused afterwards.
         */
        credentialsGeneration: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    },
    STRICT,
);
export type PkiSpec = Static<typeof PkiSpec>;

/** The metrics agent (vmagent, or Prometheus in agent mode) in the user cluster. */
export const MonitoringSpec = Type.Object(
    {
        enabled: Type.Boolean(),
        /** Both agents run the same scrape jobs; the default is the lighter (docs/fleet-cost.md). */
        agent: oneOf(METRICS_AGENT_KINDS),
        scrapeInterval: Duration("must be a duration like 30s"),
        /** Extra Prometheus scrape_config objects, appended after the built-in jobs. */
        customScrapeConfigs: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 200 }),
        /** Defaults per agent: {@link METRICS_AGENT_RESOURCES}. */
        resources: ResourceSpec,
        replicas: Type.Integer({ minimum: 0, maximum: 10 }),
        /** Deploy node-exporter and scrape it. */
        nodeExporter: Type.Boolean(),
        /** Deploy kube-state-metrics and scrape it. */
        kubeStateMetrics: Type.Boolean(),
    },
    STRICT,
);
export type MonitoringSpec = Static<typeof MonitoringSpec>;

/** The log agent DaemonSet in the user cluster. */
export const LoggingSpec = Type.Object(
    { enabled: Type.Boolean(), agent: oneOf(LOG_AGENT_KINDS), resources: ResourceSpec },
    STRICT,
);
export type LoggingSpec = Static<typeof LoggingSpec>;

/** An http(s) base URL without query or fragment. */
const ApiUrl = Type.String({
    pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$",
    maxLength: 500,
    ...says("must be an http(s) URL without query"),
});

/**
 * Seed APIs the cluster stack calls directly: Grafana for the project's org, and the backends'
 * tenant-deletion APIs for the purge. They default to the seed's in-cluster addresses, which only
 * resolve where Pulumi runs inside the seed (as the onboarding service usually does).
 */
export const SeedApiSpec = Type.Object(
    {
        /** An existing Grafana org id for the project; when set, no org is created. */
        grafanaOrgId: Type.Optional(
            Type.Integer({ minimum: 1, description: "An existing Grafana org for the project" }),
        ),
        /** Grafana's base URL. Defaults to the seed output `grafanaUrl`. */
        grafanaUrl: Type.Optional(ApiUrl),
        /** Base URL of the Cortex component serving `/purger/*`. Defaults to the seed output `metricsPurgerUrl`. */
        cortexPurgerUrl: Type.Optional(ApiUrl),
        /** Base URL of the Loki compactor serving `/loki/api/v1/delete`. Defaults to the seed output `logsDeleteUrl`. */
        lokiDeleteUrl: Type.Optional(ApiUrl),
    },
    { ...STRICT, description: "Seed APIs as reachable from the service; default: the seed's in-cluster addresses" },
);
export type SeedApiSpec = Static<typeof SeedApiSpec>;

/**
 * A seed's API addresses without the org id: what the operator of the onboarding service sets per
 * seed (`MLA_SEED_API_FILE`). The service never takes them from a request: Grafana's URL is where
 * the project program sends the seed's Grafana admin login, and the purge URLs are where a destroy
 * sends the tenant's deletion requests.
 */
export const SeedApiUrls = Type.Omit(SeedApiSpec, ["grafanaOrgId"], {
    ...STRICT,
    description: "A seed's API addresses as reachable from the service",
});
export type SeedApiUrls = Static<typeof SeedApiUrls>;

/** Everything one cluster stack needs, every default applied. */
export const ClusterSpec = Type.Object(
    {
        /** The tenant id. */
        clusterId: ClusterId,
        /** The owning project; Grafana keeps one org per project. */
        project: DnsLabel,
        /** The seed stack to read endpoints from (a StackReference name, e.g. "org/mla/seed-eu1"). */
        seedStack: StackName,
        /** Kubeconfig of the seed cluster (secret). */
        seedKubeconfig: Kubeconfig,
        /** Kubeconfig of the user cluster (secret). */
        userKubeconfig: Kubeconfig,
        /** Write routes answer 503 with Retry-After; agents buffer in their WAL. */
        suspended: Type.Boolean(),
        gateway: GatewaySpec,
        pki: PkiSpec,
        monitoring: MonitoringSpec,
        logging: LoggingSpec,
        tenant: TenantSpec,
        seedApi: SeedApiSpec,
        /** The service's reconcile policy for this cluster; `MLA_RECONCILE_POLICY` when unset. Service only. */
        reconcilePolicy: Type.Optional(
            oneOf(RECONCILE_POLICIES, "What the reconciler does with drift: report it, or also run an up"),
        ),
    },
    STRICT,
);
export type ClusterSpec = Static<typeof ClusterSpec>;
