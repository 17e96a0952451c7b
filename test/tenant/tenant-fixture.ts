/** A valid tenant spec for component and command tests. */
import { applyTenantDefaults } from "../../spec/cluster-defaults";
import { type TenantSpec } from "../../spec/tenant-spec";

/** A complete, valid TenantSpec with an owner webhook config and one rule group of each kind. */
export function validTenant(overrides: Partial<TenantSpec> = {}): TenantSpec {
    const defaults = applyTenantDefaults();
    return {
        ...defaults,
        alertmanagerConfig:
            "route:\n  receiver: ops\nreceivers:\n  - name: ops\n    webhook_configs:\n      - url: https://hooks.example.com/x\n",
        metricRuleGroups: [{ name: "owner", rules: [{ alert: "Down", expr: "up == 0", for: "5m" }] }],
        logRuleGroups: [
            {
                name: "owner-logs",
                rules: [{ alert: "Panics", expr: 'count_over_time({app="web"} |= "panic" [5m]) > 0' }],
            },
        ],
        metricsLimits: { ...defaults.metricsLimits, ingestionRate: 10000 },
        ...overrides,
    };
}
