/**
 * Semantic checks of a complete {@link ClusterSpec} (pure): names, durations, sizes, limits.
 * Each problem carries the spec path, so the config loader can report it as `mla:<path>` and
 * the service as a body field.
 */
import { isIP } from "node:net";
import { customScrapeConfigProblems } from "../components/agents/prometheus-config";
import type { ClusterSpec, RateLimitSpec, ResourceSpec, RuleGroupSpec } from "./cluster-spec";

/** One problem: the dotted spec path and what is wrong with it. */
export interface SpecProblem {
    path: string;
    message: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `cluster-<id>` must itself be a DNS-1123 label (63 characters). */
export const MAX_CLUSTER_ID_LENGTH = 63 - "cluster-".length;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
/** Prometheus duration syntax, e.g. `30s`, `1h30m`, `168h`. */
const DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;
const NGINX_SIZE = /^[1-9]\d*[kKmM]?$/;
const LOKI_SIZE = /^\d+(\.\d+)?(B|KB|MB|GB|KiB|MiB|GiB)$/;
const CPU = /^(\d+(\.\d+)?|\d+m)$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
/** Kubernetes stack names: `[org/][project/]stack`. */
const STACK_NAME = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

function isDuration(text: string): boolean {
    return text !== "" && DURATION.test(text) && /[1-9]/.test(text);
}

/** Every problem with `spec`; empty when it is valid. */
export function clusterSpecProblems(spec: ClusterSpec): SpecProblem[] {
    const out: SpecProblem[] = [];
    const bad = (path: string, message: string) => out.push({ path, message });

    if (!DNS_LABEL.test(spec.clusterId) || spec.clusterId.length > MAX_CLUSTER_ID_LENGTH) {
        bad("clusterId", `must be a DNS-1123 label of at most ${MAX_CLUSTER_ID_LENGTH} characters, got "${spec.clusterId}"`);
    }
    if (!DNS_LABEL.test(spec.project) || spec.project.length > 63) bad("project", `must be a DNS-1123 label, got "${spec.project}"`);
    if (!STACK_NAME.test(spec.seedStack)) bad("seedStack", `must be a stack name like org/mla/seed, got "${spec.seedStack}"`);
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
    if (g.externalHostnames.length === 0) bad("gateway.externalHostnames", "must name at least one DNS name the user cluster reaches the gateway at");
    if (!["LoadBalancer", "NodePort", "ClusterIP"].includes(g.serviceType)) {
        bad("gateway.serviceType", `must be LoadBalancer, NodePort or ClusterIP, got "${g.serviceType}"`);
    }
    if (!Number.isInteger(g.replicas) || g.replicas < 1) bad("gateway.replicas", `must be a whole number >= 1, got ${g.replicas}`);
    rateProblems("gateway.metricsWriteLimit", g.metricsWriteLimit, bad);
    rateProblems("gateway.logsWriteLimit", g.logsWriteLimit, bad);
    rateProblems("gateway.queryLimit", g.queryLimit, bad);
    if (!NGINX_SIZE.test(g.maxBodySize)) bad("gateway.maxBodySize", `must be a size like 512k or 16m, got "${g.maxBodySize}"`);

    const p = spec.pki;
    if (!Number.isInteger(p.validityHours) || p.validityHours < 2) bad("pki.validityHours", `must be a whole number >= 2, got ${p.validityHours}`);
    if (!Number.isInteger(p.earlyRenewalHours) || p.earlyRenewalHours < 1 || p.earlyRenewalHours >= p.validityHours) {
        bad("pki.earlyRenewalHours", `must be a whole number >= 1 and below pki.validityHours (${p.validityHours}), got ${p.earlyRenewalHours}`);
    }

    const m = spec.monitoring;
    if (!isDuration(m.scrapeInterval)) bad("monitoring.scrapeInterval", `must be a duration like 30s, got "${m.scrapeInterval}"`);
    if (!Number.isInteger(m.replicas) || m.replicas < 0) bad("monitoring.replicas", `must be a whole number >= 0, got ${m.replicas}`);
    for (const problem of customScrapeConfigProblems(m.customScrapeConfigs)) bad("monitoring.customScrapeConfigs", problem);
    resourceProblems("monitoring.resources", m.resources, bad);
    if (!["alloy", "promtail"].includes(spec.logging.agent)) bad("logging.agent", `must be alloy or promtail, got "${spec.logging.agent}"`);
    resourceProblems("logging.resources", spec.logging.resources, bad);

    const t = spec.tenant;
    for (const [key, value] of Object.entries(t.metricsLimits)) {
        if (!Number.isInteger(value) || value <= 0) bad(`tenant.metricsLimits.${key}`, `must be a whole number > 0, got ${value}`);
    }
    const ll = t.logsLimits;
    if (!(ll.ingestionRateMb > 0)) bad("tenant.logsLimits.ingestionRateMb", `must be > 0, got ${ll.ingestionRateMb}`);
    if (!(ll.ingestionBurstSizeMb > 0)) bad("tenant.logsLimits.ingestionBurstSizeMb", `must be > 0, got ${ll.ingestionBurstSizeMb}`);
    if (!Number.isInteger(ll.maxStreamsPerUser) || ll.maxStreamsPerUser <= 0) {
        bad("tenant.logsLimits.maxStreamsPerUser", `must be a whole number > 0, got ${ll.maxStreamsPerUser}`);
    }
    for (const key of ["perStreamRateLimit", "perStreamRateLimitBurst"] as const) {
        if (!LOKI_SIZE.test(ll[key])) bad(`tenant.logsLimits.${key}`, `must be a size like 3MB, got "${ll[key]}"`);
    }
    for (const key of ["metrics", "logs"] as const) {
        if (!isDuration(t.retention[key])) bad(`tenant.retention.${key}`, `must be a duration like 168h, got "${t.retention[key]}"`);
    }
    ruleGroupProblems("tenant.metricRuleGroups", t.metricRuleGroups, bad);
    ruleGroupProblems("tenant.logRuleGroups", t.logRuleGroups, bad);

    const api = spec.seedApi;
    if (api.grafanaOrgId !== undefined && (!Number.isInteger(api.grafanaOrgId) || api.grafanaOrgId < 1)) {
        bad("seedApi.grafanaOrgId", `must be a whole number >= 1, got ${api.grafanaOrgId}`);
    }
    for (const key of ["grafanaUrl", "cortexPurgerUrl", "lokiDeleteUrl"] as const) {
        const url = api[key];
        if (url !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url)) bad(`seedApi.${key}`, `must be an http(s) URL without query, got "${url}"`);
    }
    return out;
}

type Report = (path: string, message: string) => void;

function rateProblems(path: string, limit: RateLimitSpec, bad: Report): void {
    if (!(typeof limit.requestsPerSecond === "number" && limit.requestsPerSecond > 0)) {
        bad(`${path}.requestsPerSecond`, `must be > 0, got ${limit.requestsPerSecond}`);
    }
    if (!Number.isInteger(limit.burst) || limit.burst < 0) bad(`${path}.burst`, `must be a whole number >= 0, got ${limit.burst}`);
}

function resourceProblems(path: string, r: ResourceSpec, bad: Report): void {
    for (const kind of ["requests", "limits"] as const) {
        const cpu = r[kind]?.cpu;
        const memory = r[kind]?.memory;
        if (cpu !== undefined && !CPU.test(cpu)) bad(`${path}.${kind}.cpu`, `must be a CPU quantity like 100m or 1, got "${cpu}"`);
        if (memory !== undefined && !MEMORY.test(memory)) bad(`${path}.${kind}.memory`, `must be a memory quantity like 256Mi, got "${memory}"`);
    }
}

function ruleGroupProblems(path: string, groups: RuleGroupSpec[], bad: Report): void {
    const seen = new Set<string>();
    groups.forEach((group, i) => {
        if (typeof group.name !== "string" || group.name === "") bad(`${path}[${i}].name`, "is required");
        else if (seen.has(group.name)) bad(`${path}[${i}].name`, `"${group.name}" is used by another group`);
        else seen.add(group.name);
        if (group.interval !== undefined && !isDuration(group.interval)) bad(`${path}[${i}].interval`, `must be a duration, got "${group.interval}"`);
        if (!Array.isArray(group.rules) || group.rules.length === 0) bad(`${path}[${i}].rules`, "must be a non-empty list");
    });
}
