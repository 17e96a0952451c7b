/**
 * `SeedDefaults`: what the seed stack contributes to every tenant: the default Kubernetes
 * dashboards (a ConfigMap the Grafana dashboard sidecar loads into the main org, under the folder
 * "Kubernetes") and the admin default rule groups, which it exposes for the seed's stack outputs
 * so each cluster stack applies them to its tenant (see the Tenant component).
 *
 * Plug it into `SeedMla` through `defaultContent: [seedDefaultsExtension()]`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { SeedExtension } from "../seed/seed-mla";
import { ruleGroupProblems } from "../../spec/checks/rule-groups";
import { throwIfProblems } from "../tenant/tenant-error";
import { defaultLogRuleGroups, defaultMetricRuleGroups } from "./default-rule-groups";
import { defaultDashboardsConfigMapArgs } from "./seed-defaults-objects";
import { type RuleGroupSpec } from "../../spec/tenant-spec";

/** Arguments of {@link SeedDefaults}. */
export interface SeedDefaultsArgs {
    /** The seed's MLA namespace (where the Grafana sidecar looks). */
    namespace: pulumi.Input<string>;
    /** Admin metric groups. Defaults to `defaultMetricRuleGroups()`. */
    adminMetricRuleGroups?: RuleGroupSpec[];
    /** Admin log groups. Defaults to none. */
    adminLogRuleGroups?: RuleGroupSpec[];
    /** Grafana folder of the dashboards. Defaults to "Kubernetes". */
    dashboardFolder?: string;
}

/** The seed's default dashboards and admin rule groups. */
export class SeedDefaults extends pulumi.ComponentResource {
    /** Admin metric groups, for the seed output every cluster stack reads. */
    readonly adminMetricRuleGroups: RuleGroupSpec[];
    /** Admin log groups, for the seed output every cluster stack reads. */
    readonly adminLogRuleGroups: RuleGroupSpec[];
    readonly dashboards: k8s.core.v1.ConfigMap;

    constructor(name: string, args: SeedDefaultsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mla:seed:SeedDefaults", name, {}, opts);
        this.adminMetricRuleGroups = args.adminMetricRuleGroups ?? defaultMetricRuleGroups();
        this.adminLogRuleGroups = args.adminLogRuleGroups ?? defaultLogRuleGroups();
        throwIfProblems([
            ...ruleGroupProblems(this.adminMetricRuleGroups, "admin metric rule groups", "promql"),
            ...ruleGroupProblems(this.adminLogRuleGroups, "admin log rule groups", "logql"),
        ]);
        this.dashboards = new k8s.core.v1.ConfigMap(
            `${name}-dashboards`,
            defaultDashboardsConfigMapArgs(args.namespace, args.dashboardFolder ?? "Kubernetes"),
            { parent: this },
        );
        this.registerOutputs({
            adminMetricRuleGroups: this.adminMetricRuleGroups,
            adminLogRuleGroups: this.adminLogRuleGroups,
        });
    }
}

/** `SeedMla`'s hook: adds {@link SeedDefaults} to the seed's namespace. */
export function seedDefaultsExtension(args: Omit<SeedDefaultsArgs, "namespace"> = {}): SeedExtension {
    return (ctx) => {
        new SeedDefaults(
            "seed-defaults",
            { ...args, namespace: ctx.namespace },
            { parent: ctx.parent, dependsOn: ctx.dependsOn },
        );
    };
}
