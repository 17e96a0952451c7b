/**
 * The seed program: one `SeedMla` on the seed cluster, through an explicit Kubernetes provider
 * (never the ambient default provider), and the outputs cluster stacks read.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { SeedMla, type SeedExtension } from "../components/seed/seed-mla";
import { defaultLogRuleGroups, defaultMetricRuleGroups } from "../components/seed-defaults/default-rule-groups";
import { seedDefaultsExtension } from "../components/seed-defaults/seed-defaults";
import type { SeedSettings } from "./seed-config";
import { seedOutputs } from "./seed-outputs";

/**
 * Runs the seed program; returns the stack outputs. The seed always delivers the default
 * Kubernetes dashboards and publishes the admin default rule groups, which every cluster stack
 * applies to its tenant; `extraContent` adds more labelled objects.
 */
export function seedProgram(
    settings: SeedSettings,
    extraContent: SeedExtension[] = [],
): Record<string, pulumi.Output<unknown> | unknown> {
    const adminMetricRuleGroups = defaultMetricRuleGroups();
    const adminLogRuleGroups = defaultLogRuleGroups();
    const defaultContent = [seedDefaultsExtension({ adminMetricRuleGroups, adminLogRuleGroups }), ...extraContent];
    const provider = new k8s.Provider("seed", {
        // Unset kubeconfig means the ambient one (KUBECONFIG or ~/.kube/config), named explicitly here.
        kubeconfig: settings.kubeconfig,
        context: settings.kubeContext,
    });
    const seed = new SeedMla(
        "seed",
        {
            plan: settings.plan,
            s3Credentials: settings.s3Credentials,
            defaultContent,
            networkPolicy: settings.networkPolicy,
        },
        { providers: { kubernetes: provider } },
    );
    return seedOutputs(seed, settings.plan.grafana.namespace, {
        metric: adminMetricRuleGroups,
        log: adminLogRuleGroups,
    });
}
