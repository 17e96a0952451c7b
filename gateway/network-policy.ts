/**
 * Pure builder of the gateway's NetworkPolicy (default closed for ingress).
 *
 * The read listener is plain HTTP and adds the tenant header itself, so whoever reaches it reads
 * the tenant's data: only Grafana's pods may. The write listener is mTLS and is reached through
 * the LoadBalancer/NodePort Service, whose traffic arrives from node or external addresses, so its
 * port stays open to every source. Egress is left unrestricted: the upstream URLs are the seed's
 * outputs (possibly outside the MLA namespace), and the backends' own policy
 * (`components/seed/network-policies.ts`) is what keeps other pods away from them.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { GRAFANA_POD_LABELS, NAMESPACE_NAME_LABEL } from "../components/seed/network-policies";
import { OBJECT_NAMES, READ_PORT, WRITE_PORT, gatewayLabels, gatewaySelector } from "./layout";

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
