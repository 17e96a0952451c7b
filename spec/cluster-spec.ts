/**
 * The input of the cluster program: everything one user cluster's stack needs.
 *
 * Two producers fill it: the cluster stack's config loader (`pulumi up` by hand) and the
 * onboarding service (an HTTP body). Both validate into this one shape, so the program never
 * sees unchecked input. Sub-shapes are plain data; secrets are `pulumi.Input<string>`.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Kubernetes resource requests and limits, as in a container spec. */
export interface ResourceSpec {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
}

/** A request rate limit: steady rate and burst, as nginx `limit_req` takes them. */
export interface RateLimitSpec {
    /** Requests per second allowed on average. */
    requestsPerSecond: number;
    /** Requests allowed above the rate before answering 429. */
    burst: number;
}

/** The per-cluster MLA gateway in the seed. */
export interface GatewaySpec {
    /** DNS names the user cluster uses to reach the write listener; they become server-cert SANs. */
    externalHostnames: string[];
    /** Optional IP SANs for the server certificate. */
    externalIps: string[];
    /** Type of the external write Service. Defaults to {@link DEFAULT_SERVICE_TYPE}. */
    serviceType: ServiceType;
    /** Gateway replicas. Defaults to 2 (a PodDisruptionBudget keeps one up); fewer needs `allowSingleReplica`. */
    replicas: number;
    /** Accept `replicas: 1` (development seeds; no PDB then, so drains are not blocked). Defaults to false. */
    allowSingleReplica: boolean;
    /** Metric-ingestion requests (remote-write pushes). */
    metricsWriteLimit: RateLimitSpec;
    /** Log-ingestion requests (Loki pushes). */
    logsWriteLimit: RateLimitSpec;
    /** Query requests on the read listener (metrics and logs). */
    queryLimit: RateLimitSpec;
    /** Largest accepted request body, nginx size syntax. Defaults to "16m". */
    maxBodySize: string;
}

/** The cluster's private PKI. */
export interface PkiSpec {
    /** Certificate lifetime in hours. Defaults to 8760 (one year). */
    validityHours: number;
    /** Renew this many hours before expiry. Defaults to 720 (30 days). */
    earlyRenewalHours: number;
    /**
     * Credentials generation. Raising it replaces the cluster's CA, every certificate and the read
     * token in one `up`; old certificates are refused afterwards. Defaults to 0.
     */
    credentialsGeneration: number;
}

/** The metrics agents the project can deploy. */
export const METRICS_AGENT_KINDS = ["vmagent", "prometheus"] as const;
/** One of {@link METRICS_AGENT_KINDS}. */
export type MetricsAgentKind = (typeof METRICS_AGENT_KINDS)[number];
/**
 * The default metrics agent: vmagent, the lighter at equal samples delivered (bench:agent;
 * bench/RESULTS.md, docs/fleet-cost.md).
 */
export const DEFAULT_METRICS_AGENT: MetricsAgentKind = "vmagent";

/** The metrics agent (vmagent, or Prometheus in agent mode) in the user cluster. */
export interface MonitoringSpec {
    enabled: boolean;
    /**
     * The metrics agent: "vmagent" or "prometheus" (agent mode). Both run the same scrape jobs.
     * Defaults to "vmagent", the lighter at equal samples delivered (docs/fleet-cost.md).
     */
    agent: MetricsAgentKind;
    /** Scrape interval. Defaults to "30s". */
    scrapeInterval: string;
    /** Extra Prometheus scrape_config objects, appended after the built-in jobs. */
    customScrapeConfigs: Record<string, unknown>[];
    /**
     * Defaults per agent (`METRICS_AGENT_RESOURCES`): vmagent requests 50m/128Mi, limits 1/1Gi;
     * Prometheus requests 100m/256Mi, limits 1/4Gi (the reference's defaults).
     */
    resources: ResourceSpec;
    /** Defaults to 1. */
    replicas: number;
    /** Deploy node-exporter and scrape it. Defaults to false. */
    nodeExporter: boolean;
    /** Deploy kube-state-metrics and scrape it. Defaults to false. */
    kubeStateMetrics: boolean;
}

/** The log agent DaemonSet in the user cluster. */
export interface LoggingSpec {
    enabled: boolean;
    /** Defaults to "alloy"; Promtail is end-of-life (2026-03-02) and kept as an option. */
    agent: "alloy" | "promtail";
    resources: ResourceSpec;
}

/** One Prometheus-style rule group, for the Cortex ruler (PromQL) or the Loki ruler (LogQL). */
export interface RuleGroupSpec {
    name: string;
    interval?: string;
    rules: Record<string, unknown>[];
}

/** Per-tenant limits, retention and alerting. */
export interface TenantSpec {
    /** The owner's Alertmanager config (YAML text). Defaults to routing everything to "null". */
    alertmanagerConfig?: string;
    /** Owner rule groups evaluated by the Cortex ruler. */
    metricRuleGroups: RuleGroupSpec[];
    /** Owner rule groups evaluated by the Loki ruler. */
    logRuleGroups: RuleGroupSpec[];
    /** Cortex per-tenant limits. */
    metricsLimits: {
        ingestionRate: number;
        ingestionBurstSize: number;
        maxSeriesPerUser: number;
        maxSeriesPerMetric: number;
        maxSamplesPerQuery: number;
        maxFetchedSeriesPerQuery: number;
    };
    /** Loki per-tenant limits (MB/s as Loki counts them). */
    logsLimits: {
        ingestionRateMb: number;
        ingestionBurstSizeMb: number;
        maxStreamsPerUser: number;
        perStreamRateLimit: string;
        perStreamRateLimitBurst: string;
    };
    /** Retention, Prometheus duration syntax (e.g. "168h"). */
    retention: { metrics: string; logs: string };
    /** On destroy, also delete the tenant's stored data through the backends' APIs. */
    purgeOnDestroy: boolean;
}

/**
 * Seed APIs the cluster stack calls directly (through dynamic providers): Grafana to create the
 * project's org, and the backends' tenant-deletion APIs for the purge. They default to the
 * seed's in-cluster addresses, which only resolve where Pulumi runs inside the seed (as the
 * onboarding service usually does); set reachable URLs here when it runs elsewhere.
 */
export interface SeedApiSpec {
    /** An existing Grafana org id for the project; when set, no org is created through the API. */
    grafanaOrgId?: number;
    /** Grafana's base URL. Defaults to the seed output `grafanaUrl`. */
    grafanaUrl?: string;
    /** Base URL of the Cortex component serving `/purger/*`. Defaults to the seed output `metricsPurgerUrl`. */
    cortexPurgerUrl?: string;
    /** Base URL of the Loki compactor serving `/loki/api/v1/delete`. Defaults to the seed output `logsDeleteUrl`. */
    lokiDeleteUrl?: string;
}

/**
 * What the onboarding service's reconciler does with drift it finds: `report` records it (API,
 * metrics, alerts), `remediate` also runs an `up`. Certificate renewal runs under either.
 */
export const RECONCILE_POLICIES = ["report", "remediate"] as const;

/** One reconcile policy. */
export type ReconcilePolicy = (typeof RECONCILE_POLICIES)[number];

/** Everything one cluster stack needs. */
export interface ClusterSpec {
    /** The tenant id; a DNS-1123 label. */
    clusterId: string;
    /** The owning project; Grafana keeps one org per project. A DNS-1123 label. */
    project: string;
    /** The seed stack to read endpoints from (a StackReference name, e.g. "org/mla/seed-eu1"). */
    seedStack: string;
    /** Kubeconfig of the seed cluster (secret). */
    seedKubeconfig: pulumi.Input<string>;
    /** Kubeconfig of the user cluster (secret). */
    userKubeconfig: pulumi.Input<string>;
    /** Write routes answer 503 with Retry-After; agents buffer in their WAL. */
    suspended: boolean;
    gateway: GatewaySpec;
    pki: PkiSpec;
    monitoring: MonitoringSpec;
    logging: LoggingSpec;
    tenant: TenantSpec;
    /** Defaults to `{}`: every API at the seed's in-cluster address. */
    seedApi: SeedApiSpec;
    /**
     * The onboarding service's reconcile policy for this cluster; the service's `MLA_RECONCILE_POLICY`
     * when unset. Read by the service only, never by the program.
     */
    reconcilePolicy?: ReconcilePolicy;
}

/**
 * The metrics agent's default resources, per agent. Prometheus: the reference's. vmagent: sized
 * from bench:agent, where it held 51-61 MiB RSS at 100k and at 400k series and used 38-65
 * millicores at 100k series every 15 s (docs/fleet-cost.md): 128Mi is twice the peak, 50m covers
 * 100k series at the default 30 s interval with room; the limit leaves room for a backlog.
 */
export const METRICS_AGENT_RESOURCES = {
    vmagent: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    prometheus: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "4Gi" } },
} as const satisfies Record<MetricsAgentKind, ResourceSpec>;

/** The Service types the gateway's write listener can be exposed with: the one list every check uses. */
export const SERVICE_TYPES = ["LoadBalancer", "NodePort", "ClusterIP"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
/** The write Service's type unless a spec says otherwise. */
export const DEFAULT_SERVICE_TYPE: ServiceType = "LoadBalancer";

/**
 * The gateway's default limits, per replica. Remote write sends about one request per shard per
 * few hundred ms; the body limit is far above a real batch (35-280 KB) and below memory concerns.
 */
export const DEFAULT_GATEWAY_LIMITS = {
    metricsWrite: { requestsPerSecond: 100, burst: 200 },
    logsWrite: { requestsPerSecond: 50, burst: 100 },
    query: { requestsPerSecond: 20, burst: 40 },
    maxBodySize: "16m",
} as const satisfies {
    metricsWrite: RateLimitSpec;
    logsWrite: RateLimitSpec;
    query: RateLimitSpec;
    maxBodySize: string;
};

/** The log agent's default resources. */
export const DEFAULT_LOG_AGENT_RESOURCES = {
    requests: { cpu: "50m", memory: "64Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
} as const satisfies ResourceSpec;
