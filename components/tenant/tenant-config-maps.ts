/**
 * The tenant's objects in the seed namespace, as plain objects (pure): the Alertmanager config (a
 * Secret: it holds receiver credentials), metric and log rules, datasources, and the two overrides
 * fragments (ConfigMaps), described, then as Kubernetes objects ({@link tenantConfigMapArgs},
 * {@link tenantSecretArgs}). The Tenant component and `mla render` both build from here; every text
 * inside comes from its own renderer.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { renderAlertmanagerConfig } from "./alertmanager-config";
import { TENANT_DELIVERY_CONVENTIONS } from "../../spec/tenant-delivery";
import { tenantLabels, tenantObjectName } from "./delivery";
import { renderCortexOverrides, renderLokiOverrides } from "./limits";
import { renderRuleFile } from "./rule-groups";
import { type RuleGroupSpec, type TenantSpec } from "../../spec/tenant-spec";

/** One object: its role (for the Pulumi resource name), its kind, and its metadata and data. */
export interface TenantConfigMap {
    role: string;
    /**
     * "Secret" for content with credentials: encrypted in Pulumi state and hidden from everyone who
     * may only read ConfigMaps. The seed's sidecar for it watches Secrets.
     */
    kind: "ConfigMap" | "Secret";
    name: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    data: Record<string, string>;
}

/** The rule files of one ruler: owner groups and admin defaults as two rule namespaces. */
export function ruleFiles(
    clusterId: string,
    owner: readonly RuleGroupSpec[],
    admin: readonly RuleGroupSpec[],
): Record<string, string> {
    const files: Record<string, string> = {};
    // Empty files are left out: an empty namespace is noise in the ruler's API and UI.
    if (admin.length > 0) files[`${clusterId}-defaults.yaml`] = renderRuleFile(admin);
    if (owner.length > 0) files[`${clusterId}-owner.yaml`] = renderRuleFile(owner);
    return files;
}

/** Inputs of {@link tenantConfigMaps}; all validated beforehand. */
export interface TenantConfigMapInputs {
    clusterId: string;
    tenant: TenantSpec;
    adminMetricRuleGroups: readonly RuleGroupSpec[];
    adminLogRuleGroups: readonly RuleGroupSpec[];
}

/** Every tenant object except the datasources (which wait for the Grafana org id). */
export function tenantConfigMaps(inputs: TenantConfigMapInputs): TenantConfigMap[] {
    const { clusterId: id, tenant } = inputs;
    const base = tenantLabels(id);
    const d = TENANT_DELIVERY_CONVENTIONS;
    const folder = { [d.metricRules.folderAnnotation]: id };
    return [
        {
            role: "alertmanager",
            kind: "Secret",
            name: tenantObjectName("alertmanager", id),
            labels: { ...base, ...d.alertmanagerConfig.labels },
            data: { [`${id}.yaml`]: renderAlertmanagerConfig(tenant.alertmanagerConfig) },
        },
        {
            role: "metric-rules",
            kind: "ConfigMap",
            name: tenantObjectName("metric-rules", id),
            labels: { ...base, ...d.metricRules.labels },
            annotations: folder,
            data: ruleFiles(id, tenant.metricRuleGroups, inputs.adminMetricRuleGroups),
        },
        {
            role: "log-rules",
            kind: "ConfigMap",
            name: tenantObjectName("log-rules", id),
            labels: { ...base, ...d.logRules.labels },
            annotations: { [d.logRules.folderAnnotation]: id },
            data: ruleFiles(id, tenant.logRuleGroups, inputs.adminLogRuleGroups),
        },
        {
            role: "cortex-overrides",
            kind: "ConfigMap",
            name: tenantObjectName("overrides-cortex", id),
            labels: { ...base, ...d.cortexOverrides.labels },
            data: { [d.cortexOverrides.dataKey]: renderCortexOverrides(id, tenant) },
        },
        {
            role: "loki-overrides",
            kind: "ConfigMap",
            name: tenantObjectName("overrides-loki", id),
            labels: { ...base, ...d.lokiOverrides.labels },
            data: { [d.lokiOverrides.dataKey]: renderLokiOverrides(id, tenant) },
        },
    ];
}

/** The datasource ConfigMap's name, labels and data key. */
export function datasourceConfigMapMeta(clusterId: string): Omit<TenantConfigMap, "data"> & { dataKey: string } {
    return {
        role: "datasources",
        kind: "ConfigMap",
        name: tenantObjectName("datasources", clusterId),
        labels: { ...tenantLabels(clusterId), ...TENANT_DELIVERY_CONVENTIONS.grafanaDatasources.labels },
        dataKey: `datasources-${clusterId}.yaml`,
    };
}

/** What places a tenant object: its name, labels and annotations. */
export type TenantObjectMeta = Pick<TenantConfigMap, "name" | "labels" | "annotations">;

function tenantObjectMetadata(o: TenantObjectMeta, namespace: pulumi.Input<string>) {
    return { name: o.name, namespace, labels: o.labels, annotations: o.annotations };
}

/** A tenant object as a ConfigMap in `namespace`; `data` may wait for an Output (the datasources' org id). */
export function tenantConfigMapArgs(
    o: TenantObjectMeta,
    namespace: pulumi.Input<string>,
    data: pulumi.Input<Record<string, string>>,
): k8s.core.v1.ConfigMapArgs {
    return { metadata: tenantObjectMetadata(o, namespace), data };
}

/**
 * A tenant object as an Opaque Secret in `namespace`. The caller marks `stringData` secret, so the
 * text is encrypted in the state and masked in previews and logs.
 */
export function tenantSecretArgs(
    o: TenantObjectMeta,
    namespace: pulumi.Input<string>,
    stringData: pulumi.Input<Record<string, string>>,
): k8s.core.v1.SecretArgs {
    return { metadata: tenantObjectMetadata(o, namespace), type: "Opaque", stringData };
}
