/**
 * Pure builders for the gateway's Deployment and PodDisruptionBudget.
 *
 * The pod meets the "restricted" Pod Security Standard: non-root (the unprivileged nginx image's
 * uid 101), no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, and a
 * read-only root filesystem with an emptyDir for nginx's pid and temp files.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceSpec } from "../../spec/cluster-spec";
import { CHECKSUM_ANNOTATION } from "./checksum";
import {
    CONFIG_DIR,
    OBJECT_NAMES,
    READ_PORT,
    READ_TOKEN_DIR,
    RUNTIME_DIR,
    TLS_DIR,
    WRITE_PORT,
    gatewayLabels,
    gatewaySelector,
} from "./layout";
import { restrictedContainerSecurity } from "../common/pod-security";

/**
 * nginx, unprivileged variant (listens above 1024, runs as uid 101), pinned to an exact stable
 * release. The config also runs on Debian's nginx 1.22, which the tests use.
 */
export const GATEWAY_IMAGE = "docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine";
/** uid/gid of the `nginx` user in the unprivileged image. */
const NGINX_UID = 101;
/**
 * Defaults, sized from measured use (docs/fleet-cost.md, bench/RESULTS.md): one replica carrying
 * a whole 100k-series cluster (about 115 KB/s of remote write at a 15 s interval) uses well under
 * 1 millicore, so 5m leaves several times that as headroom. Memory, as the kubelet counts it (the
 * container's working set): about 3 MiB idle and 7 MiB after load, or 10-12 MiB if the pod is the
 * first on its node to read nginx's libraries; each idle agent connection adds about 22 KiB, so
 * 32Mi covers some 900 connected agents per replica. Seeds reserve requests for every replica of
 * every cluster, so they stay small; the limits let a replica burst to a full CPU (its one
 * worker's ceiling) and hold a body buffer for each of its 1,024 connections.
 */
export const DEFAULT_GATEWAY_RESOURCES: ResourceSpec = {
    requests: { cpu: "5m", memory: "32Mi" },
    limits: { cpu: "1", memory: "256Mi" },
};

/** Inputs of the Deployment builder. */
export interface GatewayDeploymentInput {
    clusterId: string;
    namespace: pulumi.Input<string>;
    replicas: number;
    image: string;
    resources: ResourceSpec;
    /** `gatewayChecksum(...)`; a change rolls the pods. */
    checksum: pulumi.Input<string>;
}

/** The Deployment of the gateway's nginx pods. */
export function gatewayDeploymentArgs(input: GatewayDeploymentInput): k8s.apps.v1.DeploymentArgs {
    const selector = gatewaySelector(input.clusterId);
    const healthz = { path: "/healthz", port: "read" };
    return {
        metadata: { name: OBJECT_NAMES.deployment, namespace: input.namespace, labels: gatewayLabels(input.clusterId) },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: selector },
            // Surge before removing a pod, so a rollout never drops below the replica count.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
                metadata: {
                    labels: gatewayLabels(input.clusterId),
                    annotations: { [CHECKSUM_ANNOTATION]: input.checksum },
                },
                spec: {
                    automountServiceAccountToken: false,
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: NGINX_UID,
                        runAsGroup: NGINX_UID,
                        fsGroup: NGINX_UID,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map(
                        (topologyKey) => ({
                            maxSkew: 1,
                            topologyKey,
                            // Prefer spreading, but never block scheduling on small seeds.
                            whenUnsatisfiable: "ScheduleAnyway",
                            labelSelector: { matchLabels: selector },
                        }),
                    ),
                    terminationGracePeriodSeconds: 30,
                    containers: [
                        {
                            name: "nginx",
                            image: input.image,
                            // Bypass the image's entrypoint scripts: they edit files under /etc/nginx.
                            command: ["nginx", "-c", `${CONFIG_DIR}/nginx.conf`, "-e", "stderr", "-g", "daemon off;"],
                            ports: [
                                { name: "write", containerPort: WRITE_PORT, protocol: "TCP" },
                                { name: "read", containerPort: READ_PORT, protocol: "TCP" },
                            ],
                            readinessProbe: { httpGet: healthz, periodSeconds: 5, failureThreshold: 2 },
                            livenessProbe: {
                                httpGet: healthz,
                                initialDelaySeconds: 5,
                                periodSeconds: 10,
                                failureThreshold: 3,
                            },
                            // Give endpoints time to drop this pod before nginx stops accepting.
                            lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 5"] } } },
                            resources: input.resources,
                            securityContext: restrictedContainerSecurity(),
                            volumeMounts: [
                                { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                                { name: "tls", mountPath: TLS_DIR, readOnly: true },
                                { name: "read-token", mountPath: READ_TOKEN_DIR, readOnly: true },
                                { name: "runtime", mountPath: RUNTIME_DIR },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: OBJECT_NAMES.configMap } },
                        // 0440 + fsGroup: readable by nginx's group only.
                        { name: "tls", secret: { secretName: OBJECT_NAMES.tlsSecret, defaultMode: 0o440 } },
                        {
                            name: "read-token",
                            secret: { secretName: OBJECT_NAMES.readTokenSecret, defaultMode: 0o440 },
                        },
                        { name: "runtime", emptyDir: { sizeLimit: "1Gi" } },
                    ],
                },
            },
        },
    };
}

/**
 * Keeps at least one gateway pod up through voluntary disruptions (node drains, rollouts). Only
 * for two or more replicas: with one, it would forbid every eviction.
 */
export function gatewayPdbArgs(
    clusterId: string,
    namespace: pulumi.Input<string>,
): k8s.policy.v1.PodDisruptionBudgetArgs {
    return {
        metadata: { name: OBJECT_NAMES.pdb, namespace, labels: gatewayLabels(clusterId) },
        spec: { minAvailable: 1, selector: { matchLabels: gatewaySelector(clusterId) } },
    };
}
