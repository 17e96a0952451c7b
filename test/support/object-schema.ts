/**
 * Schema checks of what a pure builder returns, without an engine: the object is validated as the
 * provider would send it for the Pulumi type token (`apiVersion` and `kind` filled from it).
 */
import { schemaErrors } from "./k8s-schema";

/** The schema errors of `object` as a `type` (`kubernetes:core/v1:Secret`, ...); "" when valid. */
export function objectSchemaErrors(type: string, object: object): Promise<string> {
    return schemaErrors({ type, name: "builder", inputs: object as Record<string, unknown>, custom: true });
}

/** Type tokens of the kinds the builders return. */
export const KIND = {
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    deployment: "kubernetes:apps/v1:Deployment",
} as const;
