/**
 * Sizing profiles of the seed (pure): CPU and memory requests for every container the seed runs,
 * and the memory of every cache, so that the scheduler reserves what the backends need and no
 * container runs best-effort.
 *
 * Decision: requests everywhere, memory limits only where a container's memory is bounded by
 * design (caches, sidecars, exporters, the overrides merger). A memory limit on an ingester turns
 * a load spike into an OOM kill that drops its in-memory series and restarts the WAL replay; a
 * seed that wants them sets `limits` through `mla:sizing.resources`.
 *
 * The profiles, with the load each is for (active series across all tenants, after replication;
 * log ingest across all tenants); the replica counts are the seed defaults (`mla:cortex.replicas`,
 * `mla:loki.replicas`), which scale independently:
 * - `small`: a test or lab seed, up to ~10 user clusters, ~300k active series, ~1 MB/s of logs.
 * - `medium` (default): up to ~50 user clusters, ~1.5M active series, ~5 MB/s of logs.
 * - `large`: up to ~200 user clusters, ~5M active series, ~20 MB/s of logs; raise the ingester
 *   and querier replicas with it (docs/seed-production.md).
 */

import type { ResourceSpec } from "./cluster-spec";

/** The profile names; the first is the smallest. */
export const SIZING_PROFILES = ["small", "medium", "large"] as const;
/** One of {@link SIZING_PROFILES}. */
export type SizingProfile = (typeof SIZING_PROFILES)[number];
/** The profile a seed gets when `mla:sizing.profile` is unset. */
export const DEFAULT_SIZING_PROFILE: SizingProfile = "medium";

/** Sized containers, by backend: the keys of `mla:sizing.resources.<backend>.<container>`. */
export const SIZED_CONTAINERS = {
    cortex: [
        "distributor",
        "ingester",
        "querier",
        "queryFrontend",
        "storeGateway",
        "ruler",
        "alertmanager",
        "compactor",
        "purger",
        /** The k8s-sidecar of the ruler and of the Alertmanager. */
        "sidecar",
        /** The memcached exporter next to every Cortex cache. */
        "memcachedExporter",
    ],
    loki: [
        "distributor",
        "ingester",
        "querier",
        "queryFrontend",
        "queryScheduler",
        "indexGateway",
        "ruler",
        "compactor",
        /** The rules k8s-sidecar of the ruler. */
        "sidecar",
        /** The memcached exporter next to every Loki cache. */
        "memcachedExporter",
    ],
    grafana: [
        "grafana",
        /** The datasource and dashboard k8s-sidecars. */
        "sidecar",
    ],
    minio: [
        "minio",
        /** The post-install Job that creates the buckets and users. */
        "setupJob",
    ],
    /** The overrides merger's containers (one per backend). */
    overridesMerger: ["merger"],
} as const;

/** A sized backend. */
export type SizedBackend = keyof typeof SIZED_CONTAINERS;
/** The container keys of one backend. */
export type SizedContainer<B extends SizedBackend> = (typeof SIZED_CONTAINERS)[B][number];
/** Resources of every sized container. */
export type SizingResources = { [B in SizedBackend]: Record<SizedContainer<B>, ResourceSpec> };

/** The memcached caches, whose memory is set by the profile (memcached `-m`, Loki's `allocatedMemory`). */
export const CACHES = [
    "cortexFrontend",
    "cortexBlocksIndex",
    "cortexBlocks",
    "cortexBlocksMetadata",
    "lokiChunks",
    "lokiResults",
] as const;
/** One of {@link CACHES}. */
export type CacheName = (typeof CACHES)[number];

/** One cache instance: the memory it stores objects in and the CPU it requests. */
export interface CacheSize {
    /** Object memory of one instance, in MiB. */
    memoryMiB: number;
    /** CPU request of one instance (a Kubernetes quantity). */
    cpu: string;
}

/** A fully resolved sizing: what the values builders read. */
export interface SeedSizing {
    /** The profile the values started from. */
    profile: SizingProfile;
    resources: SizingResources;
    caches: Record<CacheName, CacheSize>;
}

/** Requests only. */
function req(cpu: string, memory: string): ResourceSpec {
    return { requests: { cpu, memory } };
}

/** Requests and a memory limit, for containers whose memory is bounded by design. */
function bounded(cpu: string, memory: string, memoryLimit: string): ResourceSpec {
    return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}

/**
 * The container memory a memcached instance needs: its object memory plus 20% for connections
 * and slab overhead (the same rule as the Loki chart's `allocatedMemory`). Used as request and limit.
 */
export function memcachedContainerMemory(memoryMiB: number): string {
    return `${Math.ceil(memoryMiB * 1.2)}Mi`;
}

/** Container resources of a memcached instance of `size`. */
export function memcachedResources(size: CacheSize): ResourceSpec {
    const memory = memcachedContainerMemory(size.memoryMiB);
    return { requests: { cpu: size.cpu, memory }, limits: { memory } };
}

/** The small-helper containers, the same in every profile. */
const HELPERS = {
    sidecar: bounded("20m", "96Mi", "256Mi"),
    memcachedExporter: bounded("10m", "32Mi", "64Mi"),
    merger: bounded("10m", "32Mi", "128Mi"),
    setupJob: bounded("10m", "64Mi", "256Mi"),
} as const;

function cache(memoryMiB: number, cpu: string): CacheSize {
    return { memoryMiB, cpu };
}

/** The profiles. Every number is a request per pod; see the file header for the load each is for. */
export const PROFILES: Record<SizingProfile, Omit<SeedSizing, "profile">> = {
    small: {
        resources: {
            cortex: {
                distributor: req("100m", "256Mi"),
                ingester: req("250m", "1Gi"),
                querier: req("100m", "256Mi"),
                queryFrontend: req("50m", "128Mi"),
                storeGateway: req("100m", "512Mi"),
                ruler: req("50m", "256Mi"),
                alertmanager: req("50m", "128Mi"),
                compactor: req("100m", "512Mi"),
                purger: req("10m", "64Mi"),
                sidecar: HELPERS.sidecar,
                memcachedExporter: HELPERS.memcachedExporter,
            },
            loki: {
                distributor: req("100m", "256Mi"),
                ingester: req("250m", "1Gi"),
                querier: req("100m", "512Mi"),
                queryFrontend: req("50m", "128Mi"),
                queryScheduler: req("50m", "128Mi"),
                indexGateway: req("100m", "256Mi"),
                ruler: req("50m", "256Mi"),
                compactor: req("100m", "512Mi"),
                sidecar: HELPERS.sidecar,
                memcachedExporter: HELPERS.memcachedExporter,
            },
            grafana: { grafana: req("100m", "256Mi"), sidecar: HELPERS.sidecar },
            minio: { minio: req("100m", "512Mi"), setupJob: HELPERS.setupJob },
            overridesMerger: { merger: HELPERS.merger },
        },
        caches: {
            cortexFrontend: cache(128, "50m"),
            cortexBlocksIndex: cache(128, "50m"),
            cortexBlocks: cache(256, "50m"),
            cortexBlocksMetadata: cache(64, "50m"),
            lokiChunks: cache(256, "50m"),
            lokiResults: cache(128, "50m"),
        },
    },
    medium: {
        resources: {
            cortex: {
                distributor: req("500m", "512Mi"),
                ingester: req("1", "4Gi"),
                querier: req("500m", "1Gi"),
                queryFrontend: req("100m", "256Mi"),
                storeGateway: req("250m", "1Gi"),
                ruler: req("250m", "512Mi"),
                alertmanager: req("100m", "256Mi"),
                compactor: req("250m", "1Gi"),
                purger: req("50m", "128Mi"),
                sidecar: HELPERS.sidecar,
                memcachedExporter: HELPERS.memcachedExporter,
            },
            loki: {
                distributor: req("250m", "512Mi"),
                ingester: req("500m", "2Gi"),
                querier: req("500m", "1Gi"),
                queryFrontend: req("100m", "256Mi"),
                queryScheduler: req("100m", "128Mi"),
                indexGateway: req("250m", "1Gi"),
                ruler: req("100m", "512Mi"),
                compactor: req("250m", "1Gi"),
                sidecar: HELPERS.sidecar,
                memcachedExporter: HELPERS.memcachedExporter,
            },
            grafana: { grafana: req("250m", "512Mi"), sidecar: HELPERS.sidecar },
            minio: { minio: req("250m", "1Gi"), setupJob: HELPERS.setupJob },
            overridesMerger: { merger: HELPERS.merger },
        },
        caches: {
            cortexFrontend: cache(512, "100m"),
            cortexBlocksIndex: cache(1024, "100m"),
            cortexBlocks: cache(2048, "100m"),
            cortexBlocksMetadata: cache(256, "100m"),
            lokiChunks: cache(2048, "100m"),
            lokiResults: cache(512, "100m"),
        },
    },
    large: {
        resources: {
            cortex: {
                distributor: req("1", "1Gi"),
                ingester: req("2", "12Gi"),
                querier: req("1", "2Gi"),
                queryFrontend: req("250m", "512Mi"),
                storeGateway: req("500m", "4Gi"),
                ruler: req("500m", "1Gi"),
                alertmanager: req("200m", "512Mi"),
                compactor: req("500m", "2Gi"),
                purger: req("100m", "256Mi"),
                sidecar: HELPERS.sidecar,
                memcachedExporter: HELPERS.memcachedExporter,
            },
            loki: {
                distributor: req("1", "1Gi"),
                ingester: req("1", "6Gi"),
                querier: req("1", "4Gi"),
                queryFrontend: req("250m", "512Mi"),
                queryScheduler: req("200m", "256Mi"),
                indexGateway: req("500m", "2Gi"),
                ruler: req("250m", "1Gi"),
                compactor: req("500m", "4Gi"),
                sidecar: HELPERS.sidecar,
                memcachedExporter: HELPERS.memcachedExporter,
            },
            grafana: { grafana: req("500m", "1Gi"), sidecar: HELPERS.sidecar },
            minio: { minio: req("1", "4Gi"), setupJob: HELPERS.setupJob },
            overridesMerger: { merger: HELPERS.merger },
        },
        caches: {
            cortexFrontend: cache(2048, "250m"),
            cortexBlocksIndex: cache(4096, "250m"),
            cortexBlocks: cache(8192, "500m"),
            cortexBlocksMetadata: cache(512, "250m"),
            lokiChunks: cache(8192, "500m"),
            lokiResults: cache(1024, "250m"),
        },
    },
};

/** A seed's overrides of its profile: any container's resources, any cache's size. */
export interface SizingOverrides {
    resources?: { [B in SizedBackend]?: Partial<Record<SizedContainer<B>, ResourceSpec>> };
    caches?: Partial<Record<CacheName, Partial<CacheSize>>>;
}

/**
 * The profile with the overrides applied. A container override replaces that container's whole
 * resources block (requests and limits), so what the seed config says is exactly what the pod gets.
 */
export function resolveSizing(
    profile: SizingProfile = DEFAULT_SIZING_PROFILE,
    overrides: SizingOverrides = {},
): SeedSizing {
    const base = PROFILES[profile];
    const resources = {} as Record<SizedBackend, Record<string, ResourceSpec>>;
    for (const backend of Object.keys(SIZED_CONTAINERS) as SizedBackend[]) {
        const given = (overrides.resources?.[backend] ?? {}) as Record<string, ResourceSpec | undefined>;
        const out: Record<string, ResourceSpec> = {};
        for (const [container, spec] of Object.entries(base.resources[backend] as Record<string, ResourceSpec>)) {
            out[container] = given[container] ?? spec;
        }
        resources[backend] = out;
    }
    const caches = {} as Record<CacheName, CacheSize>;
    for (const name of CACHES) caches[name] = { ...base.caches[name], ...(overrides.caches?.[name] ?? {}) };
    return { profile, resources: resources as SizingResources, caches };
}
