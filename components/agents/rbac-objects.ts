/**
 * The agents' identities and RBAC (pure): service accounts, ClusterRoles and their bindings, with
 * least-privilege rules: read-only verbs on exactly the objects each agent's discovery or exporter
 * reads.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;
const READ = ["get", "list", "watch"];

/**
 * The metrics agent discovers nodes, pods, services and endpoint slices, and scrapes the kubelet
 * and cAdvisor through the API server's node proxy (`nodes/proxy` get). `nodes/proxy` reaches the
 * whole kubelet API, which is the price of not opening kubelet ports to the agent; the reference
 * system makes the same trade.
 */
export function metricsAgentRules(): PolicyRule[] {
    return [
        { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"], verbs: READ },
        { apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
        { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ];
}

/** The log agent only discovers the pods (and nodes) it tails. */
export function logAgentRules(): PolicyRule[] {
    return [{ apiGroups: [""], resources: ["pods", "nodes"], verbs: READ }];
}

/**
 * kube-state-metrics collectors, by API group. The same table gives its `--resources` flag and its
 * ClusterRole, so it never lists what it may not read. Secrets and ConfigMaps are left out on purpose.
 */
export const KUBE_STATE_METRICS_RESOURCES: Record<string, string[]> = {
    "": ["namespaces", "nodes", "persistentvolumeclaims", "persistentvolumes", "pods", "resourcequotas", "services"],
    apps: ["daemonsets", "deployments", "replicasets", "statefulsets"],
    batch: ["cronjobs", "jobs"],
    autoscaling: ["horizontalpodautoscalers"],
    policy: ["poddisruptionbudgets"],
};

/** kube-state-metrics only lists and watches. */
export function kubeStateMetricsRules(): PolicyRule[] {
    return Object.entries(KUBE_STATE_METRICS_RESOURCES).map(([group, resources]) => ({
        apiGroups: [group],
        resources,
        verbs: ["list", "watch"],
    }));
}

/** The service account `name` in `namespace`. */
export function serviceAccountArgs(name: string, namespace: pulumi.Input<string>): k8s.core.v1.ServiceAccountArgs {
    return { metadata: { name, namespace } };
}

/** The ClusterRole `name` granting `rules`. */
export function clusterRoleArgs(name: string, rules: PolicyRule[]): k8s.rbac.v1.ClusterRoleArgs {
    return { metadata: { name }, rules };
}

/** A binding of `role` to the service account `account` in `namespace`. */
export function clusterRoleBindingArgs(
    name: string,
    role: string,
    account: string,
    namespace: pulumi.Input<string>,
): k8s.rbac.v1.ClusterRoleBindingArgs {
    return {
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: account, namespace }],
    };
}
