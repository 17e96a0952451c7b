/**
 * The metrics agent's Deployment (pure): Prometheus in agent mode, keeping no data beyond its
 * write-ahead log.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { AGENT_TLS_DIR, METRICS_AGENT_CONFIG_FILE } from "./agent-configs";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../common/pod-security";
import { PROMETHEUS_PORT } from "./prometheus-config";

/**
 * Prometheus 3 LTS. Agent mode in v3 is the `--agent` flag (v2 used `--enable-feature=agent`);
 * the rendered prometheus.yml loads in both.
 */
export const PROMETHEUS_IMAGE = "quay.io/prometheus/prometheus:v3.5.0";
/** Where the config ConfigMap is mounted. */
export const PROMETHEUS_CONFIG_DIR = "/etc/prometheus";
/** The WAL directory. */
export const PROMETHEUS_WAL_DIR = "/prometheus";
/**
 * The WAL lives in an emptyDir: the agent is a buffer, not a store, and a PVC would pin the pod to
 * one zone. A rescheduled pod loses only samples not yet sent. The limit bounds a long gateway
 * outage's backlog instead of filling the node's disk.
 */
export const WAL_SIZE_LIMIT = "2Gi";

/** Inputs of {@link metricsAgentDeploymentArgs}. */
export interface MetricsAgentDeploymentInput {
    name: string;
    namespace: pulumi.Input<string>;
    replicas: number;
    resources: k8s.types.input.core.v1.ResourceRequirements;
    serviceAccountName: string;
    configMapName: string;
    tlsSecretName: string;
    /** sha256 of the rendered prometheus.yml; a change rolls the pods so they load it. */
    configChecksum: pulumi.Input<string>;
}

/** The selector and pod labels. */
export function metricsAgentLabels(): Record<string, string> {
    return { "app.kubernetes.io/name": "mla-metrics-agent", "app.kubernetes.io/part-of": "mla" };
}

/** The Deployment's args. */
export function metricsAgentDeploymentArgs(input: MetricsAgentDeploymentInput): k8s.apps.v1.DeploymentArgs {
    const labels = metricsAgentLabels();
    return {
        metadata: { name: input.name, namespace: input.namespace, labels },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels, annotations: { "mla.dev/config-checksum": input.configChecksum } },
                spec: {
                    serviceAccountName: input.serviceAccountName,
                    securityContext: restrictedPodSecurity(),
                    containers: [
                        {
                            name: "prometheus",
                            image: PROMETHEUS_IMAGE,
                            args: [
                                "--agent",
                                `--config.file=${PROMETHEUS_CONFIG_DIR}/${METRICS_AGENT_CONFIG_FILE}`,
                                `--storage.agent.path=${PROMETHEUS_WAL_DIR}`,
                                `--web.listen-address=:${PROMETHEUS_PORT}`,
                            ],
                            ports: [{ name: "http", containerPort: PROMETHEUS_PORT }],
                            readinessProbe: { httpGet: { path: "/-/ready", port: "http" }, periodSeconds: 10 },
                            livenessProbe: {
                                httpGet: { path: "/-/healthy", port: "http" },
                                periodSeconds: 30,
                                failureThreshold: 5,
                            },
                            resources: input.resources,
                            securityContext: restrictedContainerSecurity(),
                            volumeMounts: [
                                { name: "config", mountPath: PROMETHEUS_CONFIG_DIR, readOnly: true },
                                { name: "tls", mountPath: AGENT_TLS_DIR, readOnly: true },
                                { name: "wal", mountPath: PROMETHEUS_WAL_DIR },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: input.configMapName } },
                        // Prometheus re-reads certificate files per connection, so a renewed
                        // certificate is picked up without a restart once the kubelet syncs the Secret.
                        { name: "tls", secret: { secretName: input.tlsSecretName } },
                        { name: "wal", emptyDir: { sizeLimit: WAL_SIZE_LIMIT } },
                    ],
                },
            },
        },
    };
}
