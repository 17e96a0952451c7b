/**
 * The two user-cluster namespaces of the agents, split by what Pod Security level they can pass
 * (see ../pod-security.ts): restricted workloads never share a namespace with host-access ones.
 */

/** Metrics agent and kube-state-metrics; always enforces PSS `restricted`. */
export const DEFAULT_AGENTS_NAMESPACE = "mla-system";

/**
 * Log agent and node-exporter, which need hostPath (and node-exporter host network/PID); enforces
 * `privileged`. Exists only while one of them is enabled.
 */
export const DEFAULT_HOST_AGENTS_NAMESPACE = "mla-host-agents";
