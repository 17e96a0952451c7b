/**
 * `Agents` (`mla:agents:Agents`): everything MLA puts into a user cluster, in two namespaces
 * split by Pod Security level (see ../common/pod-security.ts):
 * - `mla-system` (always, enforces `restricted`): the metrics agent (vmagent or Prometheus in agent mode)
 *   with its RBAC, client-cert Secret and config, and the optional kube-state-metrics;
 * - `mla-host-agents` (only while the log agent or node-exporter is on, enforces `privileged`):
 *   the log agent DaemonSet (Alloy or Promtail) with its RBAC, Secret and config, and the
 *   optional node-exporter.
 *
 * The user-cluster provider reaches every child through `opts.provider`/`opts.providers` and
 * `parent: this`; the component never creates or assumes a provider. Turning monitoring or
 * logging off creates none of that agent's objects, so an update deletes them.
 *
 * Its args and their checks are in `agents-args.ts`; every object comes from a pure builder
 * (`*-objects.ts`, `agent-namespaces.ts`), and this file only wires them to resources.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderAgentConfigs, LOG_AGENT_CONFIG_FILE, METRICS_AGENT_CONFIG_FILES } from "./agent-configs";
import { agentConfigMapArgs, agentTlsSecretArgs } from "./agent-file-objects";
import { type AgentsArgs, agentsArgsProblems } from "./agents-args";
import { deployedVmagentFlags, vmagentDeploymentArgs } from "./vmagent-objects";
import { DEFAULT_METRICS_AGENT } from "../../spec/cluster-spec";
import { kubeStateMetricsDeploymentArgs, nodeExporterDaemonSetArgs } from "./exporter-objects";
import { agentNamespaceArgs, DEFAULT_AGENTS_NAMESPACE, DEFAULT_HOST_AGENTS_NAMESPACE } from "./agent-namespaces";
import { logAgentDaemonSetArgs } from "./log-agent-objects";
import { metricsAgentDeploymentArgs } from "./metrics-agent-objects";
import { podSecurityLabels } from "../common/pod-security";
import {
    clusterRoleArgs,
    clusterRoleBindingArgs,
    kubeStateMetricsRules,
    logAgentRules,
    metricsAgentRules,
    serviceAccountArgs,
} from "./rbac-objects";
import { rejectInvalidArgs } from "../common/invalid-args";
import { DEFAULT_LOG_AGENT_RESOURCES, METRICS_AGENT_RESOURCES } from "../../spec/cluster-defaults";

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** What one agent's basic objects need: its role, namespace, RBAC rules, config file and client certificate. */
interface AgentBasics {
    role: "metrics" | "logs";
    namespace: pulumi.Output<string>;
    rules: k8s.types.input.rbac.v1.PolicyRule[];
    /** The config file's name in the ConfigMap. */
    file: string;
    certPem: pulumi.Input<string>;
    keyPem: pulumi.Input<string>;
    caPem: pulumi.Input<string>;
}

/** The user-cluster agents. */
export class Agents extends pulumi.ComponentResource {
    /** The restricted agents' namespace (always created). */
    readonly namespace: pulumi.Output<string>;
    /** The host-access agents' namespace; undefined while neither the log agent nor node-exporter is on. */
    readonly hostAgentsNamespace: pulumi.Output<string | undefined>;
    /** The rendered config files (file name → text), as `mla render agent` writes them. */
    readonly configFiles: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AgentsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Renamed from mla:cluster:Agents when the folders were aligned with the type tokens; the alias keeps
        // existing stacks' resources in place instead of replacing them.
        super(
            "mla:agents:Agents",
            name,
            {},
            { ...opts, aliases: [...(opts.aliases ?? []), { type: "mla:cluster:Agents" }] },
        );
        const problems = agentsArgsProblems(args);
        rejectInvalidArgs(this, "Agents", name, problems);

        const m = args.monitoring;
        const l = args.logging;
        const agent = l.agent ?? "alloy";
        const nodeExporter = m.enabled && (m.nodeExporter ?? false);
        const namespace = this.createNamespace(
            `${name}-namespace`,
            args.namespace ?? DEFAULT_AGENTS_NAMESPACE,
            podSecurityLabels("restricted"),
        );
        // Not created at all without a host agent, so switching both off deletes it and its contents.
        const hostNamespace =
            l.enabled || nodeExporter
                ? this.createNamespace(
                      `${name}-host-namespace`,
                      args.hostAgentsNamespace ?? DEFAULT_HOST_AGENTS_NAMESPACE,
                      podSecurityLabels("privileged", "baseline"),
                  )
                : undefined;
        this.namespace = namespace;
        this.hostAgentsNamespace = hostNamespace ?? pulumi.output(undefined);

        // Generation 0 adds nothing, so stacks that never rotated keep their checksums.
        const generation = args.credentialsGeneration ?? 0;
        const credentialsSuffix = generation === 0 ? "" : `\n# credentials generation ${generation}\n`;
        this.configFiles = pulumi.output(args.gatewayUrl).apply((gatewayUrl) =>
            renderAgentConfigs({
                clusterId: args.clusterId,
                gatewayUrl,
                agentNamespace: args.namespace,
                hostAgentsNamespace: args.hostAgentsNamespace,
                monitoring: { ...m, enabled: m.enabled },
                logging: { enabled: l.enabled, agent },
            }),
        );

        const metricsAgent = m.agent ?? DEFAULT_METRICS_AGENT;
        if (m.enabled) {
            const file = METRICS_AGENT_CONFIG_FILES[metricsAgent];
            const { dependsOn, ...parts } = this.agentBasics(name, {
                role: "metrics",
                namespace,
                rules: metricsAgentRules(),
                file,
                certPem: args.tls.metricsClientCertPem,
                keyPem: args.tls.metricsClientKeyPem,
                caPem: args.tls.caCertPem,
            });
            const common = {
                name: "mla-metrics-agent",
                namespace,
                replicas: m.replicas ?? 1,
                resources: m.resources ?? METRICS_AGENT_RESOURCES[metricsAgent],
                ...parts,
                configChecksum: this.configFiles.apply((files) => sha256(files[file] + credentialsSuffix)),
            };
            // One resource name for both agents: switching agents updates the Deployment in place.
            new k8s.apps.v1.Deployment(
                `${name}-metrics`,
                metricsAgent === "vmagent"
                    ? vmagentDeploymentArgs({
                          ...common,
                          flags: pulumi.output(args.gatewayUrl).apply(deployedVmagentFlags),
                          tlsChecksum: pulumi.output(args.tls.metricsClientCertPem).apply(sha256),
                      })
                    : metricsAgentDeploymentArgs(common),
                { parent: this, dependsOn },
            );
            if (nodeExporter && hostNamespace) {
                const sa = this.serviceAccount(name, "node-exporter", hostNamespace);
                new k8s.apps.v1.DaemonSet(
                    `${name}-node-exporter`,
                    nodeExporterDaemonSetArgs("mla-node-exporter", hostNamespace, "mla-node-exporter"),
                    {
                        parent: this,
                        dependsOn: [sa],
                    },
                );
            }
            if (m.kubeStateMetrics) {
                const sa = this.serviceAccount(name, "kube-state-metrics", namespace);
                const role = this.clusterRole(name, "kube-state-metrics", namespace, kubeStateMetricsRules());
                new k8s.apps.v1.Deployment(
                    `${name}-kube-state-metrics`,
                    kubeStateMetricsDeploymentArgs("mla-kube-state-metrics", namespace, "mla-kube-state-metrics"),
                    { parent: this, dependsOn: [sa, role] },
                );
            }
        }

        if (l.enabled && hostNamespace) {
            const file = LOG_AGENT_CONFIG_FILE[agent];
            const { dependsOn, ...parts } = this.agentBasics(name, {
                role: "logs",
                namespace: hostNamespace,
                rules: logAgentRules(),
                file,
                certPem: args.tls.logsClientCertPem,
                keyPem: args.tls.logsClientKeyPem,
                caPem: args.tls.caCertPem,
            });
            new k8s.apps.v1.DaemonSet(
                `${name}-logs`,
                logAgentDaemonSetArgs({
                    name: "mla-log-agent",
                    namespace: hostNamespace,
                    agent,
                    resources: l.resources ?? DEFAULT_LOG_AGENT_RESOURCES,
                    ...parts,
                    configChecksum: this.configFiles.apply((files) => sha256(files[file] + credentialsSuffix)),
                }),
                { parent: this, dependsOn },
            );
        }

        this.registerOutputs({
            namespace: this.namespace,
            hostAgentsNamespace: this.hostAgentsNamespace,
            configFiles: this.configFiles,
        });
    }

    private createNamespace(
        resourceName: string,
        namespace: string,
        podSecurity: Record<string, string>,
    ): pulumi.Output<string> {
        return new k8s.core.v1.Namespace(resourceName, agentNamespaceArgs(namespace, podSecurity), { parent: this })
            .metadata.name;
    }

    /** The service account, ClusterRole + binding, client-cert Secret and config ConfigMap of one agent. */
    private agentBasics(name: string, basics: AgentBasics) {
        const { role, namespace, rules, file, certPem, keyPem, caPem } = basics;
        const app = role === "metrics" ? "metrics-agent" : "log-agent";
        const sa = this.serviceAccount(name, app, namespace);
        const binding = this.clusterRole(name, app, namespace, rules);
        const secret = new k8s.core.v1.Secret(
            `${name}-${role}-tls`,
            agentTlsSecretArgs({ name: `mla-${app}-tls`, namespace, caPem, certPem, keyPem: pulumi.secret(keyPem) }),
            { parent: this },
        );
        const config = new k8s.core.v1.ConfigMap(
            `${name}-${role}-config`,
            agentConfigMapArgs(
                `mla-${app}-config`,
                namespace,
                this.configFiles.apply((files) => ({ [file]: files[file] })),
            ),
            { parent: this },
        );
        return {
            serviceAccountName: `mla-${app}`,
            configMapName: `mla-${app}-config`,
            tlsSecretName: `mla-${app}-tls`,
            dependsOn: [sa, binding, secret, config],
        };
    }

    private serviceAccount(name: string, app: string, namespace: pulumi.Output<string>): k8s.core.v1.ServiceAccount {
        return new k8s.core.v1.ServiceAccount(`${name}-${app}-sa`, serviceAccountArgs(`mla-${app}`, namespace), {
            parent: this,
        });
    }

    /** A ClusterRole with `rules`, bound to the app's service account; returns the binding. */
    private clusterRole(
        name: string,
        app: string,
        namespace: pulumi.Output<string>,
        rules: k8s.types.input.rbac.v1.PolicyRule[],
    ): k8s.rbac.v1.ClusterRoleBinding {
        const role = new k8s.rbac.v1.ClusterRole(`${name}-${app}-role`, clusterRoleArgs(`mla-${app}`, rules), {
            parent: this,
        });
        return new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-${app}-binding`,
            clusterRoleBindingArgs(`mla-${app}`, `mla-${app}`, `mla-${app}`, namespace),
            { parent: this, dependsOn: [role] },
        );
    }
}
