/**
 * Pure builders for the places a cluster's gateway lives in and who may reach it.
 *
 * The read listener is plain HTTP and adds the tenant header itself, so whoever reaches it reads
 * the tenant's data: only the Grafana pods of Grafana's namespace may (namespace AND pod, in one
 * peer). The write listener is mTLS and is reached through the LoadBalancer/NodePort Service,
 * whose traffic arrives from node or external addresses, so its port stays open to every source.
 * Egress is left unrestricted: the backends' own policy (`components/seed/network-policies.ts`)
 * admits gateway pods only from namespaces labelled by {@link clusterNamespaceLabels}.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import {
    CLUSTER_NAMESPACE_ID_LABEL,
    CLUSTER_NAMESPACE_ROLE,
    CLUSTER_NAMESPACE_ROLE_LABEL,
    GRAFANA_POD_LABELS,
    NAMESPACE_NAME_LABEL,
} from "../seed/network-policies";
import { OBJECT_NAMES, READ_PORT, WRITE_PORT, gatewayLabels, gatewaySelector } from "./layout";

/**
 * The labels of a cluster stack's seed namespace (`cluster-<id>`). The role label is what the
 * backends' NetworkPolicy trusts: only the cluster stack creates a namespace with it (tenants
 * create no Kubernetes objects; their config arrives as data), so a gateway-labelled pod anywhere
 * else is refused.
 */
export function clusterNamespaceLabels(clusterId: string): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": "mla",
        [CLUSTER_NAMESPACE_ROLE_LABEL]: CLUSTER_NAMESPACE_ROLE,
        [CLUSTER_NAMESPACE_ID_LABEL]: clusterId,
    };
}

/** The gateway pods' NetworkPolicy: write port from anywhere, read port from Grafana only. */
export function gatewayNetworkPolicyArgs(
    clusterId: string,
    namespace: pulumi.Input<string>,
    grafanaNamespace: pulumi.Input<string>,
): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name: OBJECT_NAMES.networkPolicy, namespace, labels: gatewayLabels(clusterId) },
        spec: {
            podSelector: { matchLabels: gatewaySelector(clusterId) },
            policyTypes: ["Ingress"],
            ingress: [
                { ports: [{ port: WRITE_PORT, protocol: "TCP" }] },
                {
                    from: [
                        {
                            // Both selectors in ONE peer: Grafana pods in Grafana's namespace (AND, not OR).
                            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: grafanaNamespace } },
                            podSelector: { matchLabels: { ...GRAFANA_POD_LABELS } },
                        },
                    ],
                    ports: [{ port: READ_PORT, protocol: "TCP" }],
                },
            ],
        },
    };
}
