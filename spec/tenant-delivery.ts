/**
 * How cluster stacks deliver per-tenant configuration to the seed backends: labelled ConfigMaps
 * in the seed's MLA namespace, picked up by the charts' k8s-sidecars (and, for limits, by the
 * overrides merger). The seed configures the sidecars from these constants and exports them as
 * the `tenantDelivery` stack output, so both sides agree on one definition.
 */

/** The annotation k8s-sidecar reads to place a ConfigMap's files in a sub-folder (relative to its folder). */
export const SIDECAR_FOLDER_ANNOTATION = "k8s-sidecar-target-directory";

/** The label key the overrides merger selects on; the value names the backend. */
export const OVERRIDES_LABEL = "mla.k8c.io/overrides";

/**
 * The label naming the tenant (cluster id) on every tenant object, as the tenant component sets it
 * (`tenantLabels`). The overrides merger accepts a fragment only for the tenant this label names.
 */
export const TENANT_ID_LABEL = "mla.k8c.io/cluster-id";

/** The fixed part of the conventions (everything except the namespace). */
export const TENANT_DELIVERY_CONVENTIONS = {
    /** Alertmanager config: data key `<clusterId>.yaml`, the tenant's plain Alertmanager config. */
    alertmanagerConfig: { labels: { cortex_alertmanager: "1" }, dataKeyPattern: "<clusterId>.yaml" },
    /** Metric rule groups: any `*.yaml` data keys; the annotation puts them in `<folder>/<clusterId>/`. */
    metricRules: {
        labels: { cortex_rules: "1" },
        folderAnnotation: SIDECAR_FOLDER_ANNOTATION,
        folderValue: "<clusterId>",
    },
    /** Log rule groups, same shape as metric rules, for the Loki ruler. */
    logRules: { labels: { loki_rule: "1" }, folderAnnotation: SIDECAR_FOLDER_ANNOTATION, folderValue: "<clusterId>" },
    /** Grafana datasource provisioning files. */
    grafanaDatasources: { labels: { grafana_datasource: "1" } },
    /** Grafana dashboards; the folder annotation becomes the Grafana folder. */
    grafanaDashboards: { labels: { grafana_dashboard: "1" }, folderAnnotation: SIDECAR_FOLDER_ANNOTATION },
    /**
     * Cortex per-tenant limits: data key `overrides.yaml` holding `  <tenantId>:\n    <limit>: <value>\n`
     * (indented by two spaces, no top-level key); the merger nests all fragments under `overrides:`.
     */
    cortexOverrides: { labels: { [OVERRIDES_LABEL]: "cortex" }, dataKey: "overrides.yaml", indent: 2 },
    /** Loki per-tenant limits, same fragment format as Cortex. */
    lokiOverrides: { labels: { [OVERRIDES_LABEL]: "loki" }, dataKey: "overrides.yaml", indent: 2 },
} as const;

/** The conventions plus the namespace every tenant object lives in. */
export type TenantDelivery = typeof TENANT_DELIVERY_CONVENTIONS & { readonly namespace: string };

/** The conventions for a seed whose MLA namespace is `namespace`. */
export function tenantDelivery(namespace: string): TenantDelivery {
    return { namespace, ...TENANT_DELIVERY_CONVENTIONS };
}

/** `{ key: value }` as the single `[key, value]` pair; for the one-label selectors above. */
export function onlyLabel(labels: Readonly<Record<string, string>>): [string, string] {
    const entries = Object.entries(labels);
    if (entries.length !== 1) throw new Error(`expected exactly one label, got ${entries.length}`);
    return entries[0];
}
