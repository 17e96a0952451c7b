/**
 * Checks of custom scrape configs, for both metrics agents (pure): job names (present, unique, not
 * a built-in job's) and fields (`scrape-config-fields.ts`), so a config either agent would refuse
 * is refused before anything is created.
 */
import { scrapeConfigFieldProblems } from "./scrape-config-fields";

/** Builtin job names; custom scrape configs may not reuse them. */
export const BUILTIN_JOB_NAMES = [
    "prometheus",
    "kubelet",
    "cadvisor",
    "kubernetes-pods",
    "kubernetes-pods-slow",
    "kubernetes-service-endpoints",
    "kubernetes-service-endpoints-slow",
    "kube-system",
    "node-exporter",
    "kube-state-metrics",
] as const;

/**
 * Checks custom scrape configs for both metrics agents: job names (present, unique, not a
 * built-in's) and fields (scrape-config-checks.ts). Returns every problem (empty when valid).
 */
export function customScrapeConfigProblems(configs: readonly Record<string, unknown>[]): string[] {
    const problems: string[] = [];
    const seen = new Set<string>(BUILTIN_JOB_NAMES);
    configs.forEach((c, i) => {
        if (typeof c !== "object" || c === null || Array.isArray(c)) {
            problems.push(`custom scrape config #${i + 1} must be an object`);
            return;
        }
        const name = c.job_name;
        const label =
            typeof name === "string" && name !== ""
                ? `custom scrape config "${name}"`
                : `custom scrape config #${i + 1}`;
        problems.push(...scrapeConfigFieldProblems(label, c));
        if (typeof name !== "string" || name === "") {
            problems.push(`custom scrape config #${i + 1} has no job_name`);
        } else if (seen.has(name)) {
            problems.push(`custom scrape config job_name "${name}" is used more than once or by a built-in job`);
        } else {
            seen.add(name);
        }
    });
    return problems;
}
