/**
 * The Grafana datasource provisioning file of one cluster: Prometheus, Loki and Alertmanager
 * (implementation cortex), all pointing at the cluster's gateway READ Service, which adds the
 * tenant header. Delivered as a ConfigMap that the Grafana chart's datasource sidecar loads.
 */
import { stringify } from "yaml";
import { OBJECT_NAMES, READ_SERVICE_PORT, clusterNamespace } from "../../gateway/layout";

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
}

/** Stable datasource uids; dashboards and the owner's links refer to them. */
export function datasourceUids(clusterId: string): { prometheus: string; loki: string; alertmanager: string } {
    return { prometheus: `prometheus-${clusterId}`, loki: `loki-${clusterId}`, alertmanager: `alertmanager-${clusterId}` };
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
                    jsonData: { httpMethod: "POST", prometheusType: "Cortex", alertmanagerUid: uids.alertmanager },
                },
                {
                    name: `Loki ${clusterId}`,
                    uid: uids.loki,
                    type: "loki",
                    ...common,
                    url: base,
                    jsonData: { alertmanagerUid: uids.alertmanager },
                },
                {
                    name: `Alertmanager ${clusterId}`,
                    uid: uids.alertmanager,
                    type: "alertmanager",
                    ...common,
                    url: base,
                    jsonData: { implementation: "cortex", handleGrafanaManagedAlerts: false },
                },
            ],
        },
        { lineWidth: 0 },
    );
}
