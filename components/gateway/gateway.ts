/**
 * `Gateway`: one user cluster's MLA gateway in the seed, in the namespace `cluster-<id>`.
 *
 * It creates the nginx Deployment (≥ 2 replicas with a PDB, or one replica without a PDB when
 * explicitly allowed; restricted pod security), the ConfigMap with `renderNginxConfig`'s output,
 * the TLS Secret, the read-token Secret, the external write Service and the internal read
 * Service, and a NetworkPolicy that lets only Grafana reach the read listener (see
 * `network-policy.ts`). It does not create the namespace: the cluster program owns `cluster-<id>` because the
 * tenant's other seed objects live there too (`clusterNamespace()` gives the name). The Kubernetes
 * provider comes from the parent or `opts`; the component never creates one.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    DEFAULT_SERVICE_TYPE,
    type GatewaySpec,
    type RateLimitSpec,
    type ResourceSpec,
    SERVICE_TYPES,
} from "../../spec/cluster-spec";
import { gatewayChecksum } from "./checksum";
import { DEFAULT_GATEWAY_RESOURCES, GATEWAY_IMAGE, gatewayDeploymentArgs, gatewayPdbArgs } from "./deployment";
import { OBJECT_NAMES, READ_SERVICE_PORT, clusterNamespace, inClusterConfigParams } from "./layout";
import { DEFAULT_LIMITS, type GatewayLimits, limitsProblems, renderNginxConfig } from "./nginx-config";
import { gatewayNetworkPolicyArgs } from "./network-policy";
import type { UpstreamUrls } from "./read-routes";
import { readServiceArgs, readTokenSecretArgs, readTokenSecretData, tlsSecretArgs, writeServiceArgs } from "./services";
import { isDnsLabel } from "../../spec/validation";
import { rejectInvalidArgs } from "../common/invalid-args";

/** Arguments of `Gateway`. */
export interface GatewayArgs {
    /** The tenant id; a DNS-1123 label. */
    clusterId: string;
    /** The seed namespace. Defaults to `cluster-<clusterId>`; it must exist (the cluster program creates it). */
    namespace?: pulumi.Input<string>;
    /**
     * Grafana's namespace (seed output `grafanaNamespace`): only Grafana's pods there may reach the
     * read listener, which adds the tenant header itself.
     */
    grafanaNamespace: pulumi.Input<string>;
    /** Upstream URLs, usually from the seed stack's outputs. */
    upstreams: { [K in keyof UpstreamUrls]: pulumi.Input<string> };
    /** PEMs from `ClusterPki`; the key stays secret. */
    tls: { caCertPem: pulumi.Input<string>; serverCertPem: pulumi.Input<string>; serverKeyPem: pulumi.Input<string> };
    /** The cluster's read token (`ClusterPki.readToken`, secret); the read listener requires it. */
    readToken: pulumi.Input<string>;
    /** `ClusterPki.generation`: part of the roll checksum, so a rotation always rolls the pods. Defaults to 0. */
    credentialsGeneration?: number;
    /** Write routes answer 503 with Retry-After. Defaults to false. */
    suspended?: boolean;
    /** Defaults to 2; fewer is refused unless `allowSingleReplica`. */
    replicas?: number;
    /** Allows `replicas: 1`, for development seeds only; a single replica gets no PDB (it would block drains). Defaults to false. */
    allowSingleReplica?: boolean;
    /** Type of the external write Service. Defaults to "LoadBalancer". */
    serviceType?: GatewaySpec["serviceType"];
    /** Annotations for the write Service (load-balancer settings). Defaults to none. */
    writeServiceAnnotations?: Record<string, string>;
    /** Defaults to `DEFAULT_LIMITS.metricsWrite` (per replica). */
    metricsWriteLimit?: RateLimitSpec;
    /** Defaults to `DEFAULT_LIMITS.logsWrite` (per replica). */
    logsWriteLimit?: RateLimitSpec;
    /** Defaults to `DEFAULT_LIMITS.query` (per replica). */
    queryLimit?: RateLimitSpec;
    /** Defaults to "16m". */
    maxBodySize?: string;
    /** Defaults to requests 50m/64Mi, limits 1 CPU/256Mi. */
    resources?: ResourceSpec;
    /** Defaults to `GATEWAY_IMAGE` (pinned). */
    image?: string;
}

/** Every problem with the plain-valued arguments (URLs are checked when they resolve). */
export function gatewayArgsProblems(args: GatewayArgs, limits: GatewayLimits): string[] {
    const problems: string[] = [];
    if (!isDnsLabel(args.clusterId)) problems.push(`clusterId: "${args.clusterId}" must be a DNS-1123 label`);
    const replicas = args.replicas ?? 2;
    const min = args.allowSingleReplica ? 1 : 2;
    if (!Number.isInteger(replicas) || replicas < min) {
        problems.push(
            `replicas: ${replicas} must be a whole number >= ${min}${min === 2 ? " (set allowSingleReplica for 1)" : ""}`,
        );
    }
    const type = args.serviceType ?? DEFAULT_SERVICE_TYPE;
    if (!(SERVICE_TYPES as readonly string[]).includes(type))
        problems.push(`serviceType: "${type}" must be one of ${SERVICE_TYPES.join(", ")}`);
    return [...problems, ...limitsProblems(limits, "gateway")];
}

/** One cluster's MLA gateway. */
export class Gateway extends pulumi.ComponentResource {
    /** The namespace the gateway lives in. */
    readonly namespace: pulumi.Output<string>;
    /** The rendered nginx.conf (the ConfigMap's content). */
    readonly config: pulumi.Output<string>;
    /** The pod-template checksum over config and certificates. */
    readonly checksum: pulumi.Output<string>;
    /** Name of the external write Service. */
    readonly writeServiceName: pulumi.Output<string>;
    /** The read listener's in-cluster base URL, for Grafana datasources. */
    readonly readUrl: pulumi.Output<string>;

    constructor(name: string, args: GatewayArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mla:gateway:Gateway", name, {}, opts);
        const limits: GatewayLimits = {
            metricsWrite: args.metricsWriteLimit ?? DEFAULT_LIMITS.metricsWrite,
            logsWrite: args.logsWriteLimit ?? DEFAULT_LIMITS.logsWrite,
            query: args.queryLimit ?? DEFAULT_LIMITS.query,
            maxBodySize: args.maxBodySize ?? DEFAULT_LIMITS.maxBodySize,
        };
        const problems = gatewayArgsProblems(args, limits);
        rejectInvalidArgs(this, "Gateway", name, problems);

        const namespace = pulumi.output(args.namespace ?? clusterNamespace(args.clusterId));
        // URLs usually come from a StackReference, so rendering (and URL validation) waits for them.
        const config = pulumi.output(args.upstreams).apply((upstreams) =>
            renderNginxConfig(
                inClusterConfigParams({
                    clusterId: args.clusterId,
                    upstreams,
                    limits,
                    suspended: args.suspended ?? false,
                }),
            ),
        );
        const credentialsGeneration = args.credentialsGeneration ?? 0;
        const checksum = pulumi
            .all([config, args.tls.caCertPem, args.tls.serverCertPem])
            .apply(([text, ca, cert]) =>
                gatewayChecksum({ config: text, caCertPem: ca, serverCertPem: cert, credentialsGeneration }),
            );

        const child = { parent: this };
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            { metadata: { name: OBJECT_NAMES.configMap, namespace }, data: { "nginx.conf": config } },
            child,
        );
        const secret = new k8s.core.v1.Secret(`${name}-tls`, tlsSecretArgs(args.clusterId, namespace, args.tls), child);
        const tokenSecret = new k8s.core.v1.Secret(
            `${name}-read-token`,
            readTokenSecretArgs(
                args.clusterId,
                namespace,
                pulumi.secret(pulumi.output(args.readToken).apply(readTokenSecretData)),
            ),
            child,
        );
        new k8s.apps.v1.Deployment(
            name,
            gatewayDeploymentArgs({
                clusterId: args.clusterId,
                namespace,
                replicas: args.replicas ?? 2,
                image: args.image ?? GATEWAY_IMAGE,
                resources: args.resources ?? DEFAULT_GATEWAY_RESOURCES,
                checksum,
            }),
            // The pods mount both; create them first so the first rollout does not wait on mounts.
            { parent: this, dependsOn: [configMap, secret, tokenSecret] },
        );
        // With one replica, `minAvailable: 1` would forbid every eviction and block node drains.
        if ((args.replicas ?? 2) >= 2) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, gatewayPdbArgs(args.clusterId, namespace), child);
        }
        const writeService = new k8s.core.v1.Service(
            `${name}-write`,
            writeServiceArgs(
                args.clusterId,
                namespace,
                args.serviceType ?? DEFAULT_SERVICE_TYPE,
                args.writeServiceAnnotations ?? {},
            ),
            child,
        );
        new k8s.core.v1.Service(`${name}-read`, readServiceArgs(args.clusterId, namespace), child);
        new k8s.networking.v1.NetworkPolicy(
            `${name}-network-policy`,
            gatewayNetworkPolicyArgs(args.clusterId, namespace, args.grafanaNamespace),
            child,
        );

        this.namespace = namespace;
        this.config = config;
        this.checksum = checksum;
        this.writeServiceName = writeService.metadata.name;
        this.readUrl = pulumi.interpolate`http://${OBJECT_NAMES.readService}.${namespace}.svc:${READ_SERVICE_PORT}`;
        this.registerOutputs({
            namespace: this.namespace,
            config: this.config,
            checksum: this.checksum,
            writeServiceName: this.writeServiceName,
            readUrl: this.readUrl,
        });
    }
}
