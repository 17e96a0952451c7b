import { type RuleGroupSpec } from "../../spec/tenant-spec";
/**
 * The admin default rule groups: every cluster stack applies them to its tenant, next to the
 * owner's groups (as the rule namespace `<clusterId>-defaults`). The seed stack exports them, so
 * an operator changes them in one place and each cluster picks them up on its next `up`.
 *
 * Workload rules read kube-state-metrics series; on clusters without kube-state-metrics they
 * never fire. The agent rules read the metrics agent's own remote-write metrics.
 */

/** How long an outage lasts before the agent alerts fire; long enough to ride out a gateway roll. */
const AGENT_FOR = "15m";

/** Alerts about the metrics agent and the path to the seed. */
export function agentRuleGroup(): RuleGroupSpec {
    return {
        name: "mla-agent",
        rules: [
            {
                alert: "MlaAgentRemoteWriteFailing",
                expr: "sum by (remote_name, url) (rate(prometheus_remote_storage_samples_failed_total[5m])) > 0",
                for: AGENT_FOR,
                labels: { severity: "warning" },
                annotations: {
                    summary: "The metrics agent fails to send samples to the MLA gateway.",
                    description: "{{ $value | humanize }} samples/s fail to reach {{ $labels.url }}.",
                },
            },
            {
                alert: "MlaAgentRemoteWriteBehind",
                expr:
                    "(max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds[5m])" +
                    " - ignoring(remote_name, url) group_right" +
                    " max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds[5m])) > 120",
                for: AGENT_FOR,
                labels: { severity: "warning" },
                annotations: {
                    summary: "The metrics agent's remote write is more than two minutes behind.",
                    description: "Remote write to {{ $labels.url }} is {{ $value | humanizeDuration }} behind.",
                },
            },
            {
                // Absent data means nothing reaches Cortex: agent down, gateway down or suspended.
                alert: "MlaNoMetricsReceived",
                expr: "absent_over_time(up[10m])",
                for: "5m",
                labels: { severity: "critical" },
                annotations: {
                    summary: "No metrics have arrived from this cluster for 15 minutes.",
                    description: "The metrics agent, the gateway or the network path to the seed is down.",
                },
            },
            {
                alert: "MlaScrapeTargetDown",
                expr: "up == 0",
                for: AGENT_FOR,
                labels: { severity: "warning" },
                annotations: {
                    summary: "A scrape target is down.",
                    description: "{{ $labels.job }} target {{ $labels.instance }} has been down for 15 minutes.",
                },
            },
        ],
    };
}

/** Alerts about Kubernetes workloads and nodes (kube-state-metrics). */
export function kubernetesRuleGroup(): RuleGroupSpec {
    return {
        name: "kubernetes-workloads",
        rules: [
            {
                alert: "KubePodCrashLooping",
                expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
                for: "15m",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A container is crash-looping.",
                    description:
                        "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in CrashLoopBackOff.",
                },
            },
            {
                alert: "KubeContainerOOMKilled",
                expr:
                    "(kube_pod_container_status_restarts_total - kube_pod_container_status_restarts_total offset 10m >= 1)" +
                    ' and ignoring(reason) min_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[10m]) == 1',
                labels: { severity: "warning" },
                annotations: {
                    summary: "A container was killed because it ran out of memory.",
                    description: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) was OOMKilled.",
                },
            },
            {
                alert: "KubeNodeNotReady",
                expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
                for: "15m",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A node is not ready.",
                    description: "Node {{ $labels.node }} has not been Ready for 15 minutes.",
                },
            },
            {
                alert: "KubeDeploymentReplicasMismatch",
                expr:
                    "kube_deployment_spec_replicas > kube_deployment_status_replicas_available" +
                    " and changes(kube_deployment_status_replicas_updated[10m]) == 0",
                for: "15m",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A Deployment has fewer available replicas than desired.",
                    description: "{{ $labels.namespace }}/{{ $labels.deployment }} is missing replicas.",
                },
            },
        ],
    };
}

/** The admin default metric rule groups (Cortex ruler). */
export function defaultMetricRuleGroups(): RuleGroupSpec[] {
    return [agentRuleGroup(), kubernetesRuleGroup()];
}

/**
 * The admin default log rule groups (Loki ruler). None by default: log formats differ too much
 * between clusters for a useful universal alert; operators add theirs through the seed config.
 */
export function defaultLogRuleGroups(): RuleGroupSpec[] {
    return [];
}

/**
 * Alerts for the operators of `mla serve`, on the service's own `/metrics` series
 * (`service/operations/metrics.ts`): load them into the Prometheus (or Cortex tenant) that scrapes the
 * service, not into the clusters' tenants, which never see these series. The thresholds are the
 * health report's (`service/health/cluster-health.ts`).
 */
export function serviceRuleGroup(): RuleGroupSpec {
    return {
        name: "mla-serve",
        rules: [
            {
                alert: "MlaClusterCertificateExpiresSoon",
                expr: "min by (cluster) (mla_cluster_certificate_expiry_timestamp_seconds) - time() < 7 * 86400",
                labels: { severity: "critical" },
                annotations: {
                    summary: "A certificate of cluster {{ $labels.cluster }} expires within 7 days.",
                    description:
                        "The first certificate expires in {{ $value | humanizeDuration }}. The reconciler renews certificates in their renewal window; check its renewal up in GET /v1/clusters/{{ $labels.cluster }}/health.",
                },
            },
            {
                alert: "MlaClusterCertificateRenewalOverdue",
                // A quarter of the renewal window, at most 2 days: with the default 30-day window, 2
                // days in (weeks before the 7-day alert); with a 2-day window, 12 hours in.
                expr: [
                    "time() - max by (cluster) (mla_cluster_certificate_renewal_due_timestamp_seconds)",
                    "> clamp_max(0.25 * (min by (cluster) (mla_cluster_certificate_expiry_timestamp_seconds)",
                    "- max by (cluster) (mla_cluster_certificate_renewal_due_timestamp_seconds)), 2 * 86400)",
                ].join(" "),
                labels: { severity: "warning" },
                annotations: {
                    summary: "A certificate of cluster {{ $labels.cluster }} is overdue for renewal.",
                    description:
                        "Its renewal window opened {{ $value | humanizeDuration }} ago and the reconciler, which tries at every check, has not renewed it; see lastRemediation in GET /v1/clusters/{{ $labels.cluster }}/health and the operation it names.",
                },
            },
            {
                alert: "MlaClusterDriftedForADay",
                expr: "(time() - mla_cluster_drift_since_timestamp_seconds) > 86400 and on (cluster) mla_cluster_drift == 1",
                labels: { severity: "warning" },
                annotations: {
                    summary: "Cluster {{ $labels.cluster }} has differed from its spec for more than a day.",
                    description:
                        "Drifted for {{ $value | humanizeDuration }}; see the steps in GET /v1/clusters/{{ $labels.cluster }}/health, then PUT the cluster or set reconcilePolicy: remediate.",
                },
            },
            {
                alert: "MlaClusterNoData",
                expr: "time() - mla_cluster_last_data_timestamp_seconds > 900",
                labels: { severity: "critical" },
                annotations: {
                    summary: "No {{ $labels.signal }} from cluster {{ $labels.cluster }} for 15 minutes.",
                    description:
                        "The newest {{ $labels.signal }} data is {{ $value | humanizeDuration }} old: the agent, the gateway or the path to the seed is down.",
                },
            },
        ],
    };
}
