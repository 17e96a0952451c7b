/**
 * `mla render agent`: writes the user-cluster agents' config files, the same bytes the `Agents`
 * component deploys for equal inputs (`--tls-dir /etc/mla/tls`, the in-pod mount, is the default).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { QUIET_YAML } from "../../spec/yaml-quiet";
import {
    AGENT_TLS_DIR,
    renderAgentConfigs,
    tlsFilesIn,
    type LogAgentKind,
} from "../../components/agents/agent-configs";
import { VMAGENT_CONFIG_FILE, vmagentFlags } from "../../components/agents/vmagent-config";
import { VMAGENT_DATA_DIR } from "../../components/agents/vmagent-objects";
import { DEFAULT_METRICS_AGENT, METRICS_AGENT_KINDS, type MetricsAgentKind } from "../../spec/cluster-spec";

/** The file listing vmagent's flags, next to its scrape config. */
const VMAGENT_FLAGS_FILE = "vmagent.flags";
import { parseFlags, requireFlag, writeFiles } from "./args";
import { type Command, UsageError } from "./command";

const USAGE = `Usage: mla render agent --cluster-id ID --gateway-url URL --out DIR [options]

Writes the metrics agent's config, DIR/vmagent.yml (vmagent, the default) or DIR/prometheus.yml
(--metrics-agent prometheus, agent mode), and the log agent's config (DIR/config.alloy, or
DIR/promtail.yaml with --log-agent promtail): byte for byte what the Agents component deploys for
the same inputs. vmagent takes remote write as flags; DIR/vmagent.flags lists them, one per line.
Run the metrics agent outside Kubernetes with:
  vmagent $(cat DIR/vmagent.flags)                                     (vmagent)
  prometheus --enable-feature=agent --config.file=DIR/prometheus.yml   (Prometheus 2.x)
  prometheus --agent --config.file=DIR/prometheus.yml                  (Prometheus 3.x)
Kubernetes discovery jobs log errors there; the self-scrape job still runs and remote-writes.

Required:
  --cluster-id ID               the cluster id: external label cluster=<ID>
  --gateway-url URL             the gateway's write listener, e.g. https://mla-c1.example.com
  --out DIR                     where the files are written (created if missing)

Options:
  --tls-dir DIR                 holds ca.crt, tls.crt, tls.key (default ${AGENT_TLS_DIR}, the in-pod mount)
  --metrics-agent vmagent|prometheus  default ${DEFAULT_METRICS_AGENT}
  --buffer-dir DIR              vmagent's on-disk buffer, in vmagent.flags (default ${VMAGENT_DATA_DIR})
  --log-agent alloy|promtail    default alloy
  --scrape-interval DURATION    default 30s
  --node-exporter               add the node-exporter scrape job
  --kube-state-metrics          add the kube-state-metrics scrape job
  --custom-scrape-configs FILE  YAML list of extra scrape_config objects
  --service-account-dir DIR     token and ca.crt for the kubelet jobs
                                (default /var/run/secrets/kubernetes.io/serviceaccount)
  --self-target HOST:PORT       the self-scrape target (default localhost:8429 for vmagent,
                                localhost:9090 for Prometheus); set it to the agent's listen
                                address when running outside a pod (vmagent.flags uses it too)
  --no-metrics                  skip the metrics agent's files
  --no-logs                     skip the log agent's config
`;

const OPTIONS = {
    "cluster-id": { type: "string" },
    "gateway-url": { type: "string" },
    out: { type: "string" },
    "tls-dir": { type: "string" },
    "log-agent": { type: "string" },
    "metrics-agent": { type: "string" },
    "buffer-dir": { type: "string" },
    "scrape-interval": { type: "string" },
    "node-exporter": { type: "boolean" },
    "kube-state-metrics": { type: "boolean" },
    "custom-scrape-configs": { type: "string" },
    "service-account-dir": { type: "string" },
    "self-target": { type: "string" },
    "no-metrics": { type: "boolean" },
    "no-logs": { type: "boolean" },
} as const;

function customConfigs(path: string | undefined): Record<string, unknown>[] | undefined {
    if (path === undefined) return undefined;
    let value: unknown;
    try {
        value = parse(readFileSync(path, "utf8"), QUIET_YAML);
    } catch (e) {
        throw new UsageError(`--custom-scrape-configs: cannot read ${path}: ${(e as Error).message}`);
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v))) {
        throw new UsageError(`--custom-scrape-configs: ${path} must hold a YAML list of scrape_config objects`);
    }
    return value as Record<string, unknown>[];
}

/** Renders the files for the given flags (file name → content) and the output directory. */
export function renderAgentFiles(args: string[]): { out: string; files: Record<string, string> } {
    const v = parseFlags(args, OPTIONS);
    const clusterId = requireFlag(v["cluster-id"], "cluster-id");
    const gatewayUrl = requireFlag(v["gateway-url"], "gateway-url");
    const out = resolve(requireFlag(v.out, "out"));
    if (!/^https:\/\/[^/\s]+\/?$/.test(gatewayUrl))
        throw new UsageError(`--gateway-url must be https://host[:port], got "${gatewayUrl}"`);
    const agent = v["log-agent"] ?? "alloy";
    if (agent !== "alloy" && agent !== "promtail")
        throw new UsageError(`--log-agent must be alloy or promtail, got "${agent}"`);
    const metricsAgent = v["metrics-agent"] ?? DEFAULT_METRICS_AGENT;
    if (!(METRICS_AGENT_KINDS as readonly string[]).includes(metricsAgent)) {
        throw new UsageError(`--metrics-agent must be ${METRICS_AGENT_KINDS.join(" or ")}, got "${metricsAgent}"`);
    }
    const tlsDir = resolve(v["tls-dir"] ?? AGENT_TLS_DIR);
    try {
        const files = renderAgentConfigs({
            clusterId,
            gatewayUrl,
            tlsDir,
            monitoring: {
                enabled: !v["no-metrics"],
                agent: metricsAgent as MetricsAgentKind,
                scrapeInterval: v["scrape-interval"],
                nodeExporter: v["node-exporter"],
                kubeStateMetrics: v["kube-state-metrics"],
                customScrapeConfigs: customConfigs(v["custom-scrape-configs"]),
                selfTarget: v["self-target"],
                serviceAccountDir:
                    v["service-account-dir"] === undefined ? undefined : resolve(v["service-account-dir"]),
            },
            logging: { enabled: !v["no-logs"], agent: agent as LogAgentKind },
        });
        if (metricsAgent === "vmagent" && !v["no-metrics"]) {
            const self = v["self-target"];
            const flags = vmagentFlags({
                configFile: join(out, VMAGENT_CONFIG_FILE),
                gatewayUrl,
                tls: tlsFilesIn(tlsDir),
                dataDir: resolve(v["buffer-dir"] ?? VMAGENT_DATA_DIR),
                listenAddress: self,
            });
            files[VMAGENT_FLAGS_FILE] = `${flags.join("\n")}\n`;
        }
        return { out, files };
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

export const renderAgent: Command = {
    name: "render agent",
    summary: "Write a user cluster's agent configs (vmagent.yml or prometheus.yml, config.alloy or promtail.yaml)",
    usage: USAGE,
    async run(args, io) {
        const { out, files } = renderAgentFiles(args);
        for (const path of writeFiles(out, files)) io.out(`wrote ${path}\n`);
        return 0;
    },
};
