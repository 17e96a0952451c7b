/**
 * Renders the metrics agent's `prometheus.yml` (pure).
 *
 * The output only uses configuration that both Prometheus 2.x (the Debian 2.42 binary the tests
 * run, agent mode via `--enable-feature=agent`) and 3.x (the image the component deploys, agent
 * mode via `--agent`) accept, so one text serves both. Agent mode forbids `rule_files` and
 * `alerting`; the renderer emits neither.
 */
import { stringify } from "yaml";
import { DEFAULT_AGENTS_NAMESPACE, DEFAULT_HOST_AGENTS_NAMESPACE } from "./agent-namespaces";
import { customScrapeConfigProblems } from "../../spec/checks/custom-scrape-configs";

/** Where the in-cluster service account's token and CA are mounted. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The port the agent listens on; the self-scrape job targets it. */
export const PROMETHEUS_PORT = 9090;

/** Files the agent presents to the gateway (mTLS). */
export interface AgentTlsFiles {
    /** The cluster CA that signed the gateway's server certificate. */
    caFile: string;
    /** The agent's client certificate. */
    certFile: string;
    /** The agent's client key. */
    keyFile: string;
}

/** Inputs of {@link renderPrometheusConfig}. */
export interface PrometheusConfigInput {
    /** The cluster id; becomes the external label `cluster`. */
    clusterId: string;
    /** The gateway's write listener base URL, e.g. `https://mla-abc.example.com`; `/api/v1/push` is appended. */
    gatewayUrl: string;
    /** Client certificate, key and CA file paths as mounted (or, for `mla render agent`, local files). */
    tls: AgentTlsFiles;
    /** Scrape interval for all regular jobs. Defaults to "30s". */
    scrapeInterval?: string;
    /** Interval for the `prometheus.io/scrape-slow` jobs. Defaults to "5m". */
    slowScrapeInterval?: string;
    /** Directory holding the service account's `token` and `ca.crt`. Defaults to {@link SERVICE_ACCOUNT_DIR}. */
    serviceAccountDir?: string;
    /** The restricted agents' namespace; kube-state-metrics is discovered there. Defaults to "mla-system". */
    agentNamespace?: string;
    /** The host-access agents' namespace; node-exporter is discovered there. Defaults to "mla-host-agents". */
    hostAgentsNamespace?: string;
    /** Add a scrape job for the bundled node-exporter. Defaults to false. */
    nodeExporter?: boolean;
    /** Add a scrape job for the bundled kube-state-metrics. Defaults to false. */
    kubeStateMetrics?: boolean;
    /** User scrape_config objects, appended after the built-in jobs. */
    customScrapeConfigs?: Record<string, unknown>[];
    /** The self-scrape target. Defaults to `localhost:9090`, the agent's port in the pod. */
    selfTarget?: string;
}

type Job = Record<string, unknown>;

/**
 * Series the kubelet and cAdvisor expose that cost many series and little insight. Histograms of
 * API latencies alone are often more than half of a node's series.
 */
const KUBELET_DROPS = [
    "apiserver_request_duration_seconds_bucket",
    "rest_client_request_duration_seconds_bucket",
    "rest_client_rate_limiter_duration_seconds_bucket",
    "kubelet_runtime_operations_duration_seconds_bucket",
    "kubelet_http_requests_duration_seconds_bucket",
    "storage_operation_duration_seconds_bucket",
    "workqueue_.+_bucket",
    "csi_operations_seconds_bucket",
];
const CADVISOR_DROPS = [
    "container_tasks_state",
    "container_memory_failures_total",
    "container_blkio_device_usage_total",
    "container_network_tcp_usage_total",
    "container_network_udp_usage_total",
    "container_cpu_load_average_10s",
    "container_last_seen",
];

/** Renders `prometheus.yml`. Throws one error listing every problem with the custom scrape configs. */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
    return stringify({ ...scrapeSection(input), remote_write: [remoteWrite(input)] }, { lineWidth: 0 });
}

/**
 * The `global` and `scrape_configs` sections every metrics agent shares: Prometheus puts them in
 * prometheus.yml, vmagent reads them as its `-promscrape.config` (vmagent-config.ts). Throws one
 * error listing every problem with the custom scrape configs.
 */
export function scrapeSection(input: Omit<PrometheusConfigInput, "gatewayUrl" | "tls">): {
    global: Job;
    scrape_configs: Job[];
} {
    const custom = input.customScrapeConfigs ?? [];
    const problems = customScrapeConfigProblems(custom);
    if (problems.length > 0) throw new Error(`invalid custom scrape configs: ${problems.join("; ")}`);
    const sa = input.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
    const slow = input.slowScrapeInterval ?? "5m";
    const jobs: Job[] = [
        { job_name: "prometheus", static_configs: [{ targets: [input.selfTarget ?? `localhost:${PROMETHEUS_PORT}`] }] },
        nodeProxyJob("kubelet", "/metrics", KUBELET_DROPS, sa),
        nodeProxyJob("cadvisor", "/metrics/cadvisor", CADVISOR_DROPS, sa),
        annotatedPodsJob("kubernetes-pods", false),
        { ...annotatedPodsJob("kubernetes-pods-slow", true), ...slowTiming(slow) },
        serviceEndpointsJob("kubernetes-service-endpoints", false),
        { ...serviceEndpointsJob("kubernetes-service-endpoints-slow", true), ...slowTiming(slow) },
        kubeSystemJob(),
    ];
    if (input.nodeExporter)
        jobs.push(
            bundledExporterJob("node-exporter", input.hostAgentsNamespace ?? DEFAULT_HOST_AGENTS_NAMESPACE, false),
        );
    if (input.kubeStateMetrics)
        jobs.push(bundledExporterJob("kube-state-metrics", input.agentNamespace ?? DEFAULT_AGENTS_NAMESPACE, true));
    return {
        global: {
            scrape_interval: input.scrapeInterval ?? "30s",
            external_labels: { cluster: input.clusterId },
        },
        scrape_configs: [...jobs, ...custom],
    };
}

function slowTiming(interval: string): Job {
    return { scrape_interval: interval, scrape_timeout: "30s" };
}

/** The kubelet and cAdvisor, reached through the API server's node proxy (no kubelet port needed). */
function nodeProxyJob(name: string, path: string, drops: string[], sa: string): Job {
    return {
        job_name: name,
        scheme: "https",
        tls_config: { ca_file: `${sa}/ca.crt` },
        authorization: { credentials_file: `${sa}/token` },
        kubernetes_sd_configs: [{ role: "node" }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_node_name"], target_label: "node" },
            { target_label: "__address__", replacement: "kubernetes.default.svc:443" },
            {
                source_labels: ["__meta_kubernetes_node_name"],
                regex: "(.+)",
                target_label: "__metrics_path__",
                replacement: `/api/v1/nodes/$1/proxy${path}`,
            },
        ],
        metric_relabel_configs: [{ source_labels: ["__name__"], regex: `(${drops.join("|")})`, action: "drop" }],
    };
}

/** Relabel rules shared by the annotation-driven jobs; `kind` is `pod` or `service`. */
function annotationRules(kind: "pod" | "service", slow: boolean): Job[] {
    const a = `__meta_kubernetes_${kind}_annotation_prometheus_io_`;
    return [
        { source_labels: [`${a}${slow ? "scrape_slow" : "scrape"}`], regex: "true", action: "keep" },
        // A target annotated for both is scraped only by the slow job.
        ...(slow ? [] : [{ source_labels: [`${a}scrape_slow`], regex: "true", action: "drop" }]),
        { source_labels: [`${a}scheme`], regex: "(https?)", target_label: "__scheme__" },
        { source_labels: [`${a}path`], regex: "(.+)", target_label: "__metrics_path__" },
        // Swaps the port; bracketed IPv6 `[addr]:port` addresses keep their brackets.
        {
            source_labels: ["__address__", `${a}port`],
            regex: "(.+?)(?::\\d+)?;(\\d+)",
            replacement: "$1:$2",
            target_label: "__address__",
        },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
    ];
}

function annotatedPodsJob(name: string, slow: boolean): Job {
    return {
        job_name: name,
        honor_labels: true,
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
            ...annotationRules("pod", slow),
            {
                source_labels: ["__meta_kubernetes_pod_phase"],
                regex: "Pending|Succeeded|Failed|Completed",
                action: "drop",
            },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
        ],
    };
}

function serviceEndpointsJob(name: string, slow: boolean): Job {
    return {
        job_name: name,
        honor_labels: true,
        kubernetes_sd_configs: [{ role: "endpointslice" }],
        relabel_configs: [
            ...annotationRules("service", slow),
            { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
        ],
    };
}

/**
 * System components in kube-system (CoreDNS, CNI agents, kube-proxy) that expose a port named
 * like `metrics`, unless they are annotated and already scraped by the pods job.
 */
function kubeSystemJob(): Job {
    return {
        job_name: "kube-system",
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["kube-system"] } }],
        relabel_configs: [
            {
                source_labels: ["__meta_kubernetes_pod_container_port_name"],
                regex: "(http-)?metrics|.+-metrics",
                action: "keep",
            },
            { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], regex: "true", action: "drop" },
            {
                source_labels: ["__meta_kubernetes_pod_phase"],
                regex: "Pending|Succeeded|Failed|Completed",
                action: "drop",
            },
            { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
            { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
        ],
    };
}

/** node-exporter or kube-state-metrics pods in their namespace, by their name label and `metrics` port. */
function bundledExporterJob(name: string, namespace: string, honorLabels: boolean): Job {
    return {
        job_name: name,
        ...(honorLabels ? { honor_labels: true } : {}),
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespace] } }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex: name, action: "keep" },
            { source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: "metrics", action: "keep" },
            { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
        ],
    };
}

/**
 * Remote write to the gateway. The queue favours fewer, larger requests (the gateway rate-limits
 * requests, not samples) and backs off up to 30s while the gateway answers 429/503 (suspended
 * tenants); samples wait in the WAL meanwhile.
 */
function remoteWrite(input: PrometheusConfigInput): Job {
    return {
        url: `${input.gatewayUrl.replace(/\/+$/, "")}/api/v1/push`,
        name: "mla-gateway",
        tls_config: {
            ca_file: input.tls.caFile,
            cert_file: input.tls.certFile,
            key_file: input.tls.keyFile,
            min_version: "TLS13",
        },
        queue_config: {
            capacity: 10000,
            min_shards: 1,
            max_shards: 20,
            max_samples_per_send: 2000,
            batch_send_deadline: "5s",
            min_backoff: "100ms",
            max_backoff: "30s",
        },
    };
}
