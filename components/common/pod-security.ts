/**
 * Pod Security for every workload the project runs (pure): the restricted pod and container
 * settings, and the labels of the agents' namespaces.
 *
 * Decision: security defaults start closed. The agents are split by the level they can pass:
 * - `mla-system` holds the metrics agent and kube-state-metrics and always *enforces*
 *   `restricted` (warn and audit too), so nothing weaker can be scheduled next to them;
 * - `mla-host-agents` holds the log agent and node-exporter, which need hostPath volumes (and
 *   node-exporter host network/PID) that even `baseline` forbids, so it *enforces* `privileged`.
 *   It *warns* and *audits* at `baseline`, so every pod there that goes beyond baseline is
 *   reported, and the exception stays visible. It exists only while one of them is enabled.
 */
import type * as k8s from "@pulumi/kubernetes";

type Labels = Record<string, string>;

/** A Pod Security Standards level. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Namespace labels that enforce `enforce` and warn/audit at `report` (default: the same level). */
export function podSecurityLabels(enforce: PodSecurityLevel, report: PodSecurityLevel = enforce): Labels {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": report,
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": report,
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
