/**
 * Schemas of parameters and responses (bodies are in `cluster-body.ts`). Responses are for the
 * OpenAPI document; Fastify validates parameters and bodies with the same objects.
 */
import { Type } from "@sinclair/typebox";
import { DnsLabel } from "../../spec/cluster-spec";

export const ClusterParams = Type.Object({ id: DnsLabel }, { additionalProperties: false });

/** Operation ids are UUIDs, which are DNS-1123 labels too. */
export const OperationParams = Type.Object(
    { id: Type.String({ pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" }) },
    { additionalProperties: false },
);

export const DeleteQuery = Type.Object(
    {
        purge: Type.Optional(
            Type.Union([Type.Literal("true"), Type.Literal("false")], {
                description: "Also delete the tenant's stored metrics and logs",
            }),
        ),
    },
    { additionalProperties: false },
);

export const ErrorBody = Type.Object({ error: Type.String() });

export const AcceptedBody = Type.Object({
    operationId: Type.String(),
    joined: Type.Boolean({ description: "True when an identical request was already queued or running" }),
    state: Type.String(),
});

const OperationStateSchema = Type.Union(
    ["queued", "running", "succeeded", "failed", "interrupted", "cancelled"].map((s) => Type.Literal(s)),
);

/** One resource step of a preview or drift check. */
export const PreviewStep = Type.Object({
    op: Type.String(),
    urn: Type.String(),
    type: Type.String(),
    name: Type.String(),
    diffs: Type.Array(Type.String()),
});

export const OperationBody = Type.Object({
    id: Type.String(),
    clusterId: Type.String(),
    kind: Type.Union(["up", "preview", "destroy", "suspend", "resume"].map((s) => Type.Literal(s))),
    state: OperationStateSchema,
    purge: Type.Optional(Type.Boolean()),
    createdAt: Type.String(),
    startedAt: Type.Optional(Type.String()),
    finishedAt: Type.Optional(Type.String()),
    error: Type.Optional(Type.Object({ code: Type.String(), status: Type.Integer(), message: Type.String() })),
    result: Type.Optional(
        Type.Object({
            changeSummary: Type.Optional(Type.Record(Type.String(), Type.Integer())),
            steps: Type.Optional(Type.Array(PreviewStep)),
            outputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
    ),
});

export const ClusterResponse = Type.Object({
    id: Type.String(),
    project: Type.String(),
    seed: Type.String(),
    suspended: Type.Boolean(),
    status: Type.String(),
    outputs: Type.Record(Type.String(), Type.Unknown(), { description: "Non-secret stack outputs" }),
    lockCheckPending: Type.Boolean(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    lastOperation: Type.Optional(OperationBody),
    health: Type.Optional(
        Type.Unknown({ description: "The health report from the last probe (see GET /v1/clusters/{id}/health)" }),
    ),
});

export const ClusterList = Type.Object({ clusters: Type.Array(ClusterResponse) });

const ReadyCheckBody = Type.Object({ name: Type.String(), ok: Type.Boolean(), detail: Type.String() });

export const ReadyBody = Type.Object({
    ready: Type.Boolean(),
    message: Type.String(),
    checks: Type.Array(ReadyCheckBody, { description: "The checks that gate operations" }),
    seeds: Type.Array(ReadyCheckBody, {
        description:
            "Whether each seed stack that cluster stacks reference is readable in the backend (reported; does not gate)",
    }),
    checkedAt: Type.String({ description: "When the probe ran; reused for a few seconds" }),
});
