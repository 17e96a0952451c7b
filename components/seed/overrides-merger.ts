/**
 * The overrides merger: one small Deployment that keeps the Cortex and Loki runtime-config
 * ConfigMaps equal to the merge of every tenant's fragment ConfigMap (see
 * `overrides-merger-script.ts` for the merge itself).
 *
 * The seed owns both runtime ConfigMaps and creates them with `ignoreChanges: ["data"]`: the
 * merger writes their data, and a later `pulumi up` must not reset it. The charts mount them, so
 * kubelet propagates a new merge to the pods within its sync period (about a minute), and the
 * backends re-read the file every `runtime_config.period` (10 s by default).
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderMergerScript } from "./overrides-merger-script";
import type { ResourceSpec } from "./sizing";
import { onlyLabel } from "../../spec/tenant-delivery";
import { restrictedContainerSecurity } from "../common/pod-security";
import { rejectInvalidArgs } from "../common/invalid-args";

/**
 * kubectl and a POSIX shell in one small, multi-arch image; alpine/k8s tracks kubectl releases and
 * is pinned here to kubectl 1.34 (within the supported skew of current seeds).
 */
export const MERGER_IMAGE = "alpine/k8s:1.34.5";

/** One backend whose runtime config the merger maintains. */
export interface MergerTarget {
    /** "cortex" or "loki": the container name and the fragment label value. */
    backend: string;
    /** The fragments' labels (exactly one). */
    fragmentLabels: Readonly<Record<string, string>>;
    /** The fragments' data key. */
    fragmentKey: string;
    /** The label naming a fragment's tenant; a fragment may hold only that tenant's key. */
    tenantLabel: string;
    /** The runtime ConfigMap the backend mounts. */
    configMap: string;
    /** Its data key. */
    key: string;
}

/** Arguments of {@link OverridesMerger}. */
export interface OverridesMergerArgs {
    /** The MLA namespace. */
    namespace: pulumi.Input<string>;
    /** Plain namespace name, used inside the rendered script. */
    namespaceName: string;
    /** The backends to maintain. */
    targets: MergerTarget[];
    /** Seconds between merge rounds. Defaults to 30. */
    intervalSeconds?: number;
    /** Container image. Defaults to {@link MERGER_IMAGE}. */
    image?: string;
    /** Each container's resources (the seed passes its sizing). Defaults to {@link MERGER_RESOURCES}. */
    resources?: ResourceSpec;
}

/** A merge round is a few kubectl calls: small and bounded. */
export const MERGER_RESOURCES: ResourceSpec = {
    requests: { cpu: "10m", memory: "32Mi" },
    limits: { cpu: "200m", memory: "128Mi" },
};

/** The pod-template annotation holding the scripts' checksum: a changed script rolls the pods. */
export const SCRIPTS_CHECKSUM_ANNOTATION = "mla.k8c.io/scripts-checksum";

/** SHA-256 over the scripts, in key order (the pods read them only at start). */
export function scriptsChecksum(scripts: Record<string, string>): string {
    const hash = createHash("sha256");
    for (const key of Object.keys(scripts).sort()) hash.update(`${key}\0${scripts[key]}\0`);
    return hash.digest("hex");
}

/** The empty runtime config every backend starts with. */
export const EMPTY_RUNTIME_CONFIG = "overrides: {}\n";

/** The merger's Deployment, its scripts, least-privilege RBAC, and the runtime ConfigMaps it writes. */
export class OverridesMerger extends pulumi.ComponentResource {
    /** The runtime ConfigMaps, by backend. */
    readonly runtimeConfigMaps: Record<string, k8s.core.v1.ConfigMap> = {};

    constructor(name: string, args: OverridesMergerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mla:seed:OverridesMerger", name, {}, opts);
        const problems: string[] = [];
        if (args.targets.length === 0) problems.push("targets must not be empty");
        const interval = args.intervalSeconds ?? 30;
        if (!Number.isInteger(interval) || interval < 1) problems.push(`intervalSeconds must be >= 1, got ${interval}`);
        rejectInvalidArgs(this, "OverridesMerger", name, problems);

        const namespace = args.namespace;
        const labels = { "app.kubernetes.io/name": "mla-overrides-merger", "app.kubernetes.io/instance": name };
        const scripts: Record<string, string> = {};
        for (const t of args.targets) {
            const [key, value] = onlyLabel(t.fragmentLabels);
            scripts[`${t.backend}.sh`] = renderMergerScript({
                namespace: args.namespaceName,
                selector: `${key}=${value}`,
                fragmentKey: t.fragmentKey,
                tenantLabel: t.tenantLabel,
                targetConfigMap: t.configMap,
                targetKey: t.key,
                intervalSeconds: interval,
            });
            this.runtimeConfigMaps[t.backend] = new k8s.core.v1.ConfigMap(
                `${name}-${t.backend}-runtime`,
                {
                    metadata: {
                        name: t.configMap,
                        namespace,
                        labels: { "app.kubernetes.io/managed-by": "mla-overrides-merger" },
                    },
                    data: { [t.key]: EMPTY_RUNTIME_CONFIG },
                },
                // The merger owns the data after creation.
                { parent: this, ignoreChanges: ["data"] },
            );
        }

        const scriptMap = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            { metadata: { name: "mla-overrides-merger", namespace, labels }, data: scripts },
            { parent: this },
        );
        const account = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: "mla-overrides-merger", namespace, labels } },
            { parent: this },
        );
        const role = new k8s.rbac.v1.Role(
            `${name}-role`,
            {
                metadata: { name: "mla-overrides-merger", namespace, labels },
                rules: [
                    { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
                    {
                        apiGroups: [""],
                        resources: ["configmaps"],
                        resourceNames: args.targets.map((t) => t.configMap),
                        verbs: ["update", "patch"],
                    },
                ],
            },
            { parent: this },
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-binding`,
            {
                metadata: { name: "mla-overrides-merger", namespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
            },
            { parent: this },
        );
        new k8s.apps.v1.Deployment(
            name,
            {
                metadata: { name: "mla-overrides-merger", namespace, labels },
                spec: {
                    // Rounds are idempotent, so one replica suffices; a restart only delays a merge.
                    replicas: 1,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels, annotations: { [SCRIPTS_CHECKSUM_ANNOTATION]: scriptsChecksum(scripts) } },
                        spec: {
                            serviceAccountName: account.metadata.name,
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: 65534,
                                runAsGroup: 65534,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            containers: args.targets.map((t) => ({
                                name: t.backend,
                                image: args.image ?? MERGER_IMAGE,
                                command: ["/bin/sh", `/scripts/${t.backend}.sh`],
                                env: [
                                    { name: "HOME", value: "/tmp" },
                                    { name: "TMPDIR", value: "/tmp" },
                                ],
                                resources: args.resources ?? MERGER_RESOURCES,
                                securityContext: restrictedContainerSecurity(),
                                volumeMounts: [
                                    { name: "scripts", mountPath: "/scripts", readOnly: true },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            })),
                            volumes: [
                                { name: "scripts", configMap: { name: scriptMap.metadata.name } },
                                { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
