/**
 * vmagent as the metrics agent (pure): its scrape config and its command-line flags.
 *
 * vmagent reads the same `global` + `scrape_configs` sections as Prometheus
 * (`-promscrape.config`, strictly parsed), so both agents run the very same jobs from
 * `scrapeSection` in prometheus-config.ts: Kubernetes discovery, relabelling, annotations and the
 * users' custom scrape configs. Remote write is not in the file but in flags: mTLS to the
 * gateway, and an on-disk buffer (`-remoteWrite.tmpDataPath`) that holds samples while the
 * gateway is unreachable, capped by `-remoteWrite.maxDiskUsagePerURL`.
 */
import { stringify } from "yaml";
import { scrapeSection, type AgentTlsFiles, type PrometheusConfigInput } from "./prometheus-config";

/** vmagent's HTTP port (its /metrics, probes); the self-scrape job targets it. */
export const VMAGENT_PORT = 8429;
/** The scrape config's file name in the ConfigMap. */
export const VMAGENT_CONFIG_FILE = "vmagent.yml";
/**
 * The on-disk buffer's cap. vmagent stores the buffer in ~500 MB chunks, so 1 GiB is two chunks:
 * at 100k series every 30 s (about 3.3k samples/s, about 1 byte per sample compressed on disk),
 * several hours of outage.
 */
export const VMAGENT_MAX_DISK_USAGE = "1GiB";

/** Inputs of {@link renderVmagentConfig}: the scrape inputs Prometheus takes, minus remote write. */
export type VmagentConfigInput = Omit<PrometheusConfigInput, "gatewayUrl" | "tls">;

/** Renders vmagent's `-promscrape.config` file. Throws listing every custom-config problem. */
export function renderVmagentConfig(input: VmagentConfigInput): string {
    return stringify(scrapeSection({ ...input, selfTarget: input.selfTarget ?? `localhost:${VMAGENT_PORT}` }), {
        lineWidth: 0,
    });
}

/** Inputs of {@link vmagentFlags}. */
export interface VmagentFlagsInput {
    /** Path of the rendered scrape config. */
    configFile: string;
    /** The gateway's write listener base URL; `/api/v1/push` is appended. */
    gatewayUrl: string;
    tls: AgentTlsFiles;
    /** The on-disk buffer's directory (a volume). */
    dataDir: string;
    /** Defaults to {@link VMAGENT_MAX_DISK_USAGE}. */
    maxDiskUsage?: string;
    /** Defaults to `:8429`. */
    listenAddress?: string;
}

/** vmagent's command-line flags, one `-name=value` per element. */
export function vmagentFlags(input: VmagentFlagsInput): string[] {
    return [
        `-promscrape.config=${input.configFile}`,
        // Unknown fields fail the start instead of being skipped silently (the default, set explicitly).
        "-promscrape.config.strictParse=true",
        `-httpListenAddr=${input.listenAddress ?? `:${VMAGENT_PORT}`}`,
        `-remoteWrite.url=${input.gatewayUrl.replace(/\/+$/, "")}/api/v1/push`,
        `-remoteWrite.tlsCAFile=${input.tls.caFile}`,
        `-remoteWrite.tlsCertFile=${input.tls.certFile}`,
        `-remoteWrite.tlsKeyFile=${input.tls.keyFile}`,
        `-remoteWrite.tmpDataPath=${input.dataDir}`,
        `-remoteWrite.maxDiskUsagePerURL=${input.maxDiskUsage ?? VMAGENT_MAX_DISK_USAGE}`,
    ];
}
