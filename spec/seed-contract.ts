/**
 * The seed↔cluster contract (pure): the seed stack's output names, which of them are secret, and
 * the shape of the admin rule groups. Cluster and project stacks read these names through a
 * `StackReference`; the seed program exports exactly these (`programs/seed-outputs.ts`). With
 * `tenant-delivery.ts` (how cluster stacks hand per-tenant config to the seed), it is everything a
 * cluster stack may assume about its seed.
 *
 * The object-store credentials are deliberately NOT outputs: every cluster stack can read every
 * seed output, and no cluster needs them.
 */
import type { RuleGroupSpec } from "./tenant-spec";

/** Every seed output name, in the order the stack exports them. */
export const SEED_OUTPUT_NAMES = [
    "namespace",
    "metricsPushUrl",
    "metricsQueryUrl",
    "alertmanagerUrl",
    "metricsRulerUrl",
    "logsPushUrl",
    "logsQueryUrl",
    "logsRulerUrl",
    "metricsPurgerUrl",
    "logsDeleteUrl",
    "grafanaUrl",
    "grafanaNamespace",
    "grafanaAdminUser",
    "grafanaAdminPassword",
    "tenantDelivery",
    "adminMetricRuleGroups",
    "adminLogRuleGroups",
] as const;

/** The name of one seed output. */
export type SeedOutputName = (typeof SEED_OUTPUT_NAMES)[number];

/** Outputs that are secret (cluster stacks must read them with `getOutput`, never log them). */
export const SECRET_SEED_OUTPUTS: readonly SeedOutputName[] = ["grafanaAdminPassword"];

/** The admin default rule groups every cluster stack applies to its tenant. */
export interface AdminRuleGroups {
    metric: RuleGroupSpec[];
    log: RuleGroupSpec[];
}
