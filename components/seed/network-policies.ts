/**
 * The MLA namespace's NetworkPolicy (pure builder). Cortex and Loki trust any `X-Scope-OrgID`, so
 * a request that reaches their HTTP ports acts as whatever tenant it names. The policy names
 * places, not just labels: who may reach which port of the backends (every pod of the MLA
 * namespace except Grafana's), as a matrix (docs/tenant-isolation.md has it with the evaluator's
 * proofs):
 *
 * - gateway pods (`app.kubernetes.io/name: mla-gateway`) in namespaces the cluster stack labelled
 *   `mla.k8c.io/role: cluster-gateway` (both selectors in ONE peer: AND) → the HTTP ports only
 *   (Cortex 8080, Loki 3100). The same pod labels in any other namespace are refused; only the
 *   cluster stack creates a namespace with that label (see `clusterNamespaceLabels`);
 * - the backends themselves (every non-Grafana pod of the MLA namespace), except the Cortex
 *   Alertmanager → every port: ring, memberlist, gRPC, object store, caches, the rulers' alerts;
 * - the Cortex Alertmanager → its gossip ports only (cluster 9094, memberlist 7946). It sends
 *   tenant-written webhooks, so it never reaches an HTTP API of a backend, whatever a receiver
 *   says (the tenant checks and the receiver firewall are the layers in front of this one);
 * - namespaces in `extraIngressNamespaces` (a seed Prometheus, the onboarding service) → every port;
 * - Grafana → nothing. It reads through the gateways' read listeners, which add the tenant.
 *
 * Grafana's pods are left out of the selection: Grafana does its own authentication, and its UI
 * must stay reachable from an ingress controller. `enabled: false` drops the policy.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { GATEWAY_APP_NAME } from "../gateway/layout";
import { SEED_CHARTS } from "./charts";
import { CORTEX_HTTP_PORT, LOKI_HTTP_PORT } from "./service-names";

/**
 * The labels of Grafana's pods as the pinned grafana chart sets them (`grafana.selectorLabels`:
 * the chart name, as the seed sets no `nameOverride`, and the release name).
 */
export const GRAFANA_POD_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": SEED_CHARTS.grafana.chart,
    "app.kubernetes.io/instance": SEED_CHARTS.grafana.releaseName,
};

/** The labels of the Cortex Alertmanager's pods (the cortex chart's `cortex.alertmanagerSelectorLabels`). */
export const CORTEX_ALERTMANAGER_POD_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": SEED_CHARTS.cortex.chart,
    "app.kubernetes.io/instance": SEED_CHARTS.cortex.releaseName,
    "app.kubernetes.io/component": "alertmanager",
};

/** The label Kubernetes puts on every namespace with its own name (GA since 1.22). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The label, on a cluster stack's namespace only, that lets its gateway pods reach the backends. */
export const CLUSTER_NAMESPACE_ROLE_LABEL = "mla.k8c.io/role";
/** Its value. */
export const CLUSTER_NAMESPACE_ROLE = "cluster-gateway";
/** The cluster id on the same namespace (for people and tools; the policies do not need it). */
export const CLUSTER_NAMESPACE_ID_LABEL = "mla.k8c.io/cluster-id";

/** The policy's name in the MLA namespace. */
export const MLA_NETWORK_POLICY_NAME = "mla-backends";

/** Gossip ports the Alertmanager replicas use among themselves: its own cluster port and memberlist. */
export const ALERTMANAGER_GOSSIP_PORTS: readonly { port: number; protocol: "TCP" | "UDP" }[] = [
    { port: 9094, protocol: "TCP" },
    { port: 9094, protocol: "UDP" },
    { port: 7946, protocol: "TCP" },
    { port: 7946, protocol: "UDP" },
];

/** The backend HTTP ports a gateway forwards to (its upstream URLs are on these). */
export const GATEWAY_UPSTREAM_PORTS: readonly number[] = [CORTEX_HTTP_PORT, LOKI_HTTP_PORT];

/** Settings of the MLA namespace's NetworkPolicy. */
export interface MlaNetworkPolicyOptions {
    /** Defaults to true. */
    enabled?: boolean;
    /** Namespaces whose pods may also reach the backends (e.g. a seed Prometheus). Defaults to none. */
    extraIngressNamespaces?: string[];
}

const NAME_KEY = "app.kubernetes.io/name";
const COMPONENT_KEY = "app.kubernetes.io/component";

/** Every pod of the MLA namespace except Grafana's: the backends. */
const notGrafana = { key: NAME_KEY, operator: "NotIn", values: [GRAFANA_POD_LABELS[NAME_KEY]] };

/** The NetworkPolicy over every non-Grafana pod of the MLA namespace. */
export function mlaNetworkPolicyArgs(
    namespace: pulumi.Input<string>,
    extraIngressNamespaces: readonly string[] = [],
): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name: MLA_NETWORK_POLICY_NAME, namespace, labels: { "app.kubernetes.io/part-of": "mla" } },
        spec: {
            podSelector: { matchExpressions: [notGrafana] },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    // A bare podSelector means: pods in the policy's own namespace. Both expressions
                    // must hold: not Grafana, and not the Alertmanager (NotIn also matches pods
                    // without the key, e.g. MinIO's and the merger's).
                    from: [
                        {
                            podSelector: {
                                matchExpressions: [
                                    notGrafana,
                                    {
                                        key: COMPONENT_KEY,
                                        operator: "NotIn",
                                        values: [CORTEX_ALERTMANAGER_POD_LABELS[COMPONENT_KEY]],
                                    },
                                ],
                            },
                        },
                    ],
                },
                {
                    from: [{ podSelector: { matchLabels: { ...CORTEX_ALERTMANAGER_POD_LABELS } } }],
                    ports: ALERTMANAGER_GOSSIP_PORTS.map((p) => ({ ...p })),
                },
                {
                    // Gateway pods in a cluster stack's namespace: both selectors in ONE peer (AND).
                    from: [
                        {
                            namespaceSelector: {
                                matchLabels: { [CLUSTER_NAMESPACE_ROLE_LABEL]: CLUSTER_NAMESPACE_ROLE },
                            },
                            podSelector: { matchLabels: { [NAME_KEY]: GATEWAY_APP_NAME } },
                        },
                    ],
                    ports: GATEWAY_UPSTREAM_PORTS.map((port) => ({ port, protocol: "TCP" })),
                },
                ...(extraIngressNamespaces.length > 0
                    ? [
                          {
                              from: extraIngressNamespaces.map((ns) => ({
                                  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } },
                              })),
                          },
                      ]
                    : []),
            ],
        },
    };
}
