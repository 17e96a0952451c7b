/**
 * Every problem with a tenant's inputs, collected in one pass so the Tenant component (and
 * `mla render`) can refuse them all at once, before any object is created.
 */
import type { RuleGroupSpec, TenantSpec } from "../../stacks/cluster-spec";
import { alertmanagerConfigProblems } from "./alertmanager-config";
import { limitsProblems } from "./limits";
import { ruleGroupProblems } from "./rule-groups";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What is checked: the tenant spec, its id, and the admin default groups it will carry. */
export interface TenantCheckInputs {
    clusterId: string;
    tenant: TenantSpec;
    adminMetricRuleGroups: readonly RuleGroupSpec[];
    adminLogRuleGroups: readonly RuleGroupSpec[];
}

/** Every problem, as one message each; empty when all inputs are valid. */
export function tenantProblems(inputs: TenantCheckInputs): string[] {
    const { clusterId, tenant } = inputs;
    const problems: string[] = [];
    if (typeof clusterId !== "string" || !DNS_LABEL.test(clusterId)) {
        problems.push(`clusterId ${JSON.stringify(clusterId)} must be a DNS-1123 label (lower-case letters, digits, "-")`);
    }
    if (tenant.alertmanagerConfig !== undefined && tenant.alertmanagerConfig.trim() !== "") {
        problems.push(...alertmanagerConfigProblems(tenant.alertmanagerConfig));
    }
    problems.push(...ruleGroupProblems(tenant.metricRuleGroups, "metricRuleGroups", "promql"));
    problems.push(...ruleGroupProblems(tenant.logRuleGroups, "logRuleGroups", "logql"));
    problems.push(...ruleGroupProblems(inputs.adminMetricRuleGroups, "admin metric rule groups", "promql"));
    problems.push(...ruleGroupProblems(inputs.adminLogRuleGroups, "admin log rule groups", "logql"));
    problems.push(...limitsProblems(tenant));
    if (typeof tenant.purgeOnDestroy !== "boolean") problems.push("tenant.purgeOnDestroy must be true or false");
    return problems;
}
