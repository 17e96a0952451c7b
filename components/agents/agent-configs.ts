/**
 * The agents' config files for one cluster (pure). The `Agents` component and
 * `mla render agent` both call {@link renderAgentConfigs}, so the files a user renders locally
 * are byte-for-byte what the cluster runs, given the same TLS directory.
 */
import { renderAlloyConfig } from "./alloy-config";
import { renderPrometheusConfig, type AgentTlsFiles } from "./prometheus-config";
import { renderPromtailConfig } from "./promtail-config";
import { renderVmagentConfig, VMAGENT_CONFIG_FILE } from "./vmagent-config";
import { DEFAULT_METRICS_AGENT, type MetricsAgentKind } from "../../spec/cluster-spec";

/** Where each agent pod mounts its client-certificate Secret (`ca.crt`, `tls.crt`, `tls.key`). */
export const AGENT_TLS_DIR = "/etc/mla/tls";

/** The log agents the project can deploy. */
export type LogAgentKind = "alloy" | "promtail";

/** The config file name of each log agent. */
export const LOG_AGENT_CONFIG_FILE: Record<LogAgentKind, string> = {
    alloy: "config.alloy",
    promtail: "promtail.yaml",
};
/** The Prometheus agent's config file name. */
export const METRICS_AGENT_CONFIG_FILE = "prometheus.yml";
/** The config file name of each metrics agent. */
export const METRICS_AGENT_CONFIG_FILES: Record<MetricsAgentKind, string> = {
    prometheus: METRICS_AGENT_CONFIG_FILE,
    vmagent: VMAGENT_CONFIG_FILE,
};

/** Inputs of {@link renderAgentConfigs}. */
export interface AgentConfigsInput {
    clusterId: string;
    /** The gateway's write listener base URL, e.g. `https://mla-abc.example.com`. */
    gatewayUrl: string;
    /** Directory with `ca.crt`, `tls.crt`, `tls.key`. Defaults to {@link AGENT_TLS_DIR}. */
    tlsDir?: string;
    /** The restricted agents' namespace (kube-state-metrics). Defaults to "mla-system". */
    agentNamespace?: string;
    /** The host-access agents' namespace (node-exporter). Defaults to "mla-host-agents". */
    hostAgentsNamespace?: string;
    monitoring: {
        enabled: boolean;
        /** Defaults to {@link DEFAULT_METRICS_AGENT}. */
        agent?: MetricsAgentKind;
        scrapeInterval?: string;
        slowScrapeInterval?: string;
        customScrapeConfigs?: Record<string, unknown>[];
        nodeExporter?: boolean;
        kubeStateMetrics?: boolean;
        /** Service account token/CA directory; tests point it at local files. */
        serviceAccountDir?: string;
        /** The self-scrape target; outside a pod, the agent's `--web.listen-address`. */
        selfTarget?: string;
    };
    logging: { enabled: boolean; agent?: LogAgentKind };
}

/** The TLS file paths inside `dir`, as the Secret's keys name them. */
export function tlsFilesIn(dir: string): AgentTlsFiles {
    const base = dir.replace(/\/+$/, "");
    return { caFile: `${base}/ca.crt`, certFile: `${base}/tls.crt`, keyFile: `${base}/tls.key` };
}

/** File name → content for every enabled agent. A disabled agent contributes no file. */
export function renderAgentConfigs(input: AgentConfigsInput): Record<string, string> {
    const tls = tlsFilesIn(input.tlsDir ?? AGENT_TLS_DIR);
    const files: Record<string, string> = {};
    const m = input.monitoring;
    if (m.enabled) {
        const scrape = {
            clusterId: input.clusterId,
            scrapeInterval: m.scrapeInterval,
            slowScrapeInterval: m.slowScrapeInterval,
            serviceAccountDir: m.serviceAccountDir,
            agentNamespace: input.agentNamespace,
            hostAgentsNamespace: input.hostAgentsNamespace,
            nodeExporter: m.nodeExporter,
            kubeStateMetrics: m.kubeStateMetrics,
            customScrapeConfigs: m.customScrapeConfigs,
            selfTarget: m.selfTarget,
        };
        const agent = m.agent ?? DEFAULT_METRICS_AGENT;
        files[METRICS_AGENT_CONFIG_FILES[agent]] =
            agent === "vmagent"
                ? renderVmagentConfig(scrape)
                : renderPrometheusConfig({ ...scrape, gatewayUrl: input.gatewayUrl, tls });
    }
    if (input.logging.enabled) {
        const agent = input.logging.agent ?? "alloy";
        const render = agent === "alloy" ? renderAlloyConfig : renderPromtailConfig;
        files[LOG_AGENT_CONFIG_FILE[agent]] = render({ gatewayUrl: input.gatewayUrl, tls });
    }
    return files;
}
