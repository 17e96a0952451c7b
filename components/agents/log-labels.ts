/**
 * The relabel rules both log agents apply to discovered pods (pure data).
 *
 * Alloy's `discovery.relabel` and Promtail's `relabel_configs` share Prometheus relabel semantics,
 * so one list keeps their labels identical: namespace, pod, container, app, job (`namespace/app`),
 * node_name, and the `__path__` of the container's CRI log files.
 */

/** The directory the kubelet writes container logs to; mounted read-only into the log agent. */
export const POD_LOGS_DIR = "/var/log/pods";

/** One relabel rule in Prometheus semantics (fields named as in Prometheus YAML). */
export interface RelabelRule {
    source_labels?: string[];
    separator?: string;
    regex?: string;
    target_label?: string;
    replacement?: string;
    action?: "replace" | "keep" | "drop";
}

/**
 * The app label: the first non-empty of `app.kubernetes.io/name`, `app`, `k8s-app`, then the
 * container name, so `job` is never `namespace/`.
 */
const APP_SOURCES = [
    "__meta_kubernetes_pod_label_app_kubernetes_io_name",
    "__meta_kubernetes_pod_label_app",
    "__meta_kubernetes_pod_label_k8s_app",
    "__meta_kubernetes_pod_container_name",
];

/** The relabel rules, in order. */
export function logRelabelRules(): RelabelRule[] {
    return [
        // Pending pods have no log files yet; skipping them avoids empty file watches.
        { source_labels: ["__meta_kubernetes_pod_phase"], regex: "Pending", action: "drop" },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
        { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
        { source_labels: APP_SOURCES, separator: ";", regex: ";*([^;]+).*", target_label: "app" },
        { source_labels: ["namespace", "app"], separator: "/", target_label: "job" },
        { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node_name" },
        {
            source_labels: ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"],
            separator: "/",
            target_label: "__path__",
            replacement: `${POD_LOGS_DIR}/*$1/*.log`,
        },
    ];
}
