/**
 * The Kubernetes objects the operator executor applies for a project stack (pure): a
 * `pulumi.com/v1` Stack running this repository's `index.ts` with `mla:kind: project`, and the
 * Secret it takes the forwarded Pulumi credentials from. A project spec holds no secret, so the
 * Secret holds only the passphrase or access token (`FORWARDED_ENV`).
 */
import { createHash } from "node:crypto";
import type { ProjectSpec } from "../../spec/project-spec";
import { DISABLE_DEFAULT_GRAFANA_PROVIDER, DISABLE_DEFAULT_PROVIDERS } from "../automation/stack-settings";
import { type StackIdentity, forwardedEnv, opaqueSecret } from "./operator-stack";

/** PKO rejects Stack names longer than this (as for cluster stacks). */
const MAX_OBJECT_NAME = 42;

/**
 * `mla-project-<project>-<hash>`: the hash of the full stack name keeps one project on two seeds
 * apart; the project part is cut to fit PKO's limit.
 */
export function projectObjectName(stack: string, project: string): string {
    const hash = createHash("sha256").update(stack).digest("hex").slice(0, 8);
    const room = MAX_OBJECT_NAME - "mla-project-".length - hash.length - 1;
    return `mla-project-${project.slice(0, room).replace(/-+$/, "")}-${hash}`;
}

/** The plain stack config of a project stack, under the keys `programs/project-config.ts` reads. */
export function projectStackConfig(spec: ProjectSpec): Record<string, string> {
    return {
        "pulumi:disable-default-providers": JSON.stringify([
            DISABLE_DEFAULT_PROVIDERS.value,
            DISABLE_DEFAULT_GRAFANA_PROVIDER.value,
        ]),
        "mla:kind": "project",
        "mla:project": spec.project,
        "mla:seedStack": spec.seedStack,
        "mla:members": JSON.stringify(spec.members),
        ...(spec.grafanaUrl !== undefined ? { "mla:seedApi": JSON.stringify({ grafanaUrl: spec.grafanaUrl }) } : {}),
    };
}

/** The Stack identity of project stack `stack`. */
export function projectStackIdentity(stack: string, spec: ProjectSpec): StackIdentity {
    const objectName = projectObjectName(stack, spec.project);
    return {
        stack,
        objectName,
        secretName: `${objectName}-secrets`,
        labels: { "app.kubernetes.io/managed-by": "mla", "mla/project": spec.project },
        config: projectStackConfig(spec),
        secretConfig: {},
    };
}

/** The Secret's data: the forwarded Pulumi credentials only. */
export function projectSecretData(env: NodeJS.ProcessEnv): Record<string, string> {
    return forwardedEnv(env);
}

/** The `v1` Secret object of a project stack, for server-side apply. */
export function projectSecretObject(
    identity: StackIdentity,
    namespace: string,
    data: Record<string, string>,
): Record<string, unknown> {
    return opaqueSecret({ name: identity.secretName, namespace, labels: identity.labels }, data);
}
