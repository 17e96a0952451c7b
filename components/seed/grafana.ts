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
import type { SeedPlan } from "./seed-plan";

/** One problem with the Grafana part of a plan: the config path it is about and what is wrong. */
export interface GrafanaPlanProblem {
    path: string;
    message: string;
}

/** A Kubernetes object name (DNS-1123 subdomain), for the database password's Secret. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Every problem with Grafana's replicas and state (pure), with the `grafana.*` path it is about.
 * More than one replica needs an external database: each replica would otherwise keep its own
 * SQLite file, and a ReadWriteOnce volume cannot be shared.
 */
export function grafanaPlanProblems(g: SeedPlan["grafana"]): GrafanaPlanProblem[] {
    const problems: GrafanaPlanProblem[] = [];
    if (!Number.isInteger(g.replicas) || g.replicas < 1) {
        problems.push({ path: "grafana.replicas", message: `must be a whole number of at least 1, got ${g.replicas}` });
    } else if (g.replicas > 1 && !g.database) {
        problems.push({
            path: "grafana.replicas",
            message: `is ${g.replicas}, but more than one replica needs grafana.database (PostgreSQL or MySQL); SQLite on a volume serves one replica`,
        });
    }
    const db = g.database;
    if (db) {
        for (const field of ["host", "name", "user"] as const) {
            if (db[field].trim() === "") problems.push({ path: `grafana.database.${field}`, message: "is required" });
        }
        if (/^[a-z]+:\/\//i.test(db.host)) {
            problems.push({
                path: "grafana.database.host",
                message: `must be host[:port] without a scheme, got "${db.host}"`,
            });
        }
        if (db.passwordSecret.name === "") {
            problems.push({ path: "grafana.database.passwordSecret.name", message: "is required" });
        } else if (!SECRET_NAME.test(db.passwordSecret.name)) {
            problems.push({
                path: "grafana.database.passwordSecret.name",
                message: `must name a Secret in Grafana's namespace, got "${db.passwordSecret.name}"`,
            });
        }
        if (db.passwordSecret.key.trim() === "")
            problems.push({ path: "grafana.database.passwordSecret.key", message: "is required" });
    }
    return problems;
}

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
