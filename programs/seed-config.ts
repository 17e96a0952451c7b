/**
 * The seed stack's config loader: `mla:*` keys to {@link SeedSettings}, reporting every mistake
 * at once. Pure: it reads only through the {@link ConfigReader} it is given. The keys, their types
 * and bounds are the seed spec's schema (`spec/seed-spec.ts`); defaults are `defaultSeedPlan()`;
 * the checks across fields are `spec/checks/seed-checks.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MlaNetworkPolicyOptions } from "../components/seed/network-policies";
import type { S3Credentials } from "../components/seed/object-store";
import type { ConfigReader } from "./config-reader";
import { fromCliStrings, withoutPaths } from "./config-values";
import { loadGrafanaOAuth } from "./seed-oauth-config";
import { extraIngressProblems, seedPlanProblems } from "../spec/checks/seed-checks";
import { type GrafanaDatabase, type SeedPlan, defaultSeedPlan } from "../spec/seed-plan";
import { SeedConfig } from "../spec/seed-spec";
import { type SizingOverrides, resolveSizing } from "../spec/seed-sizing";
import { type SpecProblem, schemaProblems, sortBySchemaOrder } from "../spec/schema-problems";

/** Everything the seed program needs. */
export interface SeedSettings {
    plan: SeedPlan;
    /** Kubeconfig of the seed (`mla:seedKubeconfig`, secret); the ambient one when unset. */
    kubeconfig?: pulumi.Output<string>;
    /** Context within the kubeconfig (`mla:seedContext`). */
    kubeContext?: string;
    /** External S3 credentials (`mla:s3AccessKeyId`, `mla:s3SecretAccessKey`), when `objectStore.type` is s3. */
    s3Credentials?: S3Credentials;
    /** The MLA namespace's NetworkPolicy: `mla:networkPolicy.enabled` (default true) and extra namespaces. */
    networkPolicy?: MlaNetworkPolicyOptions;
}

/** Resource keys that moved into `mla:sizing.resources`: reading them still, to say so rather than ignore them. */
const MOVED_RESOURCE_KEYS: [string, string, string][] = [
    ["objectStore", "minio", "sizing.resources.minio.minio"],
    ["cortex", "", "sizing.resources.cortex.<component>"],
    ["loki", "", "sizing.resources.loki.<component>"],
    ["grafana", "", "sizing.resources.grafana.grafana"],
];

/** Where the S3 secrets' problems sort: with the object store they belong to. */
const SECRET_PLACES: Record<string, string> = {
    s3AccessKeyId: "objectStore.~s3AccessKeyId",
    s3SecretAccessKey: "objectStore.~s3SecretAccessKey",
};

/** A password pasted next to its Secret's name is pointed at the Secret (its value is never quoted). */
function withHint(p: SpecProblem & { kind?: string }): SpecProblem {
    if (p.kind !== "unknown" || !/^grafana\.database\.[^.]*password/i.test(p.path)) return p;
    return { ...p, message: `${p.message}; the password belongs in a Secret named by passwordSecret` };
}

/** Reads and checks the seed stack config; throws one `ConfigError` listing every problem. */
export function loadSeedSettings(reader: ConfigReader): SeedSettings {
    const problems: SpecProblem[] = [];
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(SeedConfig.properties)) {
        const value = reader.raw(key);
        if (value !== undefined && value !== "") raw[key] = value;
    }
    const given = fromCliStrings(SeedConfig, raw) as Record<string, Record<string, unknown> | undefined>;
    for (const [top, inner, to] of MOVED_RESOURCE_KEYS) {
        const holder = (inner === "" ? given[top] : given[top]?.[inner]) as Record<string, unknown> | undefined;
        if (typeof holder !== "object" || holder === null || holder.resources === undefined) continue;
        problems.push({
            path: [top, inner, "resources"].filter((p) => p !== "").join("."),
            message: `moved to mla:${to} (see docs/seed-production.md, "Sizing")`,
        });
        delete holder.resources;
    }
    const found = schemaProblems(SeedConfig, given);
    problems.push(...found.map(withHint));
    const config = withoutPaths(
        given,
        found.map((p) => p.path),
    ) as SeedConfig;

    let s3Credentials: S3Credentials | undefined;
    if (config.objectStore?.type === "s3") {
        const hint = "required when mla:objectStore.type is s3; set it with --secret";
        const accessKeyId = reader.secret("s3AccessKeyId", { required: false });
        const secretAccessKey = reader.secret("s3SecretAccessKey", { required: false });
        for (const [key, value] of [
            ["s3AccessKeyId", accessKeyId],
            ["s3SecretAccessKey", secretAccessKey],
        ] as const)
            if (value === undefined) problems.push({ path: SECRET_PLACES[key], message: `is required (${hint})` });
        if (accessKeyId && secretAccessKey) s3Credentials = { accessKeyId, secretAccessKey };
    }
    const plan = toPlan(config);
    plan.grafana.oauth = loadGrafanaOAuth(reader);
    // A field the schema refused, or one inside it, is not reported again in other words.
    const reported = found.map((p) => p.path);
    const known = (path: string) => reported.some((r) => path === r || path.startsWith(`${r}.`));
    for (const p of [
        ...seedPlanProblems(plan),
        ...extraIngressProblems(plan, config.networkPolicy?.extraIngressNamespaces ?? []),
    ])
        if (!known(p.path)) problems.push(p);
    for (const p of sortBySchemaOrder(SeedConfig, problems)) {
        const secret = Object.entries(SECRET_PLACES).find(([, place]) => place === p.path)?.[0];
        reader.problem(secret ?? p.path, p.message);
    }
    const kubeconfig = reader.secret("seedKubeconfig", { required: false });
    reader.done();
    return {
        plan,
        kubeconfig,
        kubeContext: config.seedContext,
        s3Credentials,
        networkPolicy: {
            enabled: config.networkPolicy?.enabled ?? true,
            extraIngressNamespaces: [...(config.networkPolicy?.extraIngressNamespaces ?? [])],
        },
    };
}

/** The database as given; a field the schema refused (reported already) reads as empty for the checks. */
function database(db: Partial<GrafanaDatabase>): GrafanaDatabase {
    return {
        type: db.type as GrafanaDatabase["type"],
        host: db.host ?? "",
        name: db.name ?? "",
        user: db.user ?? "",
        passwordSecret: { name: db.passwordSecret?.name ?? "", key: db.passwordSecret?.key ?? "" },
        sslMode: db.sslMode,
    };
}

/** The plan of a config the schema accepted: every field given, or its default. */
function toPlan(c: SeedConfig): SeedPlan {
    const d = defaultSeedPlan();
    const dm = d.objectStore as Extract<SeedPlan["objectStore"], { kind: "minio" }>;
    const store = c.objectStore ?? {};
    const namespace = c.namespace ?? d.namespace;
    const g = c.grafana ?? {};
    const proxy = g.authProxy;
    return {
        namespace,
        objectStore:
            store.type === "s3"
                ? {
                      kind: "s3",
                      endpoint: store.endpoint ?? "",
                      region: store.region ?? "us-east-1",
                      insecure: store.insecure ?? false,
                  }
                : {
                      kind: "minio",
                      mode: store.minio?.mode ?? dm.mode,
                      replicas: store.minio?.replicas ?? dm.replicas,
                      volumeSize: store.minio?.volumeSize ?? dm.volumeSize,
                      storageClass: store.minio?.storageClass,
                  },
        buckets: { ...d.buckets, ...c.buckets },
        cortex: {
            replicationFactor: c.cortex?.replicationFactor ?? d.cortex.replicationFactor,
            replicas: { ...d.cortex.replicas, ...c.cortex?.replicas },
        },
        loki: {
            replicationFactor: c.loki?.replicationFactor ?? d.loki.replicationFactor,
            replicas: { ...d.loki.replicas, ...c.loki?.replicas },
            retention: c.loki?.retention ?? d.loki.retention,
        },
        grafana: {
            namespace: g.namespace ?? namespace,
            rootUrl: g.rootUrl,
            authProxy:
                proxy?.enabled === true
                    ? {
                          headerName: proxy.headerName ?? "X-WEBAUTH-USER",
                          headerProperty: proxy.headerProperty ?? "username",
                          autoSignUp: proxy.autoSignUp ?? true,
                          whitelist: [...(proxy.whitelist ?? [])],
                      }
                    : undefined,
            oauth: undefined,
            replicas: g.replicas ?? d.grafana.replicas,
            persistence: {
                size: g.persistence?.size ?? d.grafana.persistence.size,
                storageClass: g.persistence?.storageClass,
            },
            database: g.database === undefined ? undefined : database(g.database),
        },
        sizing: resolveSizing(c.sizing?.profile, {
            resources: c.sizing?.resources,
            caches: c.sizing?.caches,
        } as SizingOverrides),
        overridesSyncSeconds: c.overridesSyncSeconds ?? d.overridesSyncSeconds,
        receiverFirewall: {
            blockCidrNetworks: [...(c.receiverFirewall?.blockCidrNetworks ?? d.receiverFirewall.blockCidrNetworks)],
        },
    };
}
