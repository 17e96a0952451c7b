/**
 * The two objects that carry an agent's files into its pods (pure): the client-certificate Secret
 * (`kubernetes.io/tls`, with the cluster CA) and the config ConfigMap. Their values may be
 * Outputs: the PEMs come from the cluster's PKI and the config text from the rendered files.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** What {@link agentTlsSecretArgs} puts into the Secret. */
export interface AgentTlsSecretInput {
    name: string;
    namespace: pulumi.Input<string>;
    caPem: pulumi.Input<string>;
    certPem: pulumi.Input<string>;
    /** The client key; the caller marks it secret, so it stays encrypted in the state. */
    keyPem: pulumi.Input<string>;
}

/** The agent's client certificate, key and CA, under the keys a `kubernetes.io/tls` Secret has. */
export function agentTlsSecretArgs(input: AgentTlsSecretInput): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: input.name, namespace: input.namespace },
        type: "kubernetes.io/tls",
        stringData: { "ca.crt": input.caPem, "tls.crt": input.certPem, "tls.key": input.keyPem },
    };
}

/** The agent's config ConfigMap: file name → text. */
export function agentConfigMapArgs(
    name: string,
    namespace: pulumi.Input<string>,
    data: pulumi.Input<Record<string, string>>,
): k8s.core.v1.ConfigMapArgs {
    return { metadata: { name, namespace }, data };
}
