/** Pure builders for the gateway's two Services and its TLS Secret. */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { GatewaySpec } from "../../spec/cluster-spec";
import { OBJECT_NAMES, READ_SERVICE_PORT, WRITE_SERVICE_PORT, gatewayLabels, gatewaySelector } from "./layout";
import { READ_TOKEN_KEY, READ_TOKEN_MAP_FILE, renderReadTokenMap } from "./read-token";

/** The external Service in front of the mTLS write listener; the user cluster's agents reach it. */
export function writeServiceArgs(
    clusterId: string,
    namespace: pulumi.Input<string>,
    type: GatewaySpec["serviceType"],
    annotations: Record<string, string>,
): k8s.core.v1.ServiceArgs {
    return {
        metadata: { name: OBJECT_NAMES.writeService, namespace, labels: gatewayLabels(clusterId), annotations },
        spec: {
            type,
            selector: gatewaySelector(clusterId),
            ports: [{ name: "https", port: WRITE_SERVICE_PORT, targetPort: "write", protocol: "TCP" }],
        },
    };
}

/** The seed-internal Service for the read listener (Grafana's datasources point here). */
export function readServiceArgs(clusterId: string, namespace: pulumi.Input<string>): k8s.core.v1.ServiceArgs {
    return {
        metadata: { name: OBJECT_NAMES.readService, namespace, labels: gatewayLabels(clusterId) },
        spec: {
            type: "ClusterIP",
            selector: gatewaySelector(clusterId),
            ports: [{ name: "http", port: READ_SERVICE_PORT, targetPort: "read", protocol: "TCP" }],
        },
    };
}

/** The server certificate, its key and the cluster CA, in the standard TLS Secret layout. */
export function tlsSecretArgs(
    clusterId: string,
    namespace: pulumi.Input<string>,
    pem: { caCertPem: pulumi.Input<string>; serverCertPem: pulumi.Input<string>; serverKeyPem: pulumi.Input<string> },
): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: OBJECT_NAMES.tlsSecret, namespace, labels: gatewayLabels(clusterId) },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": pem.serverCertPem, "tls.key": pem.serverKeyPem, "ca.crt": pem.caCertPem },
    };
}

/** The read token's Secret data: the raw value (for operators and Grafana) and the nginx map fragment. */
export function readTokenSecretData(token: string): Record<string, string> {
    return { [READ_TOKEN_KEY]: token, [READ_TOKEN_MAP_FILE]: renderReadTokenMap(token) };
}

/**
 * The read token's Secret, which the gateway includes: `data` is {@link readTokenSecretData} of the
 * token, which the component keeps secret in the state; it never reaches the ConfigMap.
 */
export function readTokenSecretArgs(
    clusterId: string,
    namespace: pulumi.Input<string>,
    data: pulumi.Input<Record<string, string>>,
): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: OBJECT_NAMES.readTokenSecret, namespace, labels: gatewayLabels(clusterId) },
        type: "Opaque",
        stringData: data,
    };
}
