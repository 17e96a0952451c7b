/**
 * The plain-data plan of a seed: everything the chart-values renderers need. It holds no secrets
 * (credentials reach the pods through Kubernetes Secrets named here), so `mla render seed-values`
 * can render exactly what the components pass without a Pulumi engine.
 */

import { type SeedSizing, resolveSizing } from "./sizing";
import { DEFAULT_RECEIVER_FIREWALL_CIDRS } from "./receiver-firewall";
import type { GrafanaOAuth } from "./grafana-oauth";

/** The bundled MinIO object store. */
export interface MinioPlan {
    kind: "minio";
    /** "distributed" (erasure-coded, HA) or "standalone". Defaults to "distributed". */
    mode: "distributed" | "standalone";
    /** Pods in distributed mode. Defaults to 4 (the smallest erasure set that survives one loss). */
    replicas: number;
    /** PVC size per pod. Defaults to "50Gi". */
    volumeSize: string;
    /** Storage class; the cluster default when unset. */
    storageClass?: string;
}

/** Any S3-compatible endpoint; its credentials are secret config, not part of the plan. */
export interface ExternalS3Plan {
    kind: "s3";
    /** `host` or `host:port`, without scheme. */
    endpoint: string;
    region: string;
    /** Plain HTTP instead of HTTPS. Defaults to false. */
    insecure: boolean;
}

/** Replica counts of the Cortex components. */
export interface CortexReplicas {
    distributor: number;
    ingester: number;
    querier: number;
    queryFrontend: number;
    storeGateway: number;
    ruler: number;
    alertmanager: number;
    compactor: number;
}

/** Replica counts of the Loki components (distributed mode). */
export interface LokiReplicas {
    distributor: number;
    ingester: number;
    querier: number;
    queryFrontend: number;
    queryScheduler: number;
    indexGateway: number;
    ruler: number;
    compactor: number;
}

/** The Grafana auth-proxy settings for SSO behind an authenticating proxy. */
export interface GrafanaAuthProxy {
    /** The header carrying the user, e.g. "X-WEBAUTH-USER". */
    headerName: string;
    /** "username" or "email". */
    headerProperty: "username" | "email";
    /** Create users on first login. Defaults to true. */
    autoSignUp: boolean;
    /** Source IPs/CIDRs allowed to set the header; empty means any (only safe behind a NetworkPolicy). */
    whitelist: string[];
}

/** The SQL databases Grafana can keep its state in besides its local SQLite file. */
export const GRAFANA_DATABASE_TYPES = ["postgres", "mysql"] as const;

/**
 * An external database for Grafana (orgs, users, dashboards, sessions). It is what lets Grafana
 * run more than one replica: the local SQLite file on a ReadWriteOnce volume cannot be shared.
 */
export interface GrafanaDatabase {
    type: (typeof GRAFANA_DATABASE_TYPES)[number];
    /** `host` or `host:port`. */
    host: string;
    /** The database name. */
    name: string;
    user: string;
    /** The Secret (in Grafana's namespace) and key holding the password; never the password itself. */
    passwordSecret: { name: string; key: string };
    /** `ssl_mode`: PostgreSQL's disable/require/verify-ca/verify-full, MySQL's true/false/skip-verify. Unset: Grafana's default. */
    sslMode?: string;
}

/** Grafana's PersistentVolumeClaim for its SQLite database, used when no external database is set. */
export interface GrafanaPersistence {
    /** Defaults to "10Gi". */
    size: string;
    /** Storage class; the cluster default when unset. */
    storageClass?: string;
}

/** Everything the seed's values renderers need. */
export interface SeedPlan {
    /** The MLA namespace. Defaults to "mla". */
    namespace: string;
    objectStore: MinioPlan | ExternalS3Plan;
    /** Bucket names. Defaults to "mla-metrics" and "mla-logs". */
    buckets: { metrics: string; logs: string };
    cortex: {
        /** Ingester replication factor. Defaults to 3. */
        replicationFactor: number;
        replicas: CortexReplicas;
    };
    loki: {
        /** Defaults to 3. */
        replicationFactor: number;
        replicas: LokiReplicas;
        /** Global log retention (Loki duration); tenants override it. Defaults to "168h". */
        retention: string;
    };
    grafana: {
        /** Defaults to the MLA namespace. */
        namespace: string;
        /** Grafana's public root URL, when it sits behind an ingress. */
        rootUrl?: string;
        authProxy?: GrafanaAuthProxy;
        /** Generic OAuth sign-in; org membership from IdP groups (`orgMapping`), Viewer or Editor only. */
        oauth?: GrafanaOAuth;
        /** Defaults to 1; more than one needs `database`. */
        replicas: number;
        /** The volume of the SQLite database when `database` is unset. */
        persistence: GrafanaPersistence;
        /** An external PostgreSQL or MySQL database; unset means SQLite on {@link persistence}. */
        database?: GrafanaDatabase;
    };
    /** Requests (and bounded limits) of every container, and cache sizes (see `sizing.ts`). */
    sizing: SeedSizing;
    /** How often the overrides merger re-reads tenant fragments, in seconds. Defaults to 30. */
    overridesSyncSeconds: number;
    /**
     * The Cortex Alertmanager's receiver firewall, for every tenant: private and local addresses are
     * always blocked; these CIDRs too. Defaults to `DEFAULT_RECEIVER_FIREWALL_CIDRS` (receiver-firewall.ts).
     */
    receiverFirewall: { blockCidrNetworks: string[] };
}

/** Names of the Secrets and ConfigMaps the seed creates and the charts reference. */
export const SEED_OBJECT_NAMES = {
    /** S3 credentials: `S3_ACCESS_KEY_ID`/`S3_SECRET_ACCESS_KEY` (env) and `rootUser`/`rootPassword` (MinIO). */
    s3Secret: "mla-s3-credentials",
    /** Grafana admin user and password (`admin-user`, `admin-password`). */
    grafanaAdminSecret: "grafana-admin",
    /** Cortex runtime config; the chart mounts `<fullname>-runtime-config` by name. */
    cortexRuntimeConfigMap: "cortex-runtime-config",
    cortexRuntimeKey: "runtime_config.yaml",
    /** Loki runtime config written by the merger, mounted into every Loki pod. */
    lokiRuntimeConfigMap: "loki-mla-runtime",
    lokiRuntimeKey: "runtime-config.yaml",
} as const;

/** The environment variables Cortex and Loki expand (`-config.expand-env=true`) into their S3 config. */
export const S3_ENV = { accessKeyId: "S3_ACCESS_KEY_ID", secretAccessKey: "S3_SECRET_ACCESS_KEY" } as const;

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

/** The S3 endpoint (`host:port`) and whether it is plain HTTP, for the bundled or the external store. */
export function objectStoreEndpoint(
    plan: SeedPlan,
    minioEndpoint: string,
): { endpoint: string; insecure: boolean; region: string } {
    return plan.objectStore.kind === "minio"
        ? { endpoint: minioEndpoint, insecure: true, region: "us-east-1" }
        : { endpoint: plan.objectStore.endpoint, insecure: plan.objectStore.insecure, region: plan.objectStore.region };
}
