/**
 * Every problem with a tenant's inputs, collected in one pass so the Tenant component (and
 * `mla render`) can refuse them all at once, before any object is created. The cluster spec
 * checks (`cluster-checks.ts`) run {@link tenantSpecProblems} too, so the onboarding
 * service answers 400 for exactly what the Tenant would refuse later.
 */
import { MAX_CLUSTER_ID_LENGTH, isClusterId } from "../validation";
import { alertmanagerConfigProblems } from "./alertmanager-config";
import { limitsProblems } from "./limits";
import { ruleGroupProblems } from "./rule-groups";
import { type RuleGroupSpec, type TenantSpec } from "../tenant-spec";

/** What is checked: the tenant spec, its id, and the admin default groups it will carry. */
export interface TenantCheckInputs {
    clusterId: string;
    tenant: TenantSpec;
    adminMetricRuleGroups: readonly RuleGroupSpec[];
    adminLogRuleGroups: readonly RuleGroupSpec[];
}

/**
 * Problems of the owner's part alone (no id, no admin groups). Each message starts with the field
 * it is about: `alertmanagerConfig...`, `metricRuleGroups...`, `logRuleGroups...` or `tenant....`.
 */
export function tenantSpecProblems(tenant: TenantSpec): string[] {
    const problems: string[] = [];
    if (tenant.alertmanagerConfig !== undefined && tenant.alertmanagerConfig.trim() !== "") {
        problems.push(...alertmanagerConfigProblems(tenant.alertmanagerConfig));
    }
    problems.push(...ruleGroupProblems(tenant.metricRuleGroups, "metricRuleGroups", "promql"));
    problems.push(...ruleGroupProblems(tenant.logRuleGroups, "logRuleGroups", "logql"));
    problems.push(...limitsProblems(tenant));
    if (typeof tenant.purgeOnDestroy !== "boolean") problems.push("tenant.purgeOnDestroy must be true or false");
    return problems;
}

/** Every problem, as one message each; empty when all inputs are valid. */
export function tenantProblems(inputs: TenantCheckInputs): string[] {
    const { clusterId, tenant } = inputs;
    const problems: string[] = [];
    if (!isClusterId(clusterId)) {
        problems.push(
            `clusterId ${JSON.stringify(clusterId)} must be a DNS-1123 label (lower-case letters, digits, "-") of at most ${MAX_CLUSTER_ID_LENGTH} characters`,
        );
    }
    problems.push(...tenantSpecProblems(tenant));
    problems.push(...ruleGroupProblems(inputs.adminMetricRuleGroups, "admin metric rule groups", "promql"));
    problems.push(...ruleGroupProblems(inputs.adminLogRuleGroups, "admin log rule groups", "logql"));
    return problems;
}
