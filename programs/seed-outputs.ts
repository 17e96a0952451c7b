/**
 * The seed stack's outputs: the contract cluster stacks read through a `StackReference`.
 *
 * Output names are flat and fixed; `tenantDelivery` carries the conventions (labels, folders,
 * data keys) by which cluster stacks deliver per-tenant config to the seed's sidecars and to
 * the overrides merger.
 *
 * The object-store credentials are deliberately NOT outputs: every cluster stack can read every
 * seed output, and no cluster needs them. Operators read them from the Secret
 * `mla-s3-credentials` in the MLA namespace (`SEED_OBJECT_NAMES.s3Secret`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { GRAFANA_ADMIN_USER } from "../components/seed/grafana";
import type { SeedMla } from "../components/seed/seed-mla";
import { type AdminRuleGroups, type SeedOutputName } from "../spec/seed-contract";

/** The stack outputs of a seed, from its `SeedMla`. */
export function seedOutputs(
    seed: SeedMla,
    grafanaNamespace: string,
    admin: AdminRuleGroups,
): Record<SeedOutputName, pulumi.Output<unknown> | unknown> {
    const e = seed.endpoints;
    return {
        namespace: seed.namespace,
        metricsPushUrl: e.metricsPushUrl,
        metricsQueryUrl: e.metricsQueryUrl,
        alertmanagerUrl: e.alertmanagerUrl,
        metricsRulerUrl: e.metricsRulerUrl,
        logsPushUrl: e.logsPushUrl,
        logsQueryUrl: e.logsQueryUrl,
        logsRulerUrl: e.logsRulerUrl,
        metricsPurgerUrl: e.metricsPurgerUrl,
        logsDeleteUrl: e.logsCompactorUrl,
        grafanaUrl: e.grafanaUrl,
        grafanaNamespace,
        grafanaAdminUser: GRAFANA_ADMIN_USER,
        grafanaAdminPassword: seed.grafanaAdminPassword,
        tenantDelivery: seed.delivery,
        adminMetricRuleGroups: admin.metric,
        adminLogRuleGroups: admin.log,
    };
}
