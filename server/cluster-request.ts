/**
 * Turns a validated HTTP body into the cluster program's {@link ClusterSpec}, applying defaults.
 *
 * Kept in one file on purpose: when `stacks/cluster-defaults.ts` (`resolveClusterSpec`) lands,
 * `toClusterSpec` becomes a thin call to it, and nothing else in the service changes.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClusterSpec, RateLimitSpec } from "../stacks/cluster-spec";
import type { ClusterBody } from "./cluster-body";
import { kubeconfigProblems } from "./kubeconfig";

const rate = (requestsPerSecond: number, burst: number): RateLimitSpec => ({ requestsPerSecond, burst });

/** Returns the spec for cluster `clusterId`; `seedKubeconfig` is the body's or the configured file's. */
export function toClusterSpec(clusterId: string, body: ClusterBody, seedKubeconfig: string): ClusterSpec {
    const g = body.gateway ?? {};
    const m = body.monitoring ?? {};
    const l = body.logging ?? {};
    const t = body.tenant ?? {};
    return {
        clusterId,
        project: body.project,
        seedStack: body.seed,
        seedKubeconfig,
        userKubeconfig: body.userKubeconfig,
        suspended: body.suspended ?? false,
        gateway: {
            externalHostnames: g.externalHostnames ?? [],
            externalIps: g.externalIps ?? [],
            serviceType: g.serviceType ?? "LoadBalancer",
            // Two replicas so the PodDisruptionBudget can always keep one serving.
            replicas: g.replicas ?? 2,
            metricsWriteLimit: g.metricsWriteLimit ?? rate(50, 100),
            logsWriteLimit: g.logsWriteLimit ?? rate(50, 100),
            queryLimit: g.queryLimit ?? rate(20, 40),
            maxBodySize: g.maxBodySize ?? "16m",
        },
        pki: { validityHours: body.pki?.validityHours ?? 8760, earlyRenewalHours: body.pki?.earlyRenewalHours ?? 720 },
        monitoring: {
            enabled: m.enabled ?? true,
            scrapeInterval: m.scrapeInterval ?? "30s",
            customScrapeConfigs: m.customScrapeConfigs ?? [],
            // The reference system's defaults for the agent.
            resources: m.resources ?? { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "4Gi" } },
            replicas: m.replicas ?? 1,
            nodeExporter: m.nodeExporter ?? false,
            kubeStateMetrics: m.kubeStateMetrics ?? false,
        },
        logging: {
            enabled: l.enabled ?? true,
            agent: l.agent ?? "alloy",
            resources: l.resources ?? { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        },
        tenant: {
            alertmanagerConfig: t.alertmanagerConfig,
            metricRuleGroups: t.metricRuleGroups ?? [],
            logRuleGroups: t.logRuleGroups ?? [],
            metricsLimits: {
                ingestionRate: t.metricsLimits?.ingestionRate ?? 25_000,
                ingestionBurstSize: t.metricsLimits?.ingestionBurstSize ?? 50_000,
                maxSeriesPerUser: t.metricsLimits?.maxSeriesPerUser ?? 1_000_000,
                maxSeriesPerMetric: t.metricsLimits?.maxSeriesPerMetric ?? 50_000,
                maxSamplesPerQuery: t.metricsLimits?.maxSamplesPerQuery ?? 50_000_000,
                maxFetchedSeriesPerQuery: t.metricsLimits?.maxFetchedSeriesPerQuery ?? 100_000,
            },
            logsLimits: {
                ingestionRateMb: t.logsLimits?.ingestionRateMb ?? 4,
                ingestionBurstSizeMb: t.logsLimits?.ingestionBurstSizeMb ?? 6,
                maxStreamsPerUser: t.logsLimits?.maxStreamsPerUser ?? 10_000,
                perStreamRateLimit: t.logsLimits?.perStreamRateLimit ?? "3MB",
                perStreamRateLimitBurst: t.logsLimits?.perStreamRateLimitBurst ?? "15MB",
            },
            retention: { metrics: t.retention?.metrics ?? "168h", logs: t.retention?.logs ?? "168h" },
            purgeOnDestroy: t.purgeOnDestroy ?? false,
        },
    };
}

/** The file a seed's default kubeconfig is read from: `<dir>/<last segment of the seed stack>.yaml`. */
export function seedKubeconfigPath(dir: string, seed: string): string {
    return join(dir, `${seed.split("/").pop()}.yaml`);
}

/**
 * The seed kubeconfig for a request: the body's, else the configured file's. Returns the text or
 * the problems (never the content). The file is read per request so it can be rotated in place.
 */
export async function resolveSeedKubeconfig(
    body: ClusterBody,
    seedKubeconfigDir: string,
): Promise<{ text?: string; problems: string[] }> {
    let text = body.seedKubeconfig;
    if (text === undefined) {
        const path = seedKubeconfigPath(seedKubeconfigDir, body.seed);
        text = await readFile(path, "utf8").catch(() => undefined);
        if (text === undefined) {
            return { problems: [`seedKubeconfig is required: send it in the body or store it in ${path}`] };
        }
    }
    return { text, problems: kubeconfigProblems("seedKubeconfig", text) };
}

/** Every problem a schema cannot see: the user kubeconfig's structure. */
export function bodyProblems(body: ClusterBody): string[] {
    return kubeconfigProblems("userKubeconfig", body.userKubeconfig);
}

/** Canonical JSON: object keys sorted, so equal specs hash equally. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/**
 * Identity of a request for idempotency: the same kind and spec (secrets included, so a rotated
 * kubeconfig is a new request) give the same hash. The hash lives in memory only.
 */
export function requestHash(kind: string, spec: ClusterSpec): string {
    return createHash("sha256").update(kind).update("\0").update(canonical(spec)).digest("hex");
}
