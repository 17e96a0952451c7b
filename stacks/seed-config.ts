/**
 * The seed stack's config loader: `mla:*` keys to {@link SeedSettings}, reporting every mistake
 * at once. Pure: it reads only through the {@link ConfigReader} it is given.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MlaNetworkPolicyOptions } from "../components/seed/network-policies";
import type { S3Credentials } from "../components/seed/object-store";
import { cidrProblem } from "../components/seed/receiver-firewall";
import {
    type CortexReplicas,
    type LokiReplicas,
    type ResourceSpec,
    type SeedPlan,
    defaultSeedPlan,
} from "../components/seed/seed-plan";
import type { ConfigReader } from "./config-reader";
import { isDnsLabel } from "../components/validation";

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
                reader.problem(`${path}.${section}.${k}`, `must be cpu or memory with a quantity, got ${JSON.stringify(v)}`);
            }
        }
    }
    return value as ResourceSpec;
}

function replicas<T extends object>(reader: ConfigReader, path: string, defaults: T): T {
    const out = { ...defaults } as Record<string, number>;
    for (const [key, fallback] of Object.entries(defaults)) out[key] = reader.integer(`${path}.${key}`, fallback, { min: 1 });
    return out as T;
}

function resourceMap<K extends string>(reader: ConfigReader, path: string, keys: K[]): Partial<Record<K, ResourceSpec>> {
    const out: Partial<Record<K, ResourceSpec>> = {};
    for (const key of keys) {
        const r = resources(reader, `${path}.${key}`);
        if (r) out[key] = r;
    }
    return out;
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
            resources: resources(reader, "objectStore.minio.resources") ?? m.resources,
        };
    }

    const cortexRf = reader.integer("cortex.replicationFactor", d.cortex.replicationFactor, { min: 1 });
    const cortexReplicas = replicas<CortexReplicas>(reader, "cortex.replicas", d.cortex.replicas);
    if (cortexReplicas.ingester < cortexRf) {
        reader.problem("cortex.replicas.ingester", `must be at least cortex.replicationFactor (${cortexRf}), got ${cortexReplicas.ingester}`);
    }
    const lokiRf = reader.integer("loki.replicationFactor", d.loki.replicationFactor, { min: 1 });
    const lokiReplicas = replicas<LokiReplicas>(reader, "loki.replicas", d.loki.replicas);
    if (lokiReplicas.ingester < lokiRf) {
        reader.problem("loki.replicas.ingester", `must be at least loki.replicationFactor (${lokiRf}), got ${lokiReplicas.ingester}`);
    }
    const retention = reader.string("loki.retention", { default: d.loki.retention })!;
    if (!DURATION.test(retention)) reader.problem("loki.retention", `must be a duration such as 168h, got "${retention}"`);

    // Only an explicit Grafana namespace is checked; the inherited one was checked as mla:namespace.
    const explicitGrafanaNs = reader.string("grafana.namespace");
    const grafanaNs = explicitGrafanaNs === undefined ? namespace : dnsLabel(reader, "grafana.namespace", explicitGrafanaNs);
    let authProxy: SeedPlan["grafana"]["authProxy"];
    if (reader.boolean("grafana.authProxy.enabled", false)) {
        authProxy = {
            headerName: reader.string("grafana.authProxy.headerName", { default: "X-WEBAUTH-USER" })!,
            headerProperty: reader.oneOf("grafana.authProxy.headerProperty", ["username", "email"] as const, "username"),
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
        cortex: {
            replicationFactor: cortexRf,
            replicas: cortexReplicas,
            resources: resourceMap(reader, "cortex.resources", Object.keys(d.cortex.replicas) as (keyof CortexReplicas)[]),
        },
        loki: {
            replicationFactor: lokiRf,
            replicas: lokiReplicas,
            resources: resourceMap(reader, "loki.resources", Object.keys(d.loki.replicas) as (keyof LokiReplicas)[]),
            retention,
        },
        grafana: {
            namespace: grafanaNs,
            rootUrl: reader.string("grafana.rootUrl"),
            authProxy,
            resources: resources(reader, "grafana.resources") ?? {},
        },
        overridesSyncSeconds: reader.integer("overridesSyncSeconds", d.overridesSyncSeconds, { min: 5, max: 3600 }),
        receiverFirewall: {
            blockCidrNetworks: reader
                .stringList("receiverFirewall.blockCidrNetworks", d.receiverFirewall.blockCidrNetworks)
                .map((cidr, i) => {
                    if (cidrProblem(cidr)) {
                        reader.problem(`receiverFirewall.blockCidrNetworks[${i}]`, `must be a CIDR such as 100.64.0.0/10 or fd00::/8, got "${cidr}"`);
                    }
                    return cidr;
                }),
        },
    };
    const networkPolicy = {
        enabled: reader.boolean("networkPolicy.enabled", true),
        extraIngressNamespaces: reader
            .stringList("networkPolicy.extraIngressNamespaces")
            .map((ns, i) => dnsLabel(reader, `networkPolicy.extraIngressNamespaces[${i}]`, ns)),
    };
    const kubeconfig = reader.secret("seedKubeconfig", { required: false });
    const kubeContext = reader.string("seedContext");
    reader.done();
    return { plan, kubeconfig, kubeContext, s3Credentials, networkPolicy };
}
