/**
 * What the `Agents` component takes, and every problem it refuses (pure): the cluster id,
 * the gateway URL, the client certificates, the two namespaces, and the metrics and log agents'
 * settings.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { LOG_AGENT_CONFIG_FILE, type LogAgentKind } from "./agent-configs";
import { METRICS_AGENT_KINDS, type MetricsAgentKind } from "../../spec/cluster-spec";
import { DEFAULT_AGENTS_NAMESPACE, DEFAULT_HOST_AGENTS_NAMESPACE } from "./agent-namespaces";
import { customScrapeConfigProblems } from "../../spec/checks/custom-scrape-configs";
import { isDnsLabel } from "../../spec/validation";

type Resources = k8s.types.input.core.v1.ResourceRequirements;

/** PEMs from the cluster's PKI (`ClusterPki` outputs). */
export interface AgentsTls {
    caCertPem: pulumi.Input<string>;
    metricsClientCertPem: pulumi.Input<string>;
    metricsClientKeyPem: pulumi.Input<string>;
    logsClientCertPem: pulumi.Input<string>;
    logsClientKeyPem: pulumi.Input<string>;
}

/** Arguments of `Agents`. */
export interface AgentsArgs {
    /** The cluster id (tenant); the metrics agent's external label `cluster`. A DNS-1123 label. */
    clusterId: string;
    /** The gateway's write listener base URL, `https://host[:port]`. */
    gatewayUrl: pulumi.Input<string>;
    /** Client certificates and the cluster CA. */
    tls: AgentsTls;
    /**
     * The cluster's credentials generation (`ClusterPki.generation`). From 1 on it is part of the
     * pods' config checksum, so a rotation rolls the agents onto the new certificates. Defaults to 0.
     */
    credentialsGeneration?: number;
    /** The restricted agents' namespace (metrics agent, kube-state-metrics). Defaults to "mla-system". */
    namespace?: string;
    /** The host-access agents' namespace (log agent, node-exporter). Defaults to "mla-host-agents". */
    hostAgentsNamespace?: string;
    monitoring: {
        enabled: boolean;
        /** Defaults to `DEFAULT_METRICS_AGENT` ("vmagent", spec/cluster-spec.ts). */
        agent?: MetricsAgentKind;
        /** Defaults to "30s". */
        scrapeInterval?: string;
        customScrapeConfigs?: Record<string, unknown>[];
        /** Defaults to the agent's `METRICS_AGENT_RESOURCES` (spec/cluster-defaults.ts). */
        resources?: Resources;
        /** Defaults to 1. More replicas scrape the same targets and send duplicates. */
        replicas?: number;
        /** Defaults to false. */
        nodeExporter?: boolean;
        /** Defaults to false. */
        kubeStateMetrics?: boolean;
    };
    logging: {
        enabled: boolean;
        /** Defaults to "alloy". */
        agent?: LogAgentKind;
        /** Defaults to `DEFAULT_LOG_AGENT_RESOURCES` (spec/cluster-defaults.ts). */
        resources?: Resources;
    };
}

/** Every problem with the args; empty when valid. */
export function agentsArgsProblems(args: AgentsArgs): string[] {
    const problems: string[] = [];
    if (!isDnsLabel(args.clusterId)) problems.push(`clusterId "${args.clusterId}" must be a DNS-1123 label`);
    for (const key of ["namespace", "hostAgentsNamespace"] as const) {
        const value = args[key];
        if (value !== undefined && !isDnsLabel(value)) problems.push(`${key} "${value}" must be a DNS-1123 label`);
    }
    // One shared namespace would have to enforce `privileged` and undo the split.
    const restrictedNs = args.namespace ?? DEFAULT_AGENTS_NAMESPACE;
    if (restrictedNs === (args.hostAgentsNamespace ?? DEFAULT_HOST_AGENTS_NAMESPACE)) {
        problems.push(`namespace and hostAgentsNamespace must differ, both are "${restrictedNs}"`);
    }
    if (typeof args.gatewayUrl === "string" && !/^https:\/\/[^/\s]+\/?$/.test(args.gatewayUrl)) {
        problems.push(`gatewayUrl "${args.gatewayUrl}" must be https://host[:port]`);
    }
    const replicas = args.monitoring.replicas;
    if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0))
        problems.push(`monitoring.replicas ${replicas} must be a whole number >= 0`);
    problems.push(
        ...customScrapeConfigProblems(args.monitoring.customScrapeConfigs ?? []).map((p) => `monitoring: ${p}`),
    );
    const metricsAgent = args.monitoring.agent;
    if (metricsAgent !== undefined && !METRICS_AGENT_KINDS.includes(metricsAgent))
        problems.push(`monitoring.agent "${metricsAgent}" must be ${METRICS_AGENT_KINDS.join(" or ")}`);
    const agent = args.logging.agent;
    if (agent !== undefined && !(agent in LOG_AGENT_CONFIG_FILE))
        problems.push(`logging.agent "${agent}" must be alloy or promtail`);
    return problems;
}
