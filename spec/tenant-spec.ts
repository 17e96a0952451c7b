/**
 * The tenant's part of the cluster spec, as TypeBox schemas with their `Static<>` types: its
 * Alertmanager config, rule groups, limits and retention. The checks that need parsers (PromQL,
 * LogQL, the Alertmanager's YAML) are in `checks/tenant-checks.ts`.
 */
import { type Static, Type } from "@sinclair/typebox";
import { NEVER_ECHO_KEYWORD, PROBLEM_KEYWORD } from "./schema-problems";
import { DURATION_PATTERN, LOKI_SIZE_PATTERN } from "./validation";

const STRICT = { additionalProperties: false } as const;
const says = (problem: string) => ({ [PROBLEM_KEYWORD]: problem });

/** Largest YAML text accepted in a spec field: real configs are a few KiB. */
export const MAX_TEXT_FIELD = 256 * 1024;

/** One Prometheus-style rule group, for the Cortex ruler (PromQL) or the Loki ruler (LogQL). */
export const RuleGroupSpec = Type.Object(
    {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        /** A duration; checked with the group's other fields (`checks/rule-groups.ts`). */
        interval: Type.Optional(Type.String({ maxLength: 32 })),
        /** Rules as both rulers read them; each is checked field by field. */
        rules: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 1000 }),
    },
    STRICT,
);
export type RuleGroupSpec = Static<typeof RuleGroupSpec>;

/** A tenant limit: > 0; there is no "0 means unlimited" (`checks/limits.ts`). */
const Count = Type.Integer({ minimum: 1, maximum: 1_000_000_000, ...says("must be a whole number > 0") });
/** A rate in MB/s as Loki counts it. */
const Megabytes = Type.Number({ exclusiveMinimum: 0, maximum: 100_000, ...says("must be a number of MB > 0") });
/** A byte size as Loki parses it for per-stream limits. */
const LokiSize = Type.String({
    pattern: LOKI_SIZE_PATTERN,
    maxLength: 32,
    description: "A byte size such as 3MB",
    ...says('must be a byte size such as "3MB"'),
});
/** A retention: a duration of at least 24h (the minimum is checked in `checks/limits.ts`). */
const Retention = Type.String({
    pattern: DURATION_PATTERN,
    maxLength: 32,
    description: "A duration of at least 24h",
    ...says('must be a duration such as "5m" or "168h"'),
});

/** Cortex per-tenant limits. */
export const MetricsLimitsSpec = Type.Object(
    {
        ingestionRate: Count,
        ingestionBurstSize: Count,
        maxSeriesPerUser: Count,
        maxSeriesPerMetric: Count,
        maxSamplesPerQuery: Count,
        maxFetchedSeriesPerQuery: Count,
    },
    STRICT,
);

/** Loki per-tenant limits (MB/s as Loki counts them). */
export const LogsLimitsSpec = Type.Object(
    {
        ingestionRateMb: Megabytes,
        ingestionBurstSizeMb: Megabytes,
        maxStreamsPerUser: Count,
        perStreamRateLimit: LokiSize,
        perStreamRateLimitBurst: LokiSize,
    },
    STRICT,
);

/** Retention of metrics and logs, Prometheus duration syntax (e.g. "168h"). */
export const RetentionSpec = Type.Object({ metrics: Retention, logs: Retention }, STRICT);

/** Per-tenant limits, retention and alerting. */
export const TenantSpec = Type.Object(
    {
        /** The owner's Alertmanager config (YAML text, secret). Defaults to routing everything to "null". */
        alertmanagerConfig: Type.Optional(
            Type.String({ maxLength: MAX_TEXT_FIELD, description: "YAML (secret)", [NEVER_ECHO_KEYWORD]: true }),
        ),
        /** Owner rule groups evaluated by the Cortex ruler. */
        metricRuleGroups: Type.Array(RuleGroupSpec, { maxItems: 500 }),
        /** Owner rule groups evaluated by the Loki ruler. */
        logRuleGroups: Type.Array(RuleGroupSpec, { maxItems: 500 }),
        metricsLimits: MetricsLimitsSpec,
        logsLimits: LogsLimitsSpec,
        retention: RetentionSpec,
        /** On destroy, also delete the tenant's stored data through the backends' APIs. */
        purgeOnDestroy: Type.Boolean(),
    },
    STRICT,
);
export type TenantSpec = Static<typeof TenantSpec>;
