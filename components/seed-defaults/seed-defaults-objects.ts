/**
 * The seed defaults' object (pure): the ConfigMap of the default Kubernetes dashboards, labelled
 * for the Grafana dashboard sidecar and annotated with the folder it files them under.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { TENANT_DELIVERY_CONVENTIONS } from "../../spec/tenant-delivery";
import { defaultDashboards } from "./kubernetes-dashboards";

/** The ConfigMap's name in the seed's MLA namespace. */
export const DEFAULT_DASHBOARDS_CONFIG_MAP = "mla-default-dashboards";

/** One `<uid>.json` file per default dashboard, in the Grafana folder `folder`. */
export function defaultDashboardsConfigMapArgs(
    namespace: pulumi.Input<string>,
    folder: string,
): k8s.core.v1.ConfigMapArgs {
    const d = TENANT_DELIVERY_CONVENTIONS.grafanaDashboards;
    return {
        metadata: {
            name: DEFAULT_DASHBOARDS_CONFIG_MAP,
            namespace,
            labels: { "app.kubernetes.io/part-of": "mla", ...d.labels },
            annotations: { [d.folderAnnotation]: folder },
        },
        data: Object.fromEntries(
            defaultDashboards().map((db) => [`${db.uid}.json`, `${JSON.stringify(db, null, 2)}\n`]),
        ),
    };
}
