/**
 * The overrides merger's objects (pure): the runtime ConfigMaps it writes, the ConfigMap of its
 * scripts, its service account with a Role that may update only those runtime ConfigMaps, and its
 * Deployment (one container per backend, restricted, the scripts' checksum on the pod template).
 * Names that come from other resources (`metadata.name` Outputs) are taken as inputs, so the
 * component keeps the dependencies.
 */
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurity } from "../common/pod-security";
import { type ResourceSpec } from "../../spec/cluster-spec";

/**
 * kubectl and a POSIX shell in one small, multi-arch image; alpine/k8s tracks kubectl releases and
 * is pinned here to kubectl 1.34 (within the supported skew of current seeds).
 */
export const MERGER_IMAGE = "alpine/k8s:1.34.5";

/** A merge round is a few kubectl calls: small and bounded. */
export const MERGER_RESOURCES: ResourceSpec = {
    requests: { cpu: "10m", memory: "32Mi" },
    limits: { cpu: "200m", memory: "128Mi" },
};

/** The pod-template annotation holding the scripts' checksum: a changed script rolls the pods. */
export const SCRIPTS_CHECKSUM_ANNOTATION = "mla.k8c.io/scripts-checksum";

/** The empty runtime config every backend starts with. */
export const EMPTY_RUNTIME_CONFIG = "overrides: {}\n";

/** The name of the merger's scripts ConfigMap, service account, Role, RoleBinding and Deployment. */
export const MERGER_NAME = "mla-overrides-merger";

/** SHA-256 over the scripts, in key order (the pods read them only at start). */
export function scriptsChecksum(scripts: Record<string, string>): string {
    const hash = createHash("sha256");
    for (const key of Object.keys(scripts).sort()) hash.update(`${key}\0${scripts[key]}\0`);
    return hash.digest("hex");
}

/** The merger's selector and object labels; `instance` tells two mergers apart. */
export function mergerLabels(instance: string): Record<string, string> {
    return { "app.kubernetes.io/name": MERGER_NAME, "app.kubernetes.io/instance": instance };
}

/** Where the merger's objects go and how they are labelled. */
export interface MergerPlacement {
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
}

/** A backend's runtime ConfigMap `name`, starting empty under `key`; the merger owns its data. */
export function runtimeConfigMapArgs(
    name: string,
    key: string,
    namespace: pulumi.Input<string>,
): k8s.core.v1.ConfigMapArgs {
    return {
        metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": MERGER_NAME } },
        data: { [key]: EMPTY_RUNTIME_CONFIG },
    };
}

/** The scripts, one `<backend>.sh` per backend. */
export function mergerScriptsConfigMapArgs(
    at: MergerPlacement,
    scripts: Record<string, string>,
): k8s.core.v1.ConfigMapArgs {
    return { metadata: { name: MERGER_NAME, namespace: at.namespace, labels: at.labels }, data: scripts };
}

/** The merger's service account. */
export function mergerServiceAccountArgs(at: MergerPlacement): k8s.core.v1.ServiceAccountArgs {
    return { metadata: { name: MERGER_NAME, namespace: at.namespace, labels: at.labels } };
}

/** Read every ConfigMap of the namespace (the fragments); update and patch only `runtimeConfigMaps`. */
export function mergerRoleArgs(at: MergerPlacement, runtimeConfigMaps: string[]): k8s.rbac.v1.RoleArgs {
    return {
        metadata: { name: MERGER_NAME, namespace: at.namespace, labels: at.labels },
        rules: [
            { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
            {
                apiGroups: [""],
                resources: ["configmaps"],
                resourceNames: runtimeConfigMaps,
                verbs: ["update", "patch"],
            },
        ],
    };
}

/** What binds the Role to the service account (their names, as created). */
export interface MergerBindingNames {
    role: pulumi.Input<string>;
    serviceAccount: pulumi.Input<string>;
}

/** The merger's RoleBinding. */
export function mergerRoleBindingArgs(at: MergerPlacement, names: MergerBindingNames): k8s.rbac.v1.RoleBindingArgs {
    return {
        metadata: { name: MERGER_NAME, namespace: at.namespace, labels: at.labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.role },
        subjects: [{ kind: "ServiceAccount", name: names.serviceAccount, namespace: at.namespace }],
    };
}

/** Inputs of {@link mergerDeploymentArgs}. */
export interface MergerDeploymentInput extends MergerPlacement {
    /** The backends, one container each, running `/scripts/<backend>.sh`. */
    backends: string[];
    /** The scripts, for the checksum annotation. */
    scripts: Record<string, string>;
    image: string;
    resources: ResourceSpec;
    serviceAccountName: pulumi.Input<string>;
    scriptsConfigMapName: pulumi.Input<string>;
}

/** The merger's Deployment. */
export function mergerDeploymentArgs(input: MergerDeploymentInput): k8s.apps.v1.DeploymentArgs {
    const { labels } = input;
    return {
        metadata: { name: MERGER_NAME, namespace: input.namespace, labels },
        spec: {
            // Rounds are idempotent, so one replica suffices; a restart only delays a merge.
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels, annotations: { [SCRIPTS_CHECKSUM_ANNOTATION]: scriptsChecksum(input.scripts) } },
                spec: {
                    serviceAccountName: input.serviceAccountName,
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: 65534,
                        runAsGroup: 65534,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: input.backends.map((backend) => ({
                        name: backend,
                        image: input.image,
                        command: ["/bin/sh", `/scripts/${backend}.sh`],
                        env: [
                            { name: "HOME", value: "/tmp" },
                            { name: "TMPDIR", value: "/tmp" },
                        ],
                        resources: input.resources,
                        securityContext: restrictedContainerSecurity(),
                        volumeMounts: [
                            { name: "scripts", mountPath: "/scripts", readOnly: true },
                            { name: "tmp", mountPath: "/tmp" },
                        ],
                    })),
                    volumes: [
                        { name: "scripts", configMap: { name: input.scriptsConfigMapName } },
                        { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                    ],
                },
            },
        },
    };
}
