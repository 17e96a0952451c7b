/**
 * The seed stack's config loader: `mla:*` keys to {@link SeedSettings}, reporting every mistake
 * at once. Pure: it reads only through the {@link ConfigReader} it is given.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MlaNetworkPolicyOptions } from "../components/seed/network-policies";
import type { S3Credentials } from "../components/seed/object-store";
import { cidrProblem } from "../components/seed/receiver-firewall";
import { grafanaPlanProblems } from "../components/seed/grafana";
import {
    type CortexReplicas,
    GRAFANA_DATABASE_TYPES,
    type GrafanaDatabase,
    type LokiReplicas,
    type SeedPlan,
    defaultSeedPlan,
} from "../components/seed/seed-plan";
import {
    CACHES,
    type CacheName,
    type CacheSize,
    DEFAULT_SIZING_PROFILE,
    SIZED_CONTAINERS,
    SIZING_PROFILES,
    type SizedBackend,
    type ResourceSpec,
    type SizingOverrides,
    resolveSizing,
} from "../components/seed/sizing";
import type { ConfigReader } from "./config-reader";
import { loadGrafanaOAuth } from "./seed-oauth-config";
import { isDnsLabel } from "../spec/validation";

/** Everything the seed program needs. */
export interface SeedSettings {
    plan: SeedPlan;
    /** Kubeconfig of the seed (`mla:seedKubeconfig`, secret); the ambient one when unset. */
    kubeconfig?: pulumi.Output<string>;
    /** Context within the kubeconfig (`mla:seedContext`). */
    kubeContext?: string;
    /** External S3 credentials (`mla:s3AccessKeyId`, `mla:s3SecretAccessKey`), when `objectStore.type` is s3. */
    s3Credentials?: S3Credentials;
    /**
     * The MLA namespace's NetworkPolicy (enabled when unset): `mla:networkPolicy.enabled` (default true) and
     * `mla:networkPolicy.extraIngressNamespaces` (namespaces, e.g. a seed Prometheus's, whose pods
     * may also reach the backends).
     */
    networkPolicy?: MlaNetworkPolicyOptions;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;

function dnsLabel(reader: ConfigReader, path: string, value: string): string {
    if (!isDnsLabel(value)) reader.problem(path, `must be a DNS-1123 label, got "${value}"`);
    return value;
}

/** A resources object: only `requests`/`limits` with `cpu`/`memory` quantities. */
function resources(reader: ConfigReader, path: string): ResourceSpec | undefined {
    const value = reader.object(path);
    if (value === undefined) return undefined;
    for (const [section, inner] of Object.entries(value)) {
        if (section !== "requests" && section !== "limits") {
            reader.problem(`${path}.${section}`, "is not a resources field (requests, limits)");
            continue;
        }
        if (typeof inner !== "object" || inner === null) {
            reader.problem(`${path}.${section}`, "must be an object");
            continue;
        }
        for (const [k, v] of Object.entries(inner)) {
            if ((k !== "cpu" && k !== "memory") || typeof v !== "string" || !QUANTITY.test(v)) {
                reader.problem(
                    `${path}.${section}.${k}`,
                    `must be cpu or memory with a quantity, got ${JSON.stringify(v)}`,
                );
            }
        }
    }
    return value as ResourceSpec;
}

/** Resource keys that moved into `mla:sizing.resources`: reading them still, to say so rather than ignore them. */
const MOVED_RESOURCE_KEYS: [string, string][] = [
    ["objectStore.minio.resources", "sizing.resources.minio.minio"],
    ["cortex.resources", "sizing.resources.cortex.<component>"],
    ["loki.resources", "sizing.resources.loki.<component>"],
    ["grafana.resources", "sizing.resources.grafana.grafana"],
];

/** `mla:sizing`: a profile and overrides of any container's resources or any cache's size. */
function sizing(reader: ConfigReader): SeedPlan["sizing"] {
    for (const key of Object.keys(reader.object("sizing") ?? {})) {
        if (!["profile", "resources", "caches"].includes(key))
            reader.problem(`sizing.${key}`, "is not a sizing key (profile, resources, caches)");
    }
    const profile = reader.oneOf("sizing.profile", SIZING_PROFILES, DEFAULT_SIZING_PROFILE);
    const overrides: Required<SizingOverrides> = { resources: {}, caches: {} };
    for (const backend of Object.keys(reader.object("sizing.resources") ?? {})) {
        if (!(backend in SIZED_CONTAINERS)) {
            reader.problem(
                `sizing.resources.${backend}`,
                `is not a sized backend (${Object.keys(SIZED_CONTAINERS).join(", ")})`,
            );
            continue;
        }
        const known = SIZED_CONTAINERS[backend as SizedBackend] as readonly string[];
        const out: Record<string, ResourceSpec> = {};
        for (const container of Object.keys(reader.object(`sizing.resources.${backend}`) ?? {})) {
            if (!known.includes(container)) {
                reader.problem(
                    `sizing.resources.${backend}.${container}`,
                    `is not a ${backend} container (${known.join(", ")})`,
                );
                continue;
            }
            const spec = resources(reader, `sizing.resources.${backend}.${container}`);
            if (spec) out[container] = spec;
        }
        (overrides.resources as Record<string, Record<string, ResourceSpec>>)[backend] = out;
    }
    for (const name of Object.keys(reader.object("sizing.caches") ?? {})) {
        if (!(CACHES as readonly string[]).includes(name)) {
            reader.problem(`sizing.caches.${name}`, `is not a cache (${CACHES.join(", ")})`);
            continue;
        }
        const path = `sizing.caches.${name}`;
        const size: Partial<CacheSize> = {};
        if (reader.raw(`${path}.memoryMiB`) !== undefined)
            size.memoryMiB = reader.integer(`${path}.memoryMiB`, 0, { min: 16 });
        const cpu = reader.string(`${path}.cpu`);
        if (cpu !== undefined) {
            if (!QUANTITY.test(cpu)) reader.problem(`${path}.cpu`, `must be a CPU quantity, got "${cpu}"`);
            size.cpu = cpu;
        }
        overrides.caches[name as CacheName] = size;
    }
    for (const [from, to] of MOVED_RESOURCE_KEYS) {
        if (reader.raw(from) !== undefined)
            reader.problem(from, `moved to mla:${to} (see docs/seed-production.md, "Sizing")`);
    }
    return resolveSizing(profile, overrides);
}

/** `mla:grafana.database`, when set: type, host, name, user and the password's Secret. */
function grafanaDatabase(reader: ConfigReader): GrafanaDatabase | undefined {
    const given = reader.object("grafana.database");
    if (given === undefined) return undefined;
    const known = ["type", "host", "name", "user", "passwordSecret", "sslMode"];
    for (const key of Object.keys(given).filter((k) => !known.includes(k))) {
        const hint = /password/i.test(key) ? "; the password belongs in a Secret named by passwordSecret" : "";
        reader.problem(`grafana.database.${key}`, `is not a database key (${known.join(", ")})${hint}`);
    }
    const type = reader.string("grafana.database.type", { required: true });
    if (type !== "" && !(GRAFANA_DATABASE_TYPES as readonly string[]).includes(type)) {
        reader.problem("grafana.database.type", `must be one of ${GRAFANA_DATABASE_TYPES.join(", ")}, got "${type}"`);
    }
    return {
        type: type as GrafanaDatabase["type"],
        host: reader.string("grafana.database.host", { required: true }),
        name: reader.string("grafana.database.name", { required: true }),
        user: reader.string("grafana.database.user", { required: true }),
        passwordSecret: {
            name: reader.string("grafana.database.passwordSecret.name", { required: true }),
            key: reader.string("grafana.database.passwordSecret.key", { required: true }),
        },
        sslMode: reader.string("grafana.database.sslMode"),
    };
}

function replicas<T extends object>(reader: ConfigReader, path: string, defaults: T): T {
    const out = { ...defaults } as Record<string, number>;
    for (const [key, fallback] of Object.entries(defaults))
        out[key] = reader.integer(`${path}.${key}`, fallback, { min: 1 });
    return out as T;
}

/** Reads and checks the seed stack config; throws one `ConfigError` listing every problem. */
export function loadSeedSettings(reader: ConfigReader): SeedSettings {
    const d = defaultSeedPlan();
    const namespace = dnsLabel(reader, "namespace", reader.string("namespace", { default: d.namespace })!);
    const storeType = reader.oneOf("objectStore.type", ["minio", "s3"] as const, "minio");

    let objectStore: SeedPlan["objectStore"];
    let s3Credentials: S3Credentials | undefined;
    if (storeType === "s3") {
        const endpoint = reader.string("objectStore.endpoint", { required: true });
        if (endpoint !== "" && /^[a-z]+:\/\//i.test(endpoint)) {
            reader.problem("objectStore.endpoint", `must be host[:port] without a scheme, got "${endpoint}"`);
        }
        objectStore = {
            kind: "s3",
            endpoint,
            region: reader.string("objectStore.region", { default: "us-east-1" })!,
            insecure: reader.boolean("objectStore.insecure", false),
        };
        const hint = "required when mla:objectStore.type is s3; set it with --secret";
        const accessKeyId = reader.secret("s3AccessKeyId", { required: true, hint });
        const secretAccessKey = reader.secret("s3SecretAccessKey", { required: true, hint });
        if (accessKeyId && secretAccessKey) s3Credentials = { accessKeyId, secretAccessKey };
    } else {
        const m = d.objectStore as Extract<SeedPlan["objectStore"], { kind: "minio" }>;
        const mode = reader.oneOf("objectStore.minio.mode", ["distributed", "standalone"] as const, m.mode);
        const count = reader.integer("objectStore.minio.replicas", m.replicas, { min: 1 });
        if (mode === "distributed" && count < 4) {
            reader.problem("objectStore.minio.replicas", `must be at least 4 in distributed mode, got ${count}`);
        }
        objectStore = {
            kind: "minio",
            mode,
            replicas: count,
            volumeSize: reader.string("objectStore.minio.volumeSize", { default: m.volumeSize })!,
            storageClass: reader.string("objectStore.minio.storageClass"),
        };
    }

    const cortexRf = reader.integer("cortex.replicationFactor", d.cortex.replicationFactor, { min: 1 });
    const cortexReplicas = replicas<CortexReplicas>(reader, "cortex.replicas", d.cortex.replicas);
    if (cortexReplicas.ingester < cortexRf) {
        reader.problem(
            "cortex.replicas.ingester",
            `must be at least cortex.replicationFactor (${cortexRf}), got ${cortexReplicas.ingester}`,
        );
    }
    const lokiRf = reader.integer("loki.replicationFactor", d.loki.replicationFactor, { min: 1 });
    const lokiReplicas = replicas<LokiReplicas>(reader, "loki.replicas", d.loki.replicas);
    if (lokiReplicas.ingester < lokiRf) {
        reader.problem(
            "loki.replicas.ingester",
            `must be at least loki.replicationFactor (${lokiRf}), got ${lokiReplicas.ingester}`,
        );
    }
    const retention = reader.string("loki.retention", { default: d.loki.retention })!;
    if (!DURATION.test(retention))
        reader.problem("loki.retention", `must be a duration such as 168h, got "${retention}"`);

    // Only an explicit Grafana namespace is checked; the inherited one was checked as mla:namespace.
    const explicitGrafanaNs = reader.string("grafana.namespace");
    const grafanaNs =
        explicitGrafanaNs === undefined ? namespace : dnsLabel(reader, "grafana.namespace", explicitGrafanaNs);
    let authProxy: SeedPlan["grafana"]["authProxy"];
    if (reader.boolean("grafana.authProxy.enabled", false)) {
        authProxy = {
            headerName: reader.string("grafana.authProxy.headerName", { default: "X-WEBAUTH-USER" })!,
            headerProperty: reader.oneOf(
                "grafana.authProxy.headerProperty",
                ["username", "email"] as const,
                "username",
            ),
            autoSignUp: reader.boolean("grafana.authProxy.autoSignUp", true),
            whitelist: reader.stringList("grafana.authProxy.whitelist"),
        };
    }

    const plan: SeedPlan = {
        namespace,
        objectStore,
        buckets: {
            metrics: reader.string("buckets.metrics", { default: d.buckets.metrics })!,
            logs: reader.string("buckets.logs", { default: d.buckets.logs })!,
        },
        cortex: { replicationFactor: cortexRf, replicas: cortexReplicas },
        loki: { replicationFactor: lokiRf, replicas: lokiReplicas, retention },
        grafana: {
            namespace: grafanaNs,
            rootUrl: reader.string("grafana.rootUrl"),
            authProxy,
            oauth: loadGrafanaOAuth(reader),
            replicas: reader.integer("grafana.replicas", d.grafana.replicas, { min: 1 }),
            persistence: {
                size: reader.string("grafana.persistence.size", { default: d.grafana.persistence.size })!,
                storageClass: reader.string("grafana.persistence.storageClass"),
            },
            database: grafanaDatabase(reader),
        },
        sizing: sizing(reader),
        overridesSyncSeconds: reader.integer("overridesSyncSeconds", d.overridesSyncSeconds, { min: 5, max: 3600 }),
        receiverFirewall: {
            blockCidrNetworks: reader
                .stringList("receiverFirewall.blockCidrNetworks", d.receiverFirewall.blockCidrNetworks)
                .map((cidr, i) => {
                    if (cidrProblem(cidr)) {
                        reader.problem(
                            `receiverFirewall.blockCidrNetworks[${i}]`,
                            `must be a CIDR such as 100.64.0.0/10 or fd00::/8, got "${cidr}"`,
                        );
                    }
                    return cidr;
                }),
        },
    };
    // The same checks as the component; missing values and bad replica numbers were reported above.
    for (const p of grafanaPlanProblems(plan.grafana)) {
        if (p.message !== "is required" && (p.path !== "grafana.replicas" || plan.grafana.replicas >= 1))
            reader.problem(p.path, p.message);
    }
    const networkPolicy = {
        enabled: reader.boolean("networkPolicy.enabled", true),
        extraIngressNamespaces: reader
            .stringList("networkPolicy.extraIngressNamespaces")
            .map((ns, i) => dnsLabel(reader, `networkPolicy.extraIngressNamespaces[${i}]`, ns)),
    };
    networkPolicy.extraIngressNamespaces.forEach((ns, i) => {
        // A namespace peer admits every pod of it: Grafana's would reach the backends directly.
        if (ns === grafanaNs || ns === namespace) {
            reader.problem(
                `networkPolicy.extraIngressNamespaces[${i}]`,
                `must not be the MLA or Grafana namespace ("${ns}"): Grafana would reach the backends without a gateway`,
            );
        }
    });
    const kubeconfig = reader.secret("seedKubeconfig", { required: false });
    const kubeContext = reader.string("seedContext");
    reader.done();
    return { plan, kubeconfig, kubeContext, s3Credentials, networkPolicy };
}
