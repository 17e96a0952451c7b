/**
 * Checks of a tenant's limits and retention (pure), as `tenant.<field> ...` messages.
 */
import { LOKI_SIZE, MIN_RETENTION_MS } from "../validation";
import { durationProblem, parseDuration } from "./duration";
import { type TenantSpec } from "../tenant-spec";

/**
 * Every problem with the limits and retention, as `tenant.<field> ...` messages. Every limit must
 * be above 0; there is no "unlimited". The backends do not read 0 the same way for every limit
 * (off for series caps, a zero-sized token bucket for rates), so 0 is refused everywhere rather
 * than meaning two things; set a large number instead.
 */
export function limitsProblems(tenant: Pick<TenantSpec, "metricsLimits" | "logsLimits" | "retention">): string[] {
    const problems: string[] = [];
    const counts: [string, unknown][] = [
        ["metricsLimits.ingestionRate", tenant.metricsLimits?.ingestionRate],
        ["metricsLimits.ingestionBurstSize", tenant.metricsLimits?.ingestionBurstSize],
        ["metricsLimits.maxSeriesPerUser", tenant.metricsLimits?.maxSeriesPerUser],
        ["metricsLimits.maxSeriesPerMetric", tenant.metricsLimits?.maxSeriesPerMetric],
        ["metricsLimits.maxSamplesPerQuery", tenant.metricsLimits?.maxSamplesPerQuery],
        ["metricsLimits.maxFetchedSeriesPerQuery", tenant.metricsLimits?.maxFetchedSeriesPerQuery],
        ["logsLimits.maxStreamsPerUser", tenant.logsLimits?.maxStreamsPerUser],
    ];
    for (const [field, value] of counts) {
        if (!Number.isSafeInteger(value) || (value as number) <= 0) {
            problems.push(`tenant.${field} must be a whole number > 0, got ${JSON.stringify(value)}`);
        }
    }
    for (const field of ["ingestionRateMb", "ingestionBurstSizeMb"] as const) {
        const value = tenant.logsLimits?.[field];
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
            problems.push(`tenant.logsLimits.${field} must be a number of MB > 0, got ${JSON.stringify(value)}`);
        }
    }
    for (const field of ["perStreamRateLimit", "perStreamRateLimitBurst"] as const) {
        const value = tenant.logsLimits?.[field];
        if (typeof value !== "string" || !LOKI_SIZE.test(value)) {
            problems.push(`tenant.logsLimits.${field} must be a byte size such as "3MB", got ${JSON.stringify(value)}`);
        }
    }
    for (const field of ["metrics", "logs"] as const) {
        const value = tenant.retention?.[field];
        const problem = durationProblem(`tenant.retention.${field}`, value);
        if (problem) problems.push(problem);
        else if ((parseDuration(value as string) as number) < MIN_RETENTION_MS) {
            problems.push(`tenant.retention.${field} must be at least 24h, got "${value}"`);
        }
    }
    return problems;
}
