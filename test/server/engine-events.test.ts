import { expect } from "chai";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { readableEvent, StepCollector, summaryText } from "../../executors/automation/engine-events";
import type { ExecutorEvent } from "../../executors/executor";

const URN = "urn:pulumi:c1::mla::mla:gateway:Gateway$kubernetes:apps/v1:Deployment::c1-gateway";

function pre(op: string, extra: Record<string, unknown> = {}): EngineEvent {
    return {
        sequence: 1,
        timestamp: 0,
        resourcePreEvent: { metadata: { op, urn: URN, type: "kubernetes:apps/v1:Deployment", provider: "", ...extra } },
    } as unknown as EngineEvent;
}

describe("engine events as readable steps", () => {
    const table: Array<[string, EngineEvent, ExecutorEvent | undefined]> = [
        [
            "a create",
            pre("create"),
            {
                type: "step",
                message: "create kubernetes:apps/v1:Deployment c1-gateway",
                data: { op: "create", urn: URN, type: "kubernetes:apps/v1:Deployment", name: "c1-gateway", diffs: [] },
            },
        ],
        [
            "an update with its changed top-level properties, never the values",
            pre("update", {
                diffs: ["spec"],
                detailedDiff: { "spec.replicas": { diffKind: "update" }, "metadata.labels[0]": { diffKind: "add" } },
                old: { inputs: { kubeconfig: "SECRET" } },
            }),
            {
                type: "step",
                message: "update kubernetes:apps/v1:Deployment c1-gateway (metadata, spec)",
                data: {
                    op: "update",
                    urn: URN,
                    type: "kubernetes:apps/v1:Deployment",
                    name: "c1-gateway",
                    diffs: ["metadata", "spec"],
                },
            },
        ],
        ["an unchanged resource", pre("same"), undefined],
        [
            "an error diagnostic without colour codes",
            {
                sequence: 2,
                timestamp: 0,
                diagnosticEvent: { message: "\u001b[31mboom\u001b[0m\n", color: "raw", severity: "error" },
            } as EngineEvent,
            { type: "log", message: "error: boom", data: undefined },
        ],
        [
            "a summary",
            {
                sequence: 3,
                timestamp: 0,
                summaryEvent: {
                    maybeCorrupt: false,
                    durationSeconds: 12,
                    resourceChanges: { create: 2, same: 5 },
                    policyPacks: {},
                },
            } as EngineEvent,
            { type: "summary", message: "2 create, 5 same in 12 s", data: { changes: { create: 2, same: 5 } } },
        ],
    ];
    for (const [name, event, expected] of table) {
        it(`renders ${name}`, () => expect(readableEvent(event)).to.deep.equal(expected));
    }

    it("summarises no changes as such", () => expect(summaryText({})).to.equal("no changes"));

    it("collects the changed steps and the summary of a preview", () => {
        const seen: ExecutorEvent[] = [];
        const collector = new StepCollector((e) => seen.push(e));
        [
            pre("same"),
            pre("replace", { diffs: ["spec"] }),
            {
                sequence: 4,
                timestamp: 0,
                summaryEvent: {
                    maybeCorrupt: false,
                    durationSeconds: 1,
                    resourceChanges: { replace: 1 },
                    policyPacks: {},
                },
            } as EngineEvent,
        ].forEach(collector.handle);
        expect(collector.steps).to.deep.equal([
            { op: "replace", urn: URN, type: "kubernetes:apps/v1:Deployment", name: "c1-gateway", diffs: ["spec"] },
        ]);
        expect(collector.changeSummary).to.deep.equal({ replace: 1 });
        expect(seen.map((e) => e.type)).to.deep.equal(["step", "summary"]);
    });
});
