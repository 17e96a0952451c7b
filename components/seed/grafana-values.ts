/**
 * Helm values for the Grafana chart: the admin credentials from an existing Secret, datasource and
 * dashboard sidecars watching the MLA namespace, optional auth-proxy SSO, and state that survives
 * a restart: SQLite on a PersistentVolumeClaim (one replica), or an external PostgreSQL/MySQL
 * database whose password comes from a Secret (then several replicas with a PodDisruptionBudget).
 */
import { SEED_CHARTS } from "./charts";
import { grafanaOAuthEnv, grafanaOAuthIni } from "./grafana-oauth";
import { SEED_OBJECT_NAMES } from "./seed-plan";
import { SIDECAR_FOLDER_ANNOTATION, TENANT_DELIVERY_CONVENTIONS, onlyLabel } from "../../spec/tenant-delivery";
import { restrictedPodSecurity } from "../common/pod-security";
import { type SeedPlan } from "../../spec/seed-plan";

/** Keys of the admin Secret, as the chart's `admin.userKey`/`admin.passwordKey` expect them. */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

/** The uid of the Grafana image (and the chart's default); also the fsGroup of its volume. */
export const GRAFANA_UID = 472;
/** Where Grafana keeps its SQLite database, plugins and sessions (the chart's `paths.data`). */
export const GRAFANA_DATA_PATH = "/var/lib/grafana";
/** The env var carrying the external database's password, from its Secret. */
export const GRAFANA_DB_PASSWORD_ENV = "GF_DATABASE_PASSWORD";
/** Alertmanager gossip between Grafana replicas (the chart's container port `gossip-tcp`). */
const GOSSIP_PORT = 9094;

type EnvSource = Record<string, unknown>;

/** `grafana.ini` sections. Secrets never appear here, only `$__env{...}` references. */
function grafanaIni(plan: SeedPlan): Record<string, unknown> {
    const g = plan.grafana;
    const ini: Record<string, unknown> = {};
    if (g.rootUrl !== undefined) ini.server = { root_url: g.rootUrl };
    if (g.authProxy) {
        const p = g.authProxy;
        ini["auth.proxy"] = {
            enabled: true,
            header_name: p.headerName,
            header_property: p.headerProperty,
            auto_sign_up: p.autoSignUp,
            ...(p.whitelist.length > 0 ? { whitelist: p.whitelist.join(", ") } : {}),
        };
    }
    // Generic OAuth, org membership from IdP groups; refuses Admin (see grafana-oauth.ts).
    if (g.oauth) Object.assign(ini, grafanaOAuthIni(g.oauth));
    if (g.database) {
        const db = g.database;
        ini.database = {
            type: db.type,
            host: db.host,
            name: db.name,
            user: db.user,
            password: `$__env{${GRAFANA_DB_PASSWORD_ENV}}`,
            ...(db.sslMode !== undefined ? { ssl_mode: db.sslMode } : {}),
        };
    }
    if (g.replicas > 1) {
        // Replicas gossip so that Grafana-managed alerts notify once; the headless Service lists them.
        ini.unified_alerting = {
            ha_peers: `${SEED_CHARTS.grafana.releaseName}-headless.${g.namespace}.svc:${GOSSIP_PORT}`,
            ha_listen_address: `$__env{POD_IP}:${GOSSIP_PORT}`,
            ha_advertise_address: `$__env{POD_IP}:${GOSSIP_PORT}`,
        };
    }
    return ini;
}

/** Env vars from Secrets (`envValueFrom`): the only way a secret reaches Grafana's config. */
function secretEnv(plan: SeedPlan): Record<string, EnvSource> {
    const env: Record<string, EnvSource> = {};
    const db = plan.grafana.database;
    if (db)
        env[GRAFANA_DB_PASSWORD_ENV] = { secretKeyRef: { name: db.passwordSecret.name, key: db.passwordSecret.key } };
    if (plan.grafana.oauth) Object.assign(env, grafanaOAuthEnv(plan.grafana.oauth));
    return env;
}

/**
 * Where Grafana's state lives. With an external database the data folder holds only caches, so an
 * emptyDir (the chart's default) is enough. Without one, the SQLite file needs a
 * PersistentVolumeClaim; its ReadWriteOnce volume cannot be attached by a second pod, so the
 * Deployment recreates rather than rolls.
 */
function storage(plan: SeedPlan): Record<string, unknown> {
    const g = plan.grafana;
    if (g.database) return { persistence: { enabled: false } };
    return {
        persistence: {
            enabled: true,
            type: "pvc",
            accessModes: ["ReadWriteOnce"],
            size: g.persistence.size,
            ...(g.persistence.storageClass !== undefined ? { storageClassName: g.persistence.storageClass } : {}),
        },
        deploymentStrategy: { type: "Recreate" },
    };
}

/** The values passed to the Grafana chart. */
export function grafanaValues(plan: SeedPlan): Record<string, unknown> {
    const [dsLabel, dsValue] = onlyLabel(TENANT_DELIVERY_CONVENTIONS.grafanaDatasources.labels);
    const [dbLabel, dbValue] = onlyLabel(TENANT_DELIVERY_CONVENTIONS.grafanaDashboards.labels);
    const ini = grafanaIni(plan);
    const env = secretEnv(plan);
    const sizing = plan.sizing.resources.grafana;
    const ha = plan.grafana.replicas > 1;
    return {
        replicas: plan.grafana.replicas,
        ...(ha ? { podDisruptionBudget: { minAvailable: 1 }, headlessService: true } : {}),
        admin: {
            existingSecret: SEED_OBJECT_NAMES.grafanaAdminSecret,
            userKey: GRAFANA_ADMIN_KEYS.user,
            passwordKey: GRAFANA_ADMIN_KEYS.password,
        },
        ...storage(plan),
        // The chart's init container chowns the volume as root; the pod's fsGroup makes it
        // writable for uid 472 instead, so every container stays non-root.
        initChownData: { enabled: false },
        // The chart's test pod (bats, as root) is not part of a running seed.
        testFramework: { enabled: false },
        securityContext: restrictedPodSecurity(GRAFANA_UID),
        resources: sizing.grafana,
        sidecar: {
            resources: sizing.sidecar,
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
        ...(Object.keys(env).length > 0 ? { envValueFrom: env } : {}),
        ...(Object.keys(ini).length > 0 ? { "grafana.ini": ini } : {}),
    };
}
