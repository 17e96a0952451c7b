/**
 * `SeedMla`: the central MLA backends of one seed: namespace, object store, Cortex, Loki,
 * Grafana, the overrides merger and a NetworkPolicy in front of the backends, wired so cluster stacks can deliver per-tenant
 * configuration declaratively (see `tenant-delivery.ts`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SEED_CHARTS } from "./charts";
import { pinnedChart } from "./pinned-chart";
import { cortexValues } from "./cortex-values";
import { Grafana } from "./grafana";
import { lokiValues } from "./loki-values";
import { type MlaNetworkPolicyOptions, mlaNetworkPolicyArgs } from "./network-policies";
import { ObjectStore, type S3Credentials } from "./object-store";
import { OverridesMerger } from "./overrides-merger";
import { seedNamespaceArgs } from "./seed-objects";
import { SEED_OBJECT_NAMES } from "./seed-plan";
import { type SeedEndpoints, seedEndpoints } from "./service-names";
import {
    TENANT_DELIVERY_CONVENTIONS,
    TENANT_ID_LABEL,
    type TenantDelivery,
    tenantDelivery,
} from "../../spec/tenant-delivery";
import { isDnsLabel } from "../../spec/validation";
import { podSecurityLabels } from "../common/pod-security";
import { rejectInvalidArgs } from "../common/invalid-args";
import { type SeedPlan } from "../../spec/seed-plan";
import { grafanaPlanProblems } from "../../spec/checks/seed-checks";

/** What a seed extension (issue 5's default rule groups and dashboards) gets to add its objects. */
export interface SeedExtensionContext {
    /** Parent for the extension's resources (they inherit the seed's provider). */
    parent: pulumi.Resource;
    /** The MLA namespace name. */
    namespace: string;
    /** Labels and folders the sidecars watch. */
    delivery: TenantDelivery;
    /** Resources the extension's objects should depend on (the namespace). */
    dependsOn: pulumi.Resource[];
}

/** Adds objects to the seed, e.g. admin default rule-group and dashboard ConfigMaps. */
export type SeedExtension = (ctx: SeedExtensionContext) => void;

/** Arguments of {@link SeedMla}. */
export interface SeedMlaArgs {
    /** The plain-data plan (see `defaultSeedPlan()`). */
    plan: SeedPlan;
    /** Credentials of an external S3 endpoint; required when `plan.objectStore.kind` is "s3". */
    s3Credentials?: S3Credentials;
    /**
     * Hook for the admin default rule groups and the default dashboards: each extension creates
     * labelled ConfigMaps in the MLA namespace. Defaults to none.
     */
    defaultContent?: SeedExtension[];
    /**
     * The NetworkPolicy that admits only MLA pods and gateways to the backends (see
     * `network-policies.ts`). Defaults to enabled with no extra namespaces.
     */
    networkPolicy?: MlaNetworkPolicyOptions;
}

/** Every problem with the args, in one list. */
export function seedMlaProblems(args: SeedMlaArgs): string[] {
    const { plan } = args;
    const problems: string[] = [];
    for (const [what, ns] of [
        ["namespace", plan.namespace],
        ["grafana.namespace", plan.grafana.namespace],
    ] as const) {
        if (!isDnsLabel(ns)) problems.push(`${what} "${ns}" is not a DNS-1123 label`);
    }
    for (const ns of args.networkPolicy?.extraIngressNamespaces ?? []) {
        if (!isDnsLabel(ns)) problems.push(`networkPolicy.extraIngressNamespaces: "${ns}" is not a DNS-1123 label`);
    }
    if (plan.objectStore.kind === "s3" && !args.s3Credentials)
        problems.push("an external S3 endpoint needs s3Credentials");
    if (plan.cortex.replicas.ingester < plan.cortex.replicationFactor) {
        problems.push(
            `cortex ingester replicas (${plan.cortex.replicas.ingester}) must be at least the replication factor (${plan.cortex.replicationFactor})`,
        );
    }
    if (plan.loki.replicas.ingester < plan.loki.replicationFactor) {
        problems.push(
            `loki ingester replicas (${plan.loki.replicas.ingester}) must be at least the replication factor (${plan.loki.replicationFactor})`,
        );
    }
    problems.push(...grafanaPlanProblems(plan.grafana).map((p) => `${p.path} ${p.message}`));
    return problems;
}

/** The central MLA backends of a seed. */
export class SeedMla extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly endpoints: SeedEndpoints;
    readonly delivery: TenantDelivery;
    /** The Grafana admin password (secret). */
    readonly grafanaAdminPassword: pulumi.Output<string>;
    /** Object-store credentials (secret). */
    readonly objectStoreAccessKeyId: pulumi.Output<string>;
    readonly objectStoreSecretAccessKey: pulumi.Output<string>;

    constructor(name: string, args: SeedMlaArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mla:seed:SeedMla", name, {}, opts);
        const problems = seedMlaProblems(args);
        rejectInvalidArgs(this, "SeedMla", name, problems);
        const { plan } = args;
        this.endpoints = seedEndpoints(SEED_CHARTS, plan.namespace, plan.grafana.namespace);
        this.delivery = tenantDelivery(plan.namespace);

        // Every pod of every chart runs with the restricted security context (the chart suite
        // checks each rendered pod), so the namespaces enforce it: nothing weaker can be scheduled.
        const podSecurity = podSecurityLabels("restricted");
        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, seedNamespaceArgs(plan.namespace, podSecurity), {
            parent: this,
        });
        this.namespace = ns.metadata.name;
        if (args.networkPolicy?.enabled ?? true) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-network-policy`,
                mlaNetworkPolicyArgs(this.namespace, args.networkPolicy?.extraIngressNamespaces ?? []),
                { parent: this },
            );
        }
        let grafanaNs: pulumi.Output<string> = this.namespace;
        const grafanaDeps: pulumi.Resource[] = [ns];
        if (plan.grafana.namespace !== plan.namespace) {
            const g = new k8s.core.v1.Namespace(
                `${name}-grafana-namespace`,
                seedNamespaceArgs(plan.grafana.namespace, podSecurity),
                { parent: this },
            );
            grafanaNs = g.metadata.name;
            grafanaDeps.push(g);
        }

        const store = new ObjectStore(
            `${name}-object-store`,
            { namespace: this.namespace, plan, credentials: args.s3Credentials },
            { parent: this },
        );
        const merger = new OverridesMerger(
            `${name}-overrides-merger`,
            {
                namespace: this.namespace,
                namespaceName: plan.namespace,
                intervalSeconds: plan.overridesSyncSeconds,
                resources: plan.sizing.resources.overridesMerger.merger,
                targets: [
                    {
                        backend: "cortex",
                        fragmentLabels: TENANT_DELIVERY_CONVENTIONS.cortexOverrides.labels,
                        fragmentKey: TENANT_DELIVERY_CONVENTIONS.cortexOverrides.dataKey,
                        tenantLabel: TENANT_ID_LABEL,
                        configMap: SEED_OBJECT_NAMES.cortexRuntimeConfigMap,
                        key: SEED_OBJECT_NAMES.cortexRuntimeKey,
                    },
                    {
                        backend: "loki",
                        fragmentLabels: TENANT_DELIVERY_CONVENTIONS.lokiOverrides.labels,
                        fragmentKey: TENANT_DELIVERY_CONVENTIONS.lokiOverrides.dataKey,
                        tenantLabel: TENANT_ID_LABEL,
                        configMap: SEED_OBJECT_NAMES.lokiRuntimeConfigMap,
                        key: SEED_OBJECT_NAMES.lokiRuntimeKey,
                    },
                ],
            },
            { parent: this, dependsOn: [ns] },
        );
        const backendDeps = [store, ...Object.values(merger.runtimeConfigMaps)];
        pinnedChart(
            `${name}-cortex`,
            { ref: SEED_CHARTS.cortex, namespace: this.namespace, values: cortexValues(plan) },
            {
                parent: this,
                dependsOn: backendDeps,
            },
        );
        pinnedChart(
            `${name}-loki`,
            { ref: SEED_CHARTS.loki, namespace: this.namespace, values: lokiValues(plan) },
            {
                parent: this,
                dependsOn: backendDeps,
            },
        );
        const grafana = new Grafana(
            `${name}-grafana`,
            { namespace: grafanaNs, plan },
            { parent: this, dependsOn: grafanaDeps },
        );
        for (const extension of args.defaultContent ?? []) {
            extension({ parent: this, namespace: plan.namespace, delivery: this.delivery, dependsOn: [ns] });
        }

        this.grafanaAdminPassword = grafana.adminPassword;
        this.objectStoreAccessKeyId = store.accessKeyId;
        this.objectStoreSecretAccessKey = store.secretAccessKey;
        this.registerOutputs({
            namespace: this.namespace,
            grafanaAdminPassword: this.grafanaAdminPassword,
            objectStoreAccessKeyId: this.objectStoreAccessKeyId,
            objectStoreSecretAccessKey: this.objectStoreSecretAccessKey,
        });
    }
}
