/**
 * The two user-cluster namespaces of the agents, split by what Pod Security level they can pass
 * (see ../common/pod-security.ts): restricted workloads never share a namespace with host-access
 * ones. Their names, and the Namespace objects (pure).
 */
import type * as k8s from "@pulumi/kubernetes";

/** Metrics agent and kube-state-metrics; always enforces PSS `restricted`. */
export const DEFAULT_AGENTS_NAMESPACE = "mla-system";

/**
 * Log agent and node-exporter, which need hostPath (and node-exporter host network/PID); enforces
 * `privileged`. Exists only while one of them is enabled.
 */
export const DEFAULT_HOST_AGENTS_NAMESPACE = "mla-host-agents";

/** One agents' namespace: its Pod Security labels (`podSecurityLabels`) and the MLA part-of label. */
export function agentNamespaceArgs(name: string, podSecurity: Record<string, string>): k8s.core.v1.NamespaceArgs {
    return { metadata: { name, labels: { ...podSecurity, "app.kubernetes.io/part-of": "mla" } } };
}
