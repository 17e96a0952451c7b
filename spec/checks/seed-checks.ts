/**
 * Checks of a seed plan across its fields (pure), with the `mla:` path each is about: what the
 * plan's schema (`seed-plan.ts`) cannot say alone. The seed config loader and the `SeedMla`
 * component both run them.
 */
import type { SeedPlan } from "../seed-plan";
import type { SpecProblem } from "../schema-problems";
import { cidrProblem } from "./cidr";

/** A Kubernetes object name (DNS-1123 subdomain), for the database password's Secret. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Every problem with Grafana's replicas and state (pure), with the `grafana.*` path it is about.
 * More than one replica needs an external database: each replica would otherwise keep its own
 * SQLite file, and a ReadWriteOnce volume cannot be shared.
 */
export function grafanaPlanProblems(g: SeedPlan["grafana"]): SpecProblem[] {
    const problems: SpecProblem[] = [];
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

/** Everything else across fields: the S3 endpoint, MinIO's erasure set, replication, the firewall's CIDRs. */
export function seedPlanProblems(plan: SeedPlan): SpecProblem[] {
    const problems: SpecProblem[] = [];
    const store = plan.objectStore;
    if (store.kind === "s3" && store.endpoint === "")
        problems.push({ path: "objectStore.endpoint", message: "is required" });
    if (store.kind === "s3" && /^[a-z]+:\/\//i.test(store.endpoint)) {
        problems.push({
            path: "objectStore.endpoint",
            message: `must be host[:port] without a scheme, got "${store.endpoint}"`,
        });
    }
    if (store.kind === "minio" && store.mode === "distributed" && store.replicas < 4) {
        problems.push({
            path: "objectStore.minio.replicas",
            message: `must be at least 4 in distributed mode, got ${store.replicas}`,
        });
    }
    for (const backend of ["cortex", "loki"] as const) {
        const { replicationFactor, replicas } = plan[backend];
        if (replicas.ingester < replicationFactor) {
            problems.push({
                path: `${backend}.replicas.ingester`,
                message: `must be at least ${backend}.replicationFactor (${replicationFactor}), got ${replicas.ingester}`,
            });
        }
    }
    plan.receiverFirewall.blockCidrNetworks.forEach((cidr, i) => {
        if (cidrProblem(cidr)) {
            problems.push({
                path: `receiverFirewall.blockCidrNetworks[${i}]`,
                message: `must be a CIDR such as 100.64.0.0/10 or fd00::/8, got "${cidr}"`,
            });
        }
    });
    problems.push(...grafanaPlanProblems(plan.grafana));
    return problems;
}

/** The extra namespaces the MLA namespace's NetworkPolicy admits: never the MLA or Grafana namespace. */
export function extraIngressProblems(plan: SeedPlan, namespaces: readonly string[]): SpecProblem[] {
    // A namespace peer admits every pod of it: Grafana's would reach the backends directly.
    return namespaces.flatMap((ns, i) =>
        ns === plan.grafana.namespace || ns === plan.namespace
            ? [
                  {
                      path: `networkPolicy.extraIngressNamespaces[${i}]`,
                      message: `must not be the MLA or Grafana namespace ("${ns}"): Grafana would reach the backends without a gateway`,
                  },
              ]
            : [],
    );
}
