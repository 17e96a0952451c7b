/**
 * Helm values for the Grafana chart: the admin credentials from an existing Secret, datasource and
 * dashboard sidecars watching the MLA namespace, optional auth-proxy SSO.
 */
import { SEED_OBJECT_NAMES, type SeedPlan } from "./seed-plan";
import { SIDECAR_FOLDER_ANNOTATION, TENANT_DELIVERY_CONVENTIONS, onlyLabel } from "./tenant-delivery";

/** Keys of the admin Secret, as the chart's `admin.userKey`/`admin.passwordKey` expect them. */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

/** The values passed to the Grafana chart. */
export function grafanaValues(plan: SeedPlan): Record<string, unknown> {
    const [dsLabel, dsValue] = onlyLabel(TENANT_DELIVERY_CONVENTIONS.grafanaDatasources.labels);
    const [dbLabel, dbValue] = onlyLabel(TENANT_DELIVERY_CONVENTIONS.grafanaDashboards.labels);
    const ini: Record<string, unknown> = {};
    if (plan.grafana.rootUrl !== undefined) ini.server = { root_url: plan.grafana.rootUrl };
    if (plan.grafana.authProxy) {
        const p = plan.grafana.authProxy;
        ini["auth.proxy"] = {
            enabled: true,
            header_name: p.headerName,
            header_property: p.headerProperty,
            auto_sign_up: p.autoSignUp,
            ...(p.whitelist.length > 0 ? { whitelist: p.whitelist.join(", ") } : {}),
        };
    }
    return {
        admin: {
            existingSecret: SEED_OBJECT_NAMES.grafanaAdminSecret,
            userKey: GRAFANA_ADMIN_KEYS.user,
            passwordKey: GRAFANA_ADMIN_KEYS.password,
        },
        ...(Object.keys(plan.grafana.resources).length > 0 ? { resources: plan.grafana.resources } : {}),
        sidecar: {
            datasources: {
                enabled: true,
                label: dsLabel,
                labelValue: dsValue,
                searchNamespace: plan.namespace,
                // Secrets too: a cluster's datasource file carries its gateway read token.
                resource: "both",
            },
            dashboards: {
                enabled: true,
                label: dbLabel,
                labelValue: dbValue,
                searchNamespace: plan.namespace,
                folderAnnotation: SIDECAR_FOLDER_ANNOTATION,
                resource: "configmap",
                provider: { foldersFromFilesStructure: true },
            },
        },
        ...(Object.keys(ini).length > 0 ? { "grafana.ini": ini } : {}),
    };
}
