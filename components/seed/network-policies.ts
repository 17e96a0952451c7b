/**
 * The MLA namespace's NetworkPolicy (pure builder): Cortex and Loki trust any `X-Scope-OrgID`, so
 * only pods that set it on a tenant's behalf may reach them: the MLA namespace's own pods (the
 * components talk to each other, MinIO, the merger) and the per-cluster MLA gateways, which live
 * in the `cluster-<id>` namespaces. Every other source is refused.
 *
 * Grafana's pods are left out of the selection: Grafana does its own authentication, and its UI
 * and API must stay reachable from an ingress controller and from whatever runs the cluster
 * stacks. Sources that need the backends directly (a seed Prometheus scraping them, the onboarding
 * service calling the purge endpoints from inside the seed) need their namespace in
 * `extraIngressNamespaces`; `enabled: false` drops the policy (for CNIs without NetworkPolicy
 * support there is nothing to gain, and nothing breaks either way).
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { GATEWAY_APP_NAME } from "../../gateway/layout";
import { SEED_CHARTS } from "./charts";

/**
 * The labels of Grafana's pods as the pinned grafana chart sets them (`grafana.selectorLabels`:
 * the chart name, as the seed sets no `nameOverride`, and the release name).
 */
export const GRAFANA_POD_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": SEED_CHARTS.grafana.chart,
    "app.kubernetes.io/instance": SEED_CHARTS.grafana.releaseName,
};

/** The label Kubernetes puts on every namespace with its own name (GA since 1.22). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The policy's name in the MLA namespace. */
export const MLA_NETWORK_POLICY_NAME = "mla-backends";

/** Settings of the MLA namespace's NetworkPolicy. */
export interface MlaNetworkPolicyOptions {
    /** Defaults to true. */
    enabled?: boolean;
    /** Namespaces whose pods may also reach the backends (e.g. a seed Prometheus). Defaults to none. */
    extraIngressNamespaces?: string[];
}

const NAME_KEY = "app.kubernetes.io/name";

/** The NetworkPolicy over every non-Grafana pod of the MLA namespace. */
export function mlaNetworkPolicyArgs(
    namespace: pulumi.Input<string>,
    extraIngressNamespaces: readonly string[] = [],
): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name: MLA_NETWORK_POLICY_NAME, namespace, labels: { "app.kubernetes.io/part-of": "mla" } },
        spec: {
            podSelector: { matchExpressions: [{ key: NAME_KEY, operator: "NotIn", values: [GRAFANA_POD_LABELS[NAME_KEY]] }] },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        // A bare podSelector means: pods in the policy's own namespace.
                        { podSelector: {} },
                        // Any namespace, but only MLA gateway pods (both selectors in ONE peer: AND).
                        { namespaceSelector: {}, podSelector: { matchLabels: { [NAME_KEY]: GATEWAY_APP_NAME } } },
                        ...extraIngressNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } })),
                    ],
                },
            ],
        },
    };
}
