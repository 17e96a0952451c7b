/**
 * Grafana for the seed: the admin password from @pulumi/random in a Secret the chart reads
 * (`admin.existingSecret`), and the pinned chart with its sidecars.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SEED_CHARTS } from "./charts";
import { pinnedChart } from "./pinned-chart";
import { grafanaValues } from "./grafana-values";
import { grafanaAdminSecretArgs } from "./seed-objects";
import { type SeedPlan } from "../../spec/seed-plan";

/** The admin login name; the password is the secret part. */
export const GRAFANA_ADMIN_USER = "admin";

/** Arguments of {@link Grafana}. */
export interface GrafanaArgs {
    /** Grafana's namespace (as created by the seed). */
    namespace: pulumi.Input<string>;
    plan: SeedPlan;
}

/** The Grafana release and its admin Secret. */
export class Grafana extends pulumi.ComponentResource {
    /** The generated admin password, as a secret Output. */
    readonly adminPassword: pulumi.Output<string>;
    readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: GrafanaArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mla:seed:Grafana", name, {}, opts);
        const password = new random.RandomPassword(
            `${name}-admin-password`,
            { length: 32, special: false },
            { parent: this },
        );
        this.adminPassword = pulumi.secret(password.result);
        const secret = new k8s.core.v1.Secret(
            `${name}-admin`,
            grafanaAdminSecretArgs({
                namespace: args.namespace,
                user: GRAFANA_ADMIN_USER,
                password: this.adminPassword,
            }),
            { parent: this },
        );
        this.chart = pinnedChart(
            name,
            { ref: SEED_CHARTS.grafana, namespace: args.namespace, values: grafanaValues(args.plan) },
            {
                parent: this,
                dependsOn: [secret],
            },
        );
        this.registerOutputs({ adminPassword: this.adminPassword });
    }
}
