/**
 * Pod Security for every workload the project runs (pure): the restricted pod and container
 * settings, and the labels of the agents' namespace.
 *
 * Decision: one namespace, `mla-system`, for every agent (offboarding deletes one namespace). The
 * log agent and node-exporter need hostPath volumes, which even the `baseline` level forbids, so
 * while either is enabled the namespace *enforces* `privileged`; otherwise it enforces
 * `restricted`. It always *warns* and *audits* at `restricted`, so anything beyond the host-access
 * agents shows up. The metrics agent and kube-state-metrics are written to pass `restricted`
 * regardless (tested), so they keep working if the namespace is locked down.
 */
import type * as k8s from "@pulumi/kubernetes";

type Labels = Record<string, string>;

/** The namespace labels for the given host-access need. */
export function podSecurityLabels(hostAccess: boolean): Labels {
    return {
        "pod-security.kubernetes.io/enforce": hostAccess ? "privileged" : "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
    };
}

/** Pod-level settings that satisfy `restricted` for a non-root image. */
export function restrictedPodSecurity(uid = 65534): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Container-level settings that satisfy `restricted` on their own, so a container stays compliant
 * whatever its pod sets: non-root, no privilege escalation, no capabilities, read-only root
 * filesystem, the runtime's default seccomp profile.
 */
export function restrictedContainerSecurity(): k8s.types.input.core.v1.SecurityContext {
    return {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Tolerates every taint, so DaemonSets run on control-plane and tainted nodes too. */
export const TOLERATE_ALL: k8s.types.input.core.v1.Toleration[] = [{ operator: "Exists" }];
