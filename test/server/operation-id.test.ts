import { expect } from "chai";
import { OperationParams } from "../../service/http/api-schemas";
import { newOperationId, operationIdGenerator } from "../../service/operations/operation-id";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The 48-bit time of a version-7 UUID, in ms. */
const timeOf = (id: string) => parseInt(id.replace(/-/g, "").slice(0, 12), 16);
/** The 62 random bits: the variant group's low 14 bits and the last group. */
const randomPart = (id: string) => id.slice(19);

function expectIncreasing(ids: string[]): void {
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1], `${ids[i - 1]} then ${ids[i]}`).to.equal(true);
}

describe("operation ids (version-7 UUIDs)", () => {
    it("are version-7 UUIDs, which the operation routes accept, stamped with the time they were made", () => {
        const pattern = new RegExp(OperationParams.properties.id.pattern as string);
        const before = Date.now();
        const ids = Array.from({ length: 2000 }, () => newOperationId());
        const after = Date.now();
        for (const id of ids) {
            expect(id).to.match(UUID_V7);
            expect(id).to.match(pattern);
        }
        expect(timeOf(ids[0])).to.be.within(before, after + 1);
        expectIncreasing(ids);
    });

    it("stay strictly increasing when the clock stalls, runs out of counter, or goes back", () => {
        let clock = 1_700_000_000_000;
        const next = operationIdGenerator(() => clock);
        const ids: string[] = [];
        // 10,000 in one millisecond: the 12-bit counter (seeded in its lower half) runs out
        // at least twice, and the time moves on by one each time.
        for (let i = 0; i < 10_000; i++) ids.push(next());
        expect(timeOf(ids[ids.length - 1]) - clock).to.be.within(2, 5);
        clock -= 60_000; // an NTP step back
        for (let i = 0; i < 100; i++) ids.push(next());
        clock += 120_000;
        ids.push(next());
        expectIncreasing(ids);
        expect(timeOf(ids[ids.length - 1])).to.equal(clock);
        for (const id of ids) expect(id).to.match(UUID_V7);
    });

    it("carry 62 random bits: no two alike within a millisecond, and both halves vary", () => {
        const next = operationIdGenerator(() => 1_700_000_000_000);
        const parts = Array.from({ length: 4000 }, () => randomPart(next()));
        expect(new Set(parts).size).to.equal(parts.length);
        const variantLow = new Set(parts.map((p) => p.slice(1, 4)));
        const last = new Set(parts.map((p) => p.slice(5, 9)));
        // 4,000 draws from 4,096 (and 65,536) values: a fixed or derived field would show a handful.
        expect(variantLow.size).to.be.greaterThan(2000);
        expect(last.size).to.be.greaterThan(3800);
    });
});
