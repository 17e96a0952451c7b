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

/** Stable datasource uids; dashboards and the owner's links refer to them. */
export function datasourceUids(clusterId: string): { prometheus: string; loki: string; alertmanager: string } {
    return {
        prometheus: `prometheus-${clusterId}`,
        loki: `loki-${clusterId}`,
        alertmanager: `alertmanager-${clusterId}`,
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
