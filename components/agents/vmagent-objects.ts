/**
 * The metrics agent's Deployment when it is vmagent (pure). Same labels, service account,
 * ConfigMap and client-cert Secret names as the Prometheus agent, so switching agents replaces
 * the pod and nothing else.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { AGENT_TLS_DIR, tlsFilesIn } from "./agent-configs";
import { type MetricsAgentDeploymentInput, metricsAgentLabels } from "./metrics-agent-objects";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../common/pod-security";
import { VMAGENT_CONFIG_FILE, VMAGENT_MAX_DISK_USAGE, VMAGENT_PORT, vmagentFlags } from "./vmagent-config";

/** vmagent, pinned (an LTS line). */
export const VMAGENT_IMAGE = "victoriametrics/vmagent:v1.102.1";
/** Where the config ConfigMap is mounted. */
export const VMAGENT_CONFIG_DIR = "/etc/vmagent";
/** The on-disk remote-write buffer. */
export const VMAGENT_DATA_DIR = "/vmagent-data";
/**
 * The buffer volume: an emptyDir, like the Prometheus agent's WAL (no zone pinning; a rescheduled
 * pod loses only what was not sent yet). Larger than `-remoteWrite.maxDiskUsagePerURL` so that
 * vmagent drops its oldest data before the kubelet would evict the pod.
 */
export const VMAGENT_BUFFER_SIZE_LIMIT = "2Gi";

/** Inputs of {@link vmagentDeploymentArgs}. */
export interface VmagentDeploymentInput extends MetricsAgentDeploymentInput {
    /** The container's flags: {@link deployedVmagentFlags} of the gateway URL. */
    flags: pulumi.Input<string[]>;
    /**
     * sha256 of the client certificate: a renewed certificate rolls the pod, so vmagent never
     * depends on re-reading TLS files by itself.
     */
    tlsChecksum: pulumi.Input<string>;
}

/** The container's flags for `gatewayUrl`, as deployed. */
export function deployedVmagentFlags(gatewayUrl: string): string[] {
    return vmagentFlags({
        configFile: `${VMAGENT_CONFIG_DIR}/${VMAGENT_CONFIG_FILE}`,
        gatewayUrl,
        tls: tlsFilesIn(AGENT_TLS_DIR),
        dataDir: VMAGENT_DATA_DIR,
        maxDiskUsage: VMAGENT_MAX_DISK_USAGE,
    });
}

/** The Deployment's args. */
export function vmagentDeploymentArgs(input: VmagentDeploymentInput): k8s.apps.v1.DeploymentArgs {
    const labels = metricsAgentLabels();
    return {
        metadata: { name: input.name, namespace: input.namespace, labels },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: labels },
            template: {
                metadata: {
                    labels,
                    annotations: {
                        "mla.dev/config-checksum": input.configChecksum,
                        "mla.dev/tls-checksum": input.tlsChecksum,
                    },
                },
                spec: {
                    serviceAccountName: input.serviceAccountName,
                    securityContext: restrictedPodSecurity(),
                    containers: [
                        {
                            name: "vmagent",
                            image: VMAGENT_IMAGE,
                            args: input.flags,
                            ports: [{ name: "http", containerPort: VMAGENT_PORT }],
                            readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 10 },
                            livenessProbe: {
                                httpGet: { path: "/health", port: "http" },
                                periodSeconds: 30,
                                failureThreshold: 5,
                            },
                            resources: input.resources,
                            securityContext: restrictedContainerSecurity(),
                            volumeMounts: [
                                { name: "config", mountPath: VMAGENT_CONFIG_DIR, readOnly: true },
                                { name: "tls", mountPath: AGENT_TLS_DIR, readOnly: true },
                                { name: "buffer", mountPath: VMAGENT_DATA_DIR },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: input.configMapName } },
                        { name: "tls", secret: { secretName: input.tlsSecretName } },
                        { name: "buffer", emptyDir: { sizeLimit: VMAGENT_BUFFER_SIZE_LIMIT } },
                    ],
                },
            },
        },
    };
}
