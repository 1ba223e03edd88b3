import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chronological, countsByYear, hospitalsInOrder, place, rangeOf, stayDays, yearsOf, type TimelineItem } from "@/components/timeline/timeline-data";
import { accessesOf, grantsOf, grantsOfShares } from "@/lib/fhir/grants";

const item = (id: string, hospital: string, category: string, admissionDate: string, dischargeDate: string): TimelineItem => ({ id, title: id, hospital, category, admissionDate, dischargeDate });
const items = [item("c", "General", "imaging", "2025-06-10", "2025-06-14"), item("a", "St Mary", "lab-result", "2024-03-04", "2024-03-04"), item("b", "General", "discharge-summary", "2024-12-30", "2025-01-02")];

describe("timeline data", () => {
  it("orders stays by admission, spans days inclusively, lists years and hospitals", () => {
    assert.deepEqual(chronological(items).map((entry) => entry.id), ["a", "b", "c"]);
    assert.deepEqual(items.map(stayDays), [5, 1, 4]);
    assert.deepEqual(yearsOf(items), [2024, 2025]);
    assert.deepEqual(hospitalsInOrder(items), ["St Mary", "General"]);
  });

  it("places stays in the visible range, clipped to a zoomed year", () => {
    const all = rangeOf(items);
    const a = place(items[1]!, all)!;
    assert.ok(Math.abs(a.left - (63 / 731) * 100) < 1e-9);
    assert.ok(Math.abs(a.width - (1 / 731) * 100) < 1e-9);
    const in2025 = rangeOf(items, 2025);
    assert.equal(place(items[1]!, in2025), undefined);
    assert.deepEqual(place(items[2]!, in2025), { left: 0, width: (2 / 365) * 100 }, "a stay across new year shows its 2025 days");
  });

  it("counts records per year of admission and category", () => {
    assert.deepEqual(countsByYear(items, ["lab-result", "imaging", "discharge-summary"]), [
      { year: 2024, total: 2, "lab-result": 1, imaging: 0, "discharge-summary": 1 },
      { year: 2025, total: 1, "lab-result": 0, imaging: 1, "discharge-summary": 0 },
    ]);
  });
});

describe("FHIR grants and accesses from the sharing API", () => {
  const doctor = "0x2222222222222222222222222222222222222222";
  it("one all-records grant plus per-record grants grouped by expiry; records covered only by the all-records grant are not repeated", () => {
    const grants = grantsOf({ address: doctor, name: "Dr Grey" }, { granted: true, expiresAt: 0 }, [
      { recordId: "1", expiresAt: 2_000, readable: true, allRecords: false },
      { recordId: "2", expiresAt: 3_000, readable: true, allRecords: false },
      { recordId: "3", expiresAt: 2_000, readable: false, allRecords: false },
      { recordId: "4", expiresAt: 0, readable: true, allRecords: true },
    ], 2_500);
    assert.deepEqual(grants, [
      { doctor, doctorName: "Dr Grey", expiresAt: 0, allRecords: true, recordIds: [], active: true },
      { doctor, doctorName: "Dr Grey", expiresAt: 2_000, allRecords: false, recordIds: ["1", "3"], active: false },
      { doctor, doctorName: "Dr Grey", expiresAt: 3_000, allRecords: false, recordIds: ["2"], active: true },
    ]);
  });

  it("names the doctor with the specialty, and a deactivated doctor's grants are inactive", () => {
    const [grant] = grantsOfShares([{ doctor, name: "Dr Grey", specialty: "Cardiology", active: false, allRecords: { granted: true, expiresAt: 0 }, records: [] }]);
    assert.equal(grant!.doctorName, "Dr Grey (Cardiology)");
    assert.equal(grant!.active, false);
    assert.deepEqual(accessesOf([{ doctor, recordId: "1", time: 5, txHash: "0xab", who: "Dr Grey" }]), [{ doctor, doctorName: "Dr Grey", recordId: "1", time: 5, txHash: "0xab" }]);
  });
});
