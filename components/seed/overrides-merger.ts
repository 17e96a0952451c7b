/**
 * The overrides merger: one small Deployment that keeps the Cortex and Loki runtime-config
 * ConfigMaps equal to the merge of every tenant's fragment ConfigMap (see
 * `overrides-merger-script.ts` for the merge itself, `overrides-merger-objects.ts` for the objects).
 *
 * The seed owns both runtime ConfigMaps and creates them with `ignoreChanges: ["data"]`: the
 * merger writes their data, and a later `pulumi up` must not reset it. The charts mount them, so
 * kubelet propagates a new merge to the pods within its sync period (about a minute), and the
 * backends re-read the file every `runtime_config.period` (10 s by default).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderMergerScript } from "./overrides-merger-script";
import {
    MERGER_IMAGE,
    MERGER_RESOURCES,
    mergerDeploymentArgs,
    mergerLabels,
    mergerRoleArgs,
    mergerRoleBindingArgs,
    mergerScriptsConfigMapArgs,
    mergerServiceAccountArgs,
    runtimeConfigMapArgs,
} from "./overrides-merger-objects";
import { onlyLabel } from "../../spec/tenant-delivery";
import { rejectInvalidArgs } from "../common/invalid-args";
import { type ResourceSpec } from "../../spec/cluster-spec";

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
        const at = { namespace, labels: mergerLabels(name) };
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
                runtimeConfigMapArgs(t.configMap, t.key, namespace),
                // The merger owns the data after creation.
                { parent: this, ignoreChanges: ["data"] },
            );
        }

        const scriptMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, mergerScriptsConfigMapArgs(at, scripts), {
            parent: this,
        });
        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, mergerServiceAccountArgs(at), { parent: this });
        const role = new k8s.rbac.v1.Role(
            `${name}-role`,
            mergerRoleArgs(
                at,
                args.targets.map((t) => t.configMap),
            ),
            { parent: this },
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-binding`,
            mergerRoleBindingArgs(at, { role: role.metadata.name, serviceAccount: account.metadata.name }),
            { parent: this },
        );
        new k8s.apps.v1.Deployment(
            name,
            mergerDeploymentArgs({
                ...at,
                backends: args.targets.map((t) => t.backend),
                scripts,
                image: args.image ?? MERGER_IMAGE,
                resources: args.resources ?? MERGER_RESOURCES,
                serviceAccountName: account.metadata.name,
                scriptsConfigMapName: scriptMap.metadata.name,
            }),
            { parent: this },
        );
        this.registerOutputs({});
    }
}
