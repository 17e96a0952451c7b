/**
 * The cluster program: one user cluster's MLA. `index.ts` runs it for cluster stacks
 * (`pulumi up` by hand, spec from `loadClusterSpec`); the onboarding service runs it inline.
 *
 * Seed side (seed provider), in namespace `cluster-<id>`: the cluster's PKI and its gateway.
 * User-cluster side (user provider): the agents. Both providers are explicit and every component
 * gets its provider through `opts.providers`; no resource may fall back to the ambient default
 * provider (tested; stacks the service creates also set `pulumi:disable-default-providers:
 * [kubernetes]`, see `executors/automation/executor-automation.ts`, and `Pulumi.cluster-example.yaml` shows it
 * for stacks run by hand).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Agents } from "../components/agents/agents";
import { Tenant } from "../components/tenant/tenant";
import { ClusterPki } from "../components/pki/pki";
import { CERTIFICATE_NOT_AFTER_OUTPUT } from "../components/pki/pki-renewal";
import { READ_TOKEN_OUTPUT } from "../components/gateway/read-token";
import { Gateway } from "../components/gateway/gateway";
import { clusterNamespace } from "../components/gateway/layout";
import { clusterNamespaceLabels } from "../components/gateway/network-policy";
import type { UpstreamUrls } from "../components/gateway/read-routes";
import type { ClusterSpec } from "../spec/cluster-spec";
import { PROJECT_ORG_ID_OUTPUT, projectStackName } from "../spec/project-spec";
import { type RuleGroupSpec } from "../spec/tenant-spec";
import { type SeedOutputName } from "../spec/seed-contract";

/** The seed outputs the gateway forwards to (each a seed output name, checked by the compiler). */
const UPSTREAM_OUTPUTS = [
    "metricsPushUrl",
    "logsPushUrl",
    "metricsQueryUrl",
    "logsQueryUrl",
    "alertmanagerUrl",
    "metricsRulerUrl",
    "logsRulerUrl",
] as const satisfies readonly (keyof UpstreamUrls & SeedOutputName)[];

/** Every other seed output the cluster program reads. */
const SEED_READS = {
    namespace: "namespace",
    grafanaNamespace: "grafanaNamespace",
    metricsPurgerUrl: "metricsPurgerUrl",
    logsDeleteUrl: "logsDeleteUrl",
    adminMetricRuleGroups: "adminMetricRuleGroups",
    adminLogRuleGroups: "adminLogRuleGroups",
} as const satisfies Record<string, SeedOutputName>;

/**
 * The URL agents push to: the first external hostname on the write Service's port (443).
 * NodePort gateways need a load balancer or DNS in front that listens on 443.
 */
export function gatewayUrlOf(spec: ClusterSpec): string {
    return `https://${spec.gateway.externalHostnames[0]}`;
}

/**
 * The tenant's objects in the seed: Alertmanager config, owner and admin rule groups, limits and
 * retention, Grafana datasources (in the project's org) and, when asked, the purge on destroy.
 * The admin groups are the seed's: read as plain values, since the Tenant validates and renders
 * them before it creates anything. The org id is `seedApi.grafanaOrgId` when given, else the
 * project stack's output (`<seed stack>.<project>`, see `programs/project.ts`), which must exist.
 */
async function tenantFor(
    spec: ClusterSpec,
    seed: pulumi.StackReference,
    opts: pulumi.ComponentResourceOptions,
    readToken: pulumi.Output<string>,
): Promise<Tenant> {
    const api = spec.seedApi;
    const [adminMetric, adminLog] = await Promise.all([
        seed.getOutputValue(SEED_READS.adminMetricRuleGroups) as Promise<RuleGroupSpec[] | undefined>,
        seed.getOutputValue(SEED_READS.adminLogRuleGroups) as Promise<RuleGroupSpec[] | undefined>,
    ]);
    const orgId =
        api.grafanaOrgId ??
        new pulumi.StackReference("project", { name: projectStackName(spec.seedStack, spec.project) })
            .requireOutput(PROJECT_ORG_ID_OUTPUT)
            .apply(Number);
    return new Tenant(
        "tenant",
        {
            clusterId: spec.clusterId,
            project: spec.project,
            tenant: spec.tenant,
            namespace: seed.requireOutput(SEED_READS.namespace).apply(String),
            adminMetricRuleGroups: adminMetric,
            adminLogRuleGroups: adminLog,
            orgId,
            // The datasources carry the gateway's read token (secureJsonData).
            readToken,
            purge: spec.tenant.purgeOnDestroy
                ? {
                      cortexUrl: api.cortexPurgerUrl ?? seed.requireOutput(SEED_READS.metricsPurgerUrl).apply(String),
                      lokiUrl: api.lokiDeleteUrl ?? seed.requireOutput(SEED_READS.logsDeleteUrl).apply(String),
                  }
                : undefined,
        },
        opts,
    );
}

/** Runs the cluster program for `spec` (already resolved); returns the stack outputs, none secret. */
export async function clusterProgram(spec: ClusterSpec): Promise<Record<string, unknown>> {
    const id = spec.clusterId;
    const seedProvider = new k8s.Provider("seed", {
        kubeconfig: pulumi.secret(spec.seedKubeconfig),
        suppressDeprecationWarnings: true,
    });
    const userProvider = new k8s.Provider("user", {
        kubeconfig: pulumi.secret(spec.userKubeconfig),
        suppressDeprecationWarnings: true,
    });
    const onSeed = { providers: { kubernetes: seedProvider } };
    const onUser = { providers: { kubernetes: userProvider } };

    const seed = new pulumi.StackReference("seed", { name: spec.seedStack });
    const upstreams = Object.fromEntries(UPSTREAM_OUTPUTS.map((k) => [k, seed.requireOutput(k).apply(String)])) as {
        [K in keyof UpstreamUrls]: pulumi.Output<string>;
    };

    // The seed namespace for everything of this cluster: gateway, certificates, tenant config.
    const namespace = new k8s.core.v1.Namespace(
        "cluster-namespace",
        // The role label is what lets this namespace's gateway pods reach the backends (components/gateway/network-policy.ts).
        {
            metadata: {
                name: clusterNamespace(id),
                labels: { ...clusterNamespaceLabels(id), "mla.dev/cluster-id": id, "mla.dev/project": spec.project },
            },
        },
        { provider: seedProvider },
    );

    const pki = new ClusterPki(
        "pki",
        {
            clusterId: id,
            serverDnsNames: spec.gateway.externalHostnames,
            serverIpAddresses: spec.gateway.externalIps,
            validityHours: spec.pki.validityHours,
            earlyRenewalHours: spec.pki.earlyRenewalHours,
            generation: spec.pki.credentialsGeneration,
        },
        onSeed,
    );

    const tenant = await tenantFor(spec, seed, onSeed, pki.readToken);

    // On destroy the gateway goes first, so writes have stopped before the purge deletes the data.
    const gateway = new Gateway(
        "gateway",
        {
            clusterId: id,
            namespace: namespace.metadata.name,
            grafanaNamespace: seed.requireOutput(SEED_READS.grafanaNamespace).apply(String),
            upstreams,
            tls: { caCertPem: pki.caCertPem, serverCertPem: pki.serverCertPem, serverKeyPem: pki.serverKeyPem },
            readToken: pki.readToken,
            credentialsGeneration: pki.generation,
            suspended: spec.suspended,
            replicas: spec.gateway.replicas,
            // One replica is accepted only when the spec asks for it explicitly (development seeds).
            allowSingleReplica: spec.gateway.allowSingleReplica,
            serviceType: spec.gateway.serviceType,
            metricsWriteLimit: spec.gateway.metricsWriteLimit,
            logsWriteLimit: spec.gateway.logsWriteLimit,
            queryLimit: spec.gateway.queryLimit,
            maxBodySize: spec.gateway.maxBodySize,
        },
        { ...onSeed, dependsOn: tenant.purge ? [tenant.purge] : [] },
    );

    const agents = new Agents(
        "agents",
        {
            clusterId: id,
            gatewayUrl: gatewayUrlOf(spec),
            tls: {
                caCertPem: pki.caCertPem,
                metricsClientCertPem: pki.metricsClientCertPem,
                metricsClientKeyPem: pki.metricsClientKeyPem,
                logsClientCertPem: pki.logsClientCertPem,
                logsClientKeyPem: pki.logsClientKeyPem,
            },
            // A rotation rolls the agents onto the new certificates at once.
            credentialsGeneration: pki.generation,
            monitoring: spec.monitoring,
            logging: spec.logging,
        },
        onUser,
    );

    return {
        clusterId: id,
        project: spec.project,
        seedNamespace: namespace.metadata.name,
        gatewayUrl: gatewayUrlOf(spec),
        gatewayHostnames: spec.gateway.externalHostnames,
        gatewayWriteService: gateway.writeServiceName,
        gatewayReadUrl: gateway.readUrl,
        caCertPem: pki.caCertPem,
        agentsNamespace: agents.namespace,
        hostAgentsNamespace: agents.hostAgentsNamespace,
        grafanaOrgId: tenant.orgId,
        suspended: spec.suspended,
        monitoringEnabled: spec.monitoring.enabled,
        loggingEnabled: spec.logging.enabled,
        // The reconciler in `mla serve` renews certificates from these, and probes the read listener with the token.
        [CERTIFICATE_NOT_AFTER_OUTPUT]: pki.certificateNotAfter,
        [READ_TOKEN_OUTPUT]: pki.readToken,
    };
}
