import { expect } from "chai";
import { mapLimit, previewFleet } from "../../fleet-preview/run";

describe("previewFleet", () => {
    it("never runs more previews at once than the parallelism bound, and uses all of it", async () => {
        let inFlight = 0;
        let peak = 0;
        const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
        const results = await previewFleet(
            {
                listClusters: async () => ids,
                preview: async () => {
                    inFlight++;
                    peak = Math.max(peak, inFlight);
                    await new Promise((r) => setTimeout(r, 10));
                    inFlight--;
                    return [];
                },
            },
            3,
        );
        expect(peak).to.equal(3);
        expect(results.map((r) => r.clusterId)).to.deep.equal(ids);
    });

    it("records a failed preview and carries on with the others", async () => {
        const results = await previewFleet(
            {
                listClusters: async () => ["a", "b"],
                preview: async (id) => {
                    if (id === "a") throw new Error("no kubeconfig for a");
                    return [{ op: "create", type: "t", urn: "u" }];
                },
            },
            2,
        );
        expect(results).to.deep.equal([
            { clusterId: "a", steps: [], error: "no kubeconfig for a" },
            { clusterId: "b", steps: [{ op: "create", type: "t", urn: "u" }] },
        ]);
    });

    it("rejects a parallelism below one", async () => {
        let message = "";
        await mapLimit([1], 0, async (x) => x).catch((e: Error) => (message = e.message));
        expect(message).to.equal("parallelism must be a whole number of at least 1, got 0");
    });
});
