/**
 * The optional exporters (pure): node-exporter (a DaemonSet on the host network, reading the
 * host's /proc, /sys and root read-only) and kube-state-metrics (a restricted Deployment). The
 * metrics agent finds both by their `app.kubernetes.io/name` label and `metrics` port.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurity, restrictedPodSecurity, TOLERATE_ALL } from "../common/pod-security";
import { KUBE_STATE_METRICS_RESOURCES } from "./rbac-objects";

/** node-exporter, pinned. */
export const NODE_EXPORTER_IMAGE = "quay.io/prometheus/node-exporter:v1.9.1";
/** kube-state-metrics, pinned. */
export const KUBE_STATE_METRICS_IMAGE = "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0";
const NODE_EXPORTER_PORT = 9100;
const KSM_PORT = 8080;
const KSM_TELEMETRY_PORT = 8081;

function labelsOf(app: string): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "mla" };
}

/** The node-exporter DaemonSet's args. */
export function nodeExporterDaemonSetArgs(
    name: string,
    namespace: pulumi.Input<string>,
    serviceAccountName: string,
): k8s.apps.v1.DaemonSetArgs {
    const labels = labelsOf("node-exporter");
    const host = (path: string, at: string) => ({
        volume: { name: at, hostPath: { path } },
        mount: { name: at, mountPath: `/host/${at}`, readOnly: true },
    });
    const mounts = [host("/proc", "proc"), host("/sys", "sys"), host("/", "root")];
    return {
        metadata: { name, namespace, labels },
        spec: {
            selector: { matchLabels: labels },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName,
                    automountServiceAccountToken: false,
                    // Host network and PID: interface and process metrics are the host's, not the pod's.
                    hostNetwork: true,
                    hostPID: true,
                    tolerations: TOLERATE_ALL,
                    securityContext: restrictedPodSecurity(),
                    containers: [
                        {
                            name: "node-exporter",
                            image: NODE_EXPORTER_IMAGE,
                            args: [
                                "--path.procfs=/host/proc",
                                "--path.sysfs=/host/sys",
                                "--path.rootfs=/host/root",
                                `--web.listen-address=:${NODE_EXPORTER_PORT}`,
                                "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/(docker|kubelet|containerd)/.+)($|/)",
                            ],
                            ports: [
                                { name: "metrics", containerPort: NODE_EXPORTER_PORT, hostPort: NODE_EXPORTER_PORT },
                            ],
                            readinessProbe: { httpGet: { path: "/", port: "metrics" } },
                            resources: {
                                requests: { cpu: "20m", memory: "32Mi" },
                                limits: { cpu: "250m", memory: "128Mi" },
                            },
                            securityContext: restrictedContainerSecurity(),
                            volumeMounts: mounts.map((m) => m.mount),
                        },
                    ],
                    volumes: mounts.map((m) => m.volume),
                },
            },
        },
    };
}

/** The kube-state-metrics Deployment's args. */
export function kubeStateMetricsDeploymentArgs(
    name: string,
    namespace: pulumi.Input<string>,
    serviceAccountName: string,
): k8s.apps.v1.DeploymentArgs {
    const labels = labelsOf("kube-state-metrics");
    const resources = Object.values(KUBE_STATE_METRICS_RESOURCES).flat().sort();
    return {
        metadata: { name, namespace, labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName,
                    securityContext: restrictedPodSecurity(),
                    containers: [
                        {
                            name: "kube-state-metrics",
                            image: KUBE_STATE_METRICS_IMAGE,
                            args: [
                                `--port=${KSM_PORT}`,
                                `--telemetry-port=${KSM_TELEMETRY_PORT}`,
                                `--resources=${resources.join(",")}`,
                            ],
                            ports: [
                                { name: "metrics", containerPort: KSM_PORT },
                                { name: "telemetry", containerPort: KSM_TELEMETRY_PORT },
                            ],
                            readinessProbe: { httpGet: { path: "/readyz", port: "telemetry" } },
                            livenessProbe: { httpGet: { path: "/livez", port: "metrics" } },
                            resources: {
                                requests: { cpu: "50m", memory: "128Mi" },
                                limits: { cpu: "500m", memory: "512Mi" },
                            },
                            securityContext: restrictedContainerSecurity(),
                        },
                    ],
                },
            },
        },
    };
}
