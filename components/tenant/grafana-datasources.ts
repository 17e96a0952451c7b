/**
 * The Grafana datasource provisioning file of one cluster: Prometheus, Loki and Alertmanager
 * (implementation cortex), all pointing at the cluster's gateway READ Service, which adds the
 * tenant header.
 *
 * The read listener admits only requests carrying the cluster's read token
 * (`components/gateway/read-token.ts`). Each datasource sends it as a custom HTTP header: the header name in
 * `jsonData.httpHeaderName1`, the token in `secureJsonData.httpHeaderValue1`, which Grafana
 * stores encrypted and never returns to org users (not even to org admins editing the
 * datasource). A file with a token is a secret and is delivered as a Secret that the Grafana
 * chart's datasource sidecar loads; without a token (only for tests and renders) it is a
 * ConfigMap, and the gateway answers its datasources with 401.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { OBJECT_NAMES, READ_SERVICE_PORT, clusterNamespace } from "../gateway/layout";
import { READ_TOKEN_HEADER } from "../gateway/read-routes";

/** Where the gateway's read listener is reached inside the seed. */
export interface GatewayReadEndpoint {
    /** Service name of the read listener, in the cluster's namespace `cluster-<id>`. */
    service: string;
    /** Service port of the read listener. */
    port: number;
    /** Path prefix of the Prometheus API on the read listener. Defaults to "/api/prom". */
    prometheusPrefix?: string;
}

/** The gateway component's read Service. */
export const DEFAULT_GATEWAY_READ: GatewayReadEndpoint = { service: OBJECT_NAMES.readService, port: READ_SERVICE_PORT };

/** Inputs of the datasource file. */
export interface DatasourceInputs {
    clusterId: string;
    /** The project's Grafana org. */
    orgId: number;
    gateway: GatewayReadEndpoint;
    /** The cluster's read token (secret); every datasource sends it. Defaults to none (the gateway then answers 401). */
    readToken?: string;
}

/**
 * Grafana (12 and later; the seed runs 13) refuses to provision a datasource whose uid is not 1-40
 * of `[a-zA-Z0-9_-]`, and a refused file stops the provisioning of every datasource, so one
 * cluster's uid could take Grafana down for every tenant.
 */
export const MAX_DATASOURCE_UID = 40;

/**
 * The uid of one of a cluster's datasources: `<kind>-<id>` while that fits in
 * {@link MAX_DATASOURCE_UID} (as it always was), else `mla-<k>-<id prefix>-<8 hex of the id's
 * SHA-256>`. The long form starts with `mla-`, which no `<kind>-` form does, so no long uid can equal
 * a short one, and the hash keeps long ids with a common prefix apart.
 */
function datasourceUid(kind: "prometheus" | "loki" | "alertmanager", clusterId: string): string {
    const short = `${kind}-${clusterId}`;
    if (short.length <= MAX_DATASOURCE_UID) return short;
    const head = `mla-${kind[0]}-`;
    const hash = createHash("sha256").update(clusterId).digest("hex").slice(0, 8);
    const room = MAX_DATASOURCE_UID - head.length - hash.length - 1;
    return `${head}${clusterId.slice(0, room).replace(/-+$/, "")}-${hash}`;
}

/** Stable datasource uids; dashboards and the owner's links refer to them. */
export function datasourceUids(clusterId: string): { prometheus: string; loki: string; alertmanager: string } {
    return {
        prometheus: datasourceUid("prometheus", clusterId),
        loki: datasourceUid("loki", clusterId),
        alertmanager: datasourceUid("alertmanager", clusterId),
    };
}

/** `http://<service>.cluster-<id>.svc.cluster.local:<port>`: the read listener's in-seed address. */
export function gatewayReadBaseUrl(clusterId: string, gateway: GatewayReadEndpoint): string {
    return `http://${gateway.service}.${clusterNamespace(clusterId)}.svc.cluster.local:${gateway.port}`;
}

/** The provisioning file (Grafana provisioning format, apiVersion 1). */
export function renderDatasources(inputs: DatasourceInputs): string {
    const { clusterId, orgId } = inputs;
    const base = gatewayReadBaseUrl(clusterId, inputs.gateway);
    const uids = datasourceUids(clusterId);
    const common = { access: "proxy", orgId, editable: false };
    const token = inputs.readToken;
    // Spread into each datasource: the header name is plain jsonData, the value secureJsonData.
    const header = token === undefined ? {} : { httpHeaderName1: READ_TOKEN_HEADER };
    const secure = token === undefined ? {} : { secureJsonData: { httpHeaderValue1: token } };
    return stringify(
        {
            // No `prune: true`: with sidecar-reloaded files Grafana has deleted pruned datasources
            // right away (grafana#97051) and Grafana 13 has failed to start on them; the Grafana
            // org resource deletes this cluster's datasources through the API on offboarding.
            apiVersion: 1,
            datasources: [
                {
                    name: `Prometheus ${clusterId}`,
                    uid: uids.prometheus,
                    type: "prometheus",
                    ...common,
                    url: `${base}${inputs.gateway.prometheusPrefix ?? "/api/prom"}`,
                    jsonData: {
                        httpMethod: "POST",
                        prometheusType: "Cortex",
                        alertmanagerUid: uids.alertmanager,
                        ...header,
                    },
                    ...secure,
                },
                {
                    name: `Loki ${clusterId}`,
                    uid: uids.loki,
                    type: "loki",
                    ...common,
                    url: base,
                    jsonData: { alertmanagerUid: uids.alertmanager, ...header },
                    ...secure,
                },
                {
                    name: `Alertmanager ${clusterId}`,
                    uid: uids.alertmanager,
                    type: "alertmanager",
                    ...common,
                    url: base,
                    jsonData: { implementation: "cortex", handleGrafanaManagedAlerts: false, ...header },
                    ...secure,
                },
            ],
        },
        { lineWidth: 0 },
    );
}
