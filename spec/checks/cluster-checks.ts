/**
 * Semantic checks of a complete {@link ClusterSpec} (pure): names, durations, sizes, limits.
 * Each problem carries the spec path, so the config loader can report it as `mla:<path>` and
 * the service as a body field.
 */
import { isIP } from "node:net";
import { customScrapeConfigProblems } from "./custom-scrape-configs";
import { tenantSpecProblems } from "./tenant-checks";
import {
    METRICS_AGENT_KINDS,
    SERVICE_TYPES,
    type ClusterSpec,
    type RateLimitSpec,
    type ResourceSpec,
} from "../cluster-spec";
import { MAX_CLUSTER_ID_LENGTH, NGINX_SIZE, isClusterId, isDnsLabel, isPositiveDuration } from "../validation";

/** One problem: the dotted spec path and what is wrong with it. */
export interface SpecProblem {
    path: string;
    message: string;
}

export { MAX_CLUSTER_ID_LENGTH };
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const CPU = /^(\d+(\.\d+)?|\d+m)$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
/** Kubernetes stack names: `[org/][project/]stack`. */
const STACK_NAME = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

/** Every problem with `spec`; empty when it is valid. */
export function clusterSpecProblems(spec: ClusterSpec): SpecProblem[] {
    const out: SpecProblem[] = [];
    const bad = (path: string, message: string) => out.push({ path, message });

    if (!isClusterId(spec.clusterId)) {
        bad(
            "clusterId",
            `must be a DNS-1123 label of at most ${MAX_CLUSTER_ID_LENGTH} characters, got "${spec.clusterId}"`,
        );
    }
    if (!isDnsLabel(spec.project)) bad("project", `must be a DNS-1123 label, got "${spec.project}"`);
    if (!STACK_NAME.test(spec.seedStack))
        bad("seedStack", `must be a stack name like org/mla/seed, got "${spec.seedStack}"`);
    if (spec.seedKubeconfig === "") bad("seedKubeconfig", "must not be empty");
    if (spec.userKubeconfig === "") bad("userKubeconfig", "must not be empty");

    const g = spec.gateway;
    g.externalHostnames.forEach((h, i) => {
        if (!HOSTNAME.test(h)) bad(`gateway.externalHostnames[${i}]`, `must be a lower-case DNS name, got "${h}"`);
    });
    g.externalIps.forEach((ip, i) => {
        if (isIP(ip) === 0) bad(`gateway.externalIps[${i}]`, `must be an IP address, got "${ip}"`);
    });
    // Agents connect by name and the server certificate needs a DNS SAN; IPs are extra SANs.
    if (g.externalHostnames.length === 0)
        bad("gateway.externalHostnames", "must name at least one DNS name the user cluster reaches the gateway at");
    if (!(SERVICE_TYPES as readonly string[]).includes(g.serviceType)) {
        bad("gateway.serviceType", `must be ${SERVICE_TYPES.join(", ")}, got "${g.serviceType}"`);
    }
    if (!Number.isInteger(g.replicas) || g.replicas < 1)
        bad("gateway.replicas", `must be a whole number >= 1, got ${g.replicas}`);
    // One replica has no PDB and no second pod during a rollout or a node failure: opt-in only.
    else if (g.replicas < 2 && g.allowSingleReplica !== true) {
        bad("gateway.replicas", `must be at least 2 unless gateway.allowSingleReplica is true, got ${g.replicas}`);
    }
    rateProblems("gateway.metricsWriteLimit", g.metricsWriteLimit, bad);
    rateProblems("gateway.logsWriteLimit", g.logsWriteLimit, bad);
    rateProblems("gateway.queryLimit", g.queryLimit, bad);
    if (!NGINX_SIZE.test(g.maxBodySize))
        bad("gateway.maxBodySize", `must be a size like 512k or 16m, got "${g.maxBodySize}"`);

    const p = spec.pki;
    if (!Number.isInteger(p.validityHours) || p.validityHours < 2)
        bad("pki.validityHours", `must be a whole number >= 2, got ${p.validityHours}`);
    if (!Number.isInteger(p.earlyRenewalHours) || p.earlyRenewalHours < 1 || p.earlyRenewalHours >= p.validityHours) {
        bad(
            "pki.earlyRenewalHours",
            `must be a whole number >= 1 and below pki.validityHours (${p.validityHours}), got ${p.earlyRenewalHours}`,
        );
    }
    if (!Number.isInteger(p.credentialsGeneration) || p.credentialsGeneration < 0) {
        bad("pki.credentialsGeneration", `must be a whole number >= 0, got ${p.credentialsGeneration}`);
    }

    const m = spec.monitoring;
    if (!isPositiveDuration(m.scrapeInterval))
        bad("monitoring.scrapeInterval", `must be a duration like 30s, got "${m.scrapeInterval}"`);
    if (!Number.isInteger(m.replicas) || m.replicas < 0)
        bad("monitoring.replicas", `must be a whole number >= 0, got ${m.replicas}`);
    for (const problem of customScrapeConfigProblems(m.customScrapeConfigs))
        bad("monitoring.customScrapeConfigs", problem);
    resourceProblems("monitoring.resources", m.resources, bad);
    if (!(METRICS_AGENT_KINDS as readonly string[]).includes(m.agent))
        bad("monitoring.agent", `must be ${METRICS_AGENT_KINDS.join(" or ")}, got "${m.agent}"`);
    if (!["alloy", "promtail"].includes(spec.logging.agent))
        bad("logging.agent", `must be alloy or promtail, got "${spec.logging.agent}"`);
    resourceProblems("logging.resources", spec.logging.resources, bad);

    // The Tenant component's own checks, so the service refuses with 400 what it would refuse later.
    for (const problem of tenantSpecProblems(spec.tenant)) {
        const { path, message } = tenantProblemPath(problem);
        bad(path, message);
    }

    const api = spec.seedApi;
    if (api.grafanaOrgId !== undefined && (!Number.isInteger(api.grafanaOrgId) || api.grafanaOrgId < 1)) {
        bad("seedApi.grafanaOrgId", `must be a whole number >= 1, got ${api.grafanaOrgId}`);
    }
    for (const key of ["grafanaUrl", "cortexPurgerUrl", "lokiDeleteUrl"] as const) {
        const url = api[key];
        if (url !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url))
            bad(`seedApi.${key}`, `must be an http(s) URL without query, got "${url}"`);
    }
    return out;
}

type Report = (path: string, message: string) => void;

function rateProblems(path: string, limit: RateLimitSpec, bad: Report): void {
    if (!(typeof limit.requestsPerSecond === "number" && limit.requestsPerSecond > 0)) {
        bad(`${path}.requestsPerSecond`, `must be > 0, got ${limit.requestsPerSecond}`);
    }
    if (!Number.isInteger(limit.burst) || limit.burst < 0)
        bad(`${path}.burst`, `must be a whole number >= 0, got ${limit.burst}`);
}

function resourceProblems(path: string, r: ResourceSpec, bad: Report): void {
    for (const kind of ["requests", "limits"] as const) {
        const cpu = r[kind]?.cpu;
        const memory = r[kind]?.memory;
        if (cpu !== undefined && !CPU.test(cpu))
            bad(`${path}.${kind}.cpu`, `must be a CPU quantity like 100m or 1, got "${cpu}"`);
        if (memory !== undefined && !MEMORY.test(memory))
            bad(`${path}.${kind}.memory`, `must be a memory quantity like 256Mi, got "${memory}"`);
    }
}

/**
 * A Tenant problem message as spec path and message: its first word is the field
 * (`tenant.retention.logs`, `alertmanagerConfig.route.receiver`, `metricRuleGroups[0].name`),
 * placed under `tenant.` when it is not already.
 */
export function tenantProblemPath(problem: string): SpecProblem {
    const space = problem.indexOf(" ");
    const field = (space === -1 ? problem : problem.slice(0, space)).replace(/:$/, "");
    const message = space === -1 ? "is invalid" : problem.slice(space + 1);
    return { path: field.startsWith("tenant.") ? field : `tenant.${field}`, message };
}
