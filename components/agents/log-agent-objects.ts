/**
 * The log agent's DaemonSet (pure): Grafana Alloy by default, Promtail as an option. Both read
 * /var/log/pods read-only on every node (all taints tolerated) and keep their read positions on
 * the host, so a restart does not re-send logs.
 */
import type * as k8s from "@pulumi/kubernetes";
import { AGENT_TLS_DIR, LOG_AGENT_CONFIG_FILE, type LogAgentKind } from "./agent-configs";
import { POD_LOGS_DIR } from "./log-labels";
import type { MetricsAgentDeploymentInput } from "./metrics-agent-objects";
import { TOLERATE_ALL } from "../common/pod-security";
import { PROMTAIL_PORT, PROMTAIL_POSITIONS_DIR } from "./promtail-config";

/** Grafana Alloy, the successor of Promtail and Grafana Agent. */
export const ALLOY_IMAGE = "grafana/alloy:v1.10.0";
/** Promtail (end-of-life 2026-03-02), only when asked for. */
export const PROMTAIL_IMAGE = "grafana/promtail:3.5.1";
const ALLOY_PORT = 12345;
const ALLOY_DATA_DIR = "/var/lib/alloy/data";
const CONFIG_DIR = "/etc/mla/log-agent";

/** Inputs of {@link logAgentDaemonSetArgs}: the metrics agent's, without replicas, plus the agent kind. */
export interface LogAgentDaemonSetInput extends Omit<MetricsAgentDeploymentInput, "replicas"> {
    agent: LogAgentKind;
}

/** The selector and pod labels. */
export function logAgentLabels(): Record<string, string> {
    return { "app.kubernetes.io/name": "mla-log-agent", "app.kubernetes.io/part-of": "mla" };
}

/** What differs between the two agents. */
function agentContainer(agent: LogAgentKind): {
    image: string;
    args: string[];
    port: number;
    ready: string;
    stateDir: string;
    hostStateDir: string;
} {
    const config = `${CONFIG_DIR}/${LOG_AGENT_CONFIG_FILE[agent]}`;
    if (agent === "promtail") {
        return {
            image: PROMTAIL_IMAGE,
            args: [`-config.file=${config}`, "-config.expand-env=true"],
            port: PROMTAIL_PORT,
            ready: "/ready",
            stateDir: PROMTAIL_POSITIONS_DIR,
            hostStateDir: "/var/lib/mla-promtail",
        };
    }
    return {
        image: ALLOY_IMAGE,
        args: ["run", config, `--storage.path=${ALLOY_DATA_DIR}`, `--server.http.listen-addr=0.0.0.0:${ALLOY_PORT}`],
        port: ALLOY_PORT,
        ready: "/-/ready",
        stateDir: ALLOY_DATA_DIR,
        hostStateDir: "/var/lib/mla-alloy",
    };
}

/** The DaemonSet's args. */
export function logAgentDaemonSetArgs(input: LogAgentDaemonSetInput): k8s.apps.v1.DaemonSetArgs {
    const labels = logAgentLabels();
    const c = agentContainer(input.agent);
    return {
        metadata: { name: input.name, namespace: input.namespace, labels },
        spec: {
            selector: { matchLabels: labels },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
            template: {
                metadata: { labels, annotations: { "mla.dev/config-checksum": input.configChecksum } },
                spec: {
                    serviceAccountName: input.serviceAccountName,
                    tolerations: TOLERATE_ALL,
                    // Log files under /var/log/pods are root-owned 0640; the agent runs as root to
                    // read them, but with no capabilities and a read-only root filesystem.
                    securityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: input.agent,
                            image: c.image,
                            args: c.args,
                            env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                            ports: [{ name: "http", containerPort: c.port }],
                            readinessProbe: { httpGet: { path: c.ready, port: "http" }, periodSeconds: 10 },
                            resources: input.resources,
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                capabilities: { drop: ["ALL"] },
                            },
                            volumeMounts: [
                                { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                                { name: "tls", mountPath: AGENT_TLS_DIR, readOnly: true },
                                { name: "pod-logs", mountPath: POD_LOGS_DIR, readOnly: true },
                                { name: "state", mountPath: c.stateDir },
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: input.configMapName } },
                        { name: "tls", secret: { secretName: input.tlsSecretName } },
                        { name: "pod-logs", hostPath: { path: POD_LOGS_DIR, type: "Directory" } },
                        { name: "state", hostPath: { path: c.hostStateDir, type: "DirectoryOrCreate" } },
                        { name: "tmp", emptyDir: {} },
                    ],
                },
            },
        },
    };
}
