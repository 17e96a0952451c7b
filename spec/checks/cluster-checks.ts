/**
 * Every check of a complete {@link ClusterSpec} (pure): the spec's schema (fields, enums, bounds,
 * patterns; `cluster-spec.ts`), then what a schema cannot say: kubeconfigs present, IPs that
 * parse, a second gateway replica unless opted out, certificate renewal inside the lifetime, and
 * the agents' and the Tenant's own checks. Each problem carries its spec path, so the config loader
 * reports it as `mla:<path>` and the service as a body field; one problem per path, in the schema's
 * field order.
 */
import { isIP } from "node:net";
import { ClusterSpec, type RateLimitSpec } from "../cluster-spec";
import { type SpecProblem, schemaProblems, sortBySchemaOrder } from "../schema-problems";
import { customScrapeConfigProblems } from "./custom-scrape-configs";
import { tenantSpecProblems } from "./tenant-checks";
import { isPositiveDuration } from "../validation";

/** Every problem with `spec`; empty when it is valid. */
export function clusterSpecProblems(spec: ClusterSpec): SpecProblem[] {
    const found = schemaProblems(ClusterSpec, spec);
    const reported = new Set(found.map((p) => p.path));
    const out: SpecProblem[] = found.map(({ path, message }) => ({ path, message }));
    // A field the schema already refused is not reported again in other words.
    const bad = (path: string, message: string) => {
        if (!reported.has(path)) out.push({ path, message });
    };

    if (spec.seedKubeconfig === "") bad("seedKubeconfig", "must not be empty");
    if (spec.userKubeconfig === "") bad("userKubeconfig", "must not be empty");

    const g = spec.gateway;
    g.externalIps.forEach((ip, i) => {
        if (isIP(ip) === 0) bad(`gateway.externalIps[${i}]`, `must be an IP address, got "${ip}"`);
    });
    // Agents connect by name and the server certificate needs a DNS SAN; IPs are extra SANs.
    if (g.externalHostnames.length === 0)
        bad("gateway.externalHostnames", "must name at least one DNS name the user cluster reaches the gateway at");
    // One replica has no PDB and no second pod during a rollout or a node failure: opt-in only.
    if (g.replicas === 1 && g.allowSingleReplica !== true) {
        bad("gateway.replicas", `must be at least 2 unless gateway.allowSingleReplica is true, got ${g.replicas}`);
    }
    for (const key of ["metricsWriteLimit", "logsWriteLimit", "queryLimit"] as const) {
        const problem = perMinuteProblem(g[key]);
        if (problem !== undefined) bad(`gateway.${key}.requestsPerSecond`, problem);
    }

    const p = spec.pki;
    if (p.earlyRenewalHours >= p.validityHours) {
        bad(
            "pki.earlyRenewalHours",
            `must be a whole number >= 1 and below pki.validityHours (${p.validityHours}), got ${p.earlyRenewalHours}`,
        );
    }

    const m = spec.monitoring;
    if (!isPositiveDuration(m.scrapeInterval))
        bad("monitoring.scrapeInterval", `must be a duration like 30s, got "${m.scrapeInterval}"`);
    for (const problem of customScrapeConfigProblems(m.customScrapeConfigs))
        bad("monitoring.customScrapeConfigs", problem);

    // The Tenant component's own checks, so the service refuses with 400 what it would refuse later.
    for (const problem of tenantSpecProblems(spec.tenant)) {
        const { path, message } = tenantProblemPath(problem);
        bad(path, message);
    }
    return sortBySchemaOrder(ClusterSpec, out);
}

/** nginx counts rates below 1/s in whole requests per minute, so the rate must be a whole number of those. */
function perMinuteProblem(limit: RateLimitSpec): string | undefined {
    const perMinute = limit.requestsPerSecond * 60;
    if (typeof perMinute !== "number" || Math.abs(perMinute - Math.round(perMinute)) < 1e-9) return undefined;
    return `must be a whole number of requests per minute (a multiple of 1/60), got ${limit.requestsPerSecond}`;
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
