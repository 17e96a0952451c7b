import { expect } from "chai";
import { flaggedSteps, countChanges, type ClusterPreview, type ResourceStep } from "../../fleet-preview/steps";
import { GITHUB_COMMENT_LIMIT, renderFleetSummary } from "../../fleet-preview/summary";

const urn = (type: string, name: string): string => `urn:pulumi:c::mla::${type}::${name}`;
const step = (op: string, type: string, name: string, diffs?: string[]): ResourceStep => ({
    op,
    type,
    urn: urn(type, name),
    diffs,
});

describe("fleet preview steps", () => {
    it("counts a replacement once although the engine reports three steps for it", () => {
        const t = "kubernetes:core/v1:Secret";
        const { counts } = countChanges([
            step("create-replacement", t, "tls"),
            step("replace", t, "tls"),
            step("delete-replaced", t, "tls"),
            step("same", t, "other"),
            step("update", "kubernetes:core/v1:ConfigMap", "nginx", ["data"]),
            step("create", "kubernetes:core/v1:ConfigMap", "rules"),
            step("delete", "kubernetes:apps/v1:Deployment", "old"),
        ]);
        expect(counts).to.deep.equal({ create: 1, update: 1, replace: 1, delete: 1 });
    });

    it("flags replacements and deletions of data-bearing resources only", () => {
        const flagged = flaggedSteps([
            step("replace", "tls:index/privateKey:PrivateKey", "ca-key"),
            step("delete", "kubernetes:core/v1:Namespace", "cluster-a"),
            step("update", "kubernetes:core/v1:Namespace", "mla-system"),
            step("replace", "kubernetes:apps/v1:Deployment", "gateway"),
            step("create", "kubernetes:core/v1:PersistentVolumeClaim", "wal"),
        ]);
        expect(flagged.map((s) => s.urn)).to.deep.equal([
            urn("tls:index/privateKey:PrivateKey", "ca-key"),
            urn("kubernetes:core/v1:Namespace", "cluster-a"),
        ]);
    });
});

describe("renderFleetSummary", () => {
    const previews: ClusterPreview[] = [
        { clusterId: "b", steps: [step("update", "kubernetes:core/v1:ConfigMap", "nginx", ["data"])] },
        { clusterId: "a", steps: [step("replace", "tls:index/privateKey:PrivateKey", "ca-key")] },
        { clusterId: "c", steps: [], error: "stack is locked | run pulumi cancel" },
        { clusterId: "d", steps: [step("same", "kubernetes:core/v1:ConfigMap", "x")] },
    ];

    it("puts failed and flagged clusters first in one summary table", () => {
        const md = renderFleetSummary(previews);
        const table = md.split("\n").filter((l) => l.startsWith("| `"));
        expect(table).to.deep.equal([
            "| `c` | – | – | – | – | :x: preview failed |",
            "| `a` | 0 | 0 | 1 | 0 | :warning: 1 data-bearing replace/delete |",
            "| `b` | 0 | 1 | 0 | 0 |  |",
            "| `d` | 0 | 0 | 0 | 0 |  |",
        ]);
        expect(md).to.contain(
            "4 cluster stacks: 2 with changes, 1 with data-bearing replacements or deletions, 1 failed.",
        );
    });

    it("lists each changed cluster's steps with changed properties, escaping table pipes", () => {
        const md = renderFleetSummary(previews);
        expect(md).to.contain("| update | `kubernetes:core/v1:ConfigMap` | nginx | data |");
        expect(md).to.contain("| replace :warning: | `tls:index/privateKey:PrivateKey` | ca-key |  |");
        expect(md).to.contain("stack is locked | run pulumi cancel");
        expect(md).not.to.contain("<code>d</code>");
    });

    it("trims details, keeping the summary, to fit the comment limit", () => {
        const many: ClusterPreview[] = Array.from({ length: 300 }, (_, i) => ({
            clusterId: `cluster-${String(i).padStart(3, "0")}`,
            steps: Array.from({ length: 20 }, (_, j) =>
                step("update", "kubernetes:core/v1:ConfigMap", `cm-${j}`, ["data", "metadata"]),
            ),
        }));
        const md = renderFleetSummary(many);
        expect(md.length).to.be.at.most(GITHUB_COMMENT_LIMIT);
        expect(md.split("\n").filter((l) => l.startsWith("| `cluster-"))).to.have.length(300);
        expect(md).to.match(/_Details of \d+ clusters trimmed to fit the comment limit\._/);
    });

    it("trims table rows too when even the table does not fit, and says so", () => {
        const many: ClusterPreview[] = Array.from({ length: 50 }, (_, i) => ({ clusterId: `c${i}`, steps: [] }));
        const md = renderFleetSummary(many, 1000);
        expect(md.length).to.be.at.most(1000);
        expect(md).to.match(/_\d+ more clusters trimmed to fit the comment limit/);
    });
});
