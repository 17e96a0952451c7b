/**
 * The seed's plan as TypeBox schemas with their `Static<>` types (pure): everything the chart
 * values and seed objects are built from, with every default applied ({@link defaultSeedPlan}).
 * It holds no secrets: credentials reach the pods through Kubernetes Secrets the plan names. The
 * stack config that produces it is `seed-spec.ts`; the checks across fields are in
 * `checks/seed-checks.ts`.
 */
import { type Static, Type } from "@sinclair/typebox";
import { GrafanaOAuth } from "./grafana-oauth";
import { type SeedSizing, resolveSizing } from "./seed-sizing";
import { DURATION_PATTERN } from "./validation";
import { DnsLabel, STRICT, oneOf } from "./cluster-spec";
import { PROBLEM_KEYWORD } from "./schema-problems";

const Count = Type.Integer({ minimum: 1, maximum: 1000 });
/** A Kubernetes storage quantity (`50Gi`). */
export const StorageSize = Type.String({
    pattern: "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$",
    maxLength: 32,
    [PROBLEM_KEYWORD]: "must be a storage quantity like 50Gi",
});
const Name = Type.String({ minLength: 1, maxLength: 253 });

/** The bundled MinIO object store. */
export const MinioPlan = Type.Object(
    {
        kind: Type.Literal("minio"),
        /** "distributed" (erasure-coded, HA; at least 4 pods) or "standalone". */
        mode: oneOf(["distributed", "standalone"] as const),
        replicas: Count,
        /** PVC size per pod. */
        volumeSize: StorageSize,
        /** Storage class; the cluster default when unset. */
        storageClass: Type.Optional(Name),
    },
    STRICT,
);
export type MinioPlan = Static<typeof MinioPlan>;

/** Any S3-compatible endpoint; its credentials are secret config, not part of the plan. */
export const ExternalS3Plan = Type.Object(
    {
        kind: Type.Literal("s3"),
        /** `host` or `host:port`, without scheme. */
        endpoint: Type.String({ minLength: 1, maxLength: 253 }),
        region: Type.String({ minLength: 1, maxLength: 63 }),
        /** Plain HTTP instead of HTTPS. */
        insecure: Type.Boolean(),
    },
    STRICT,
);
export type ExternalS3Plan = Static<typeof ExternalS3Plan>;

/** Replica counts of the Cortex components. */
export const CortexReplicas = Type.Object(
    {
        distributor: Count,
        ingester: Count,
        querier: Count,
        queryFrontend: Count,
        storeGateway: Count,
        ruler: Count,
        alertmanager: Count,
        compactor: Count,
    },
    STRICT,
);
export type CortexReplicas = Static<typeof CortexReplicas>;

/** Replica counts of the Loki components (distributed mode). */
export const LokiReplicas = Type.Object(
    {
        distributor: Count,
        ingester: Count,
        querier: Count,
        queryFrontend: Count,
        queryScheduler: Count,
        indexGateway: Count,
        ruler: Count,
        compactor: Count,
    },
    STRICT,
);
export type LokiReplicas = Static<typeof LokiReplicas>;

/** The Grafana auth-proxy settings for SSO behind an authenticating proxy. */
export const GrafanaAuthProxy = Type.Object(
    {
        /** The header carrying the user, e.g. "X-WEBAUTH-USER". */
        headerName: Type.String({ pattern: "^[A-Za-z0-9-]+$", maxLength: 100 }),
        headerProperty: oneOf(["username", "email"] as const),
        /** Create users on first login. */
        autoSignUp: Type.Boolean(),
        /** Source IPs/CIDRs allowed to set the header; empty means any (only safe behind a NetworkPolicy). */
        whitelist: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 }),
    },
    STRICT,
);
export type GrafanaAuthProxy = Static<typeof GrafanaAuthProxy>;

/** The SQL databases Grafana can keep its state in besides its local SQLite file. */
export const GRAFANA_DATABASE_TYPES = ["postgres", "mysql"] as const;

/**
 * An external database for Grafana (orgs, users, dashboards, sessions). It is what lets Grafana
 * run more than one replica: the local SQLite file on a ReadWriteOnce volume cannot be shared.
 */
export const GrafanaDatabase = Type.Object(
    {
        type: oneOf(GRAFANA_DATABASE_TYPES),
        /** `host` or `host:port`. */
        host: Name,
        /** The database name. */
        name: Name,
        user: Name,
        /** The Secret (in Grafana's namespace) and key holding the password; never the password itself. */
        passwordSecret: Type.Object({ name: Name, key: Name }, STRICT),
        /** `ssl_mode`: PostgreSQL's disable/require/verify-ca/verify-full, MySQL's true/false/skip-verify. */
        sslMode: Type.Optional(Type.String({ maxLength: 32 })),
    },
    STRICT,
);
export type GrafanaDatabase = Static<typeof GrafanaDatabase>;

/** Grafana's PersistentVolumeClaim for its SQLite database, used when no external database is set. */
export const GrafanaPersistence = Type.Object({ size: StorageSize, storageClass: Type.Optional(Name) }, STRICT);
export type GrafanaPersistence = Static<typeof GrafanaPersistence>;

/** Everything the seed's values renderers need. */
export const SeedPlan = Type.Object(
    {
        /** The MLA namespace. */
        namespace: DnsLabel,
        objectStore: Type.Union([MinioPlan, ExternalS3Plan]),
        /** Bucket names. */
        buckets: Type.Object({ metrics: Name, logs: Name }, STRICT),
        cortex: Type.Object({ replicationFactor: Count, replicas: CortexReplicas }, STRICT),
        loki: Type.Object(
            {
                replicationFactor: Count,
                replicas: LokiReplicas,
                /** Global log retention (Loki duration); tenants override it. */
                retention: Type.String({
                    pattern: DURATION_PATTERN,
                    maxLength: 32,
                    [PROBLEM_KEYWORD]: "must be a duration such as 168h",
                }),
            },
            STRICT,
        ),
        grafana: Type.Object(
            {
                /** Defaults to the MLA namespace. */
                namespace: DnsLabel,
                /** Grafana's public root URL, when it sits behind an ingress. */
                rootUrl: Type.Optional(Type.String({ maxLength: 2000 })),
                authProxy: Type.Optional(GrafanaAuthProxy),
                /** Generic OAuth sign-in; org membership from IdP groups, Viewer or Editor only. */
                oauth: Type.Optional(GrafanaOAuth),
                /** More than one needs `database`. */
                replicas: Type.Integer({ minimum: 1, maximum: 20 }),
                /** The volume of the SQLite database when `database` is unset. */
                persistence: GrafanaPersistence,
                /** An external PostgreSQL or MySQL database; unset means SQLite on `persistence`. */
                database: Type.Optional(GrafanaDatabase),
            },
            STRICT,
        ),
        /** Requests (and bounded limits) of every container, and cache sizes (`seed-sizing.ts`). */
        sizing: Type.Unsafe<SeedSizing>(Type.Object({})),
        /** How often the overrides merger re-reads tenant fragments, in seconds. */
        overridesSyncSeconds: Type.Integer({ minimum: 5, maximum: 3600 }),
        /** The Cortex Alertmanager's receiver firewall for every tenant: these CIDRs, and private addresses. */
        receiverFirewall: Type.Object({ blockCidrNetworks: Type.Array(Type.String({ maxLength: 64 })) }, STRICT),
    },
    STRICT,
);
export type SeedPlan = Static<typeof SeedPlan>;

/** The address ranges `block_private_addresses` leaves open, which no receiver may reach either. */
export const DEFAULT_RECEIVER_FIREWALL_CIDRS: readonly string[] = [
    "0.0.0.0/8", // "this network": 0.0.0.0 reaches the node itself on Linux
    "100.64.0.0/10", // carrier-grade NAT, used by some clusters for pods and Services
    "169.254.169.254/32", // cloud metadata (already link-local; named for the reader)
    "168.63.129.16/32", // the Azure platform address (wireserver, metadata)
    "192.0.0.0/24", // IETF protocol assignments
    "198.18.0.0/15", // benchmarking
    "240.0.0.0/4", // reserved
    "::/128", // unspecified
    "64:ff9b::/96", // NAT64: embeds any IPv4 address, private ones included
    "fd00:ec2::254/128", // the AWS IPv6 metadata address (already ULA; named for the reader)
];

/** The plan with every default applied; used by the config loader and by `mla render seed-values`. */
export function defaultSeedPlan(): SeedPlan {
    return {
        namespace: "mla",
        objectStore: {
            kind: "minio",
            mode: "distributed",
            replicas: 4,
            volumeSize: "50Gi",
        },
        buckets: { metrics: "mla-metrics", logs: "mla-logs" },
        cortex: {
            replicationFactor: 3,
            replicas: {
                distributor: 2,
                ingester: 3,
                querier: 2,
                queryFrontend: 2,
                storeGateway: 2,
                ruler: 2,
                alertmanager: 3,
                compactor: 1,
            },
        },
        loki: {
            replicationFactor: 3,
            replicas: {
                distributor: 3,
                ingester: 3,
                querier: 3,
                queryFrontend: 2,
                queryScheduler: 2,
                indexGateway: 2,
                ruler: 2,
                compactor: 1,
            },
            retention: "168h",
        },
        grafana: { namespace: "mla", replicas: 1, persistence: { size: "10Gi" } },
        sizing: resolveSizing(),
        overridesSyncSeconds: 30,
        receiverFirewall: { blockCidrNetworks: [...DEFAULT_RECEIVER_FIREWALL_CIDRS] },
    };
}
