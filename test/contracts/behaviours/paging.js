// Shared suite: the paging rules that DoctorContract.getDoctors, PatientContract.getRecords and
// PatientContract.getGrants all follow. offset == count returns an empty page (so an empty list works),
// offset > count reverts with <Contract>PageOutOfRange(offset, count), and limit is clamped.
"use strict";

const { expectCustomError } = require("../helpers/errors");

/**
 * @param {() => {
 *   error: string,                                      e.g. "DoctorContractPageOutOfRange(uint256,uint256)"
 *   fill: () => Promise<string[]>,                      adds three items, returns their keys in list order
 *   page: (offset: number, limit: number) => Promise<string[]>,  the keys of one page
 * }} subject Called inside each test, after the caller's beforeEach has deployed fresh contracts.
 */
function shouldBehaveLikePagedList(subject) {
  describe("paging", function () {
    it("returns an empty page from an empty list", async function () {
      assert.deepEqual(await subject().page(0, 10), []);
    });

    it("reverts when the offset is past the end of an empty list", async function () {
      const { page, error } = subject();
      await expectCustomError(page(1, 10), error, [1, 0]);
    });

    describe("with three items", function () {
      let keys;

      beforeEach(async function () {
        keys = await subject().fill();
        assert.strictEqual(keys.length, 3);
      });

      it("returns every item, in order, when the limit covers them", async function () {
        assert.deepEqual(await subject().page(0, 10), keys);
      });

      it("returns at most `limit` items", async function () {
        const { page } = subject();
        assert.deepEqual(await page(0, 2), keys.slice(0, 2));
        assert.deepEqual(await page(2, 2), keys.slice(2));
      });

      it("clamps the limit to the items left after the offset", async function () {
        assert.deepEqual(await subject().page(1, 1000), keys.slice(1));
      });

      it("returns an empty page when the limit is zero", async function () {
        assert.deepEqual(await subject().page(0, 0), []);
      });

      it("returns an empty page when the offset equals the count", async function () {
        assert.deepEqual(await subject().page(3, 10), []);
      });

      it("reverts with PageOutOfRange when the offset is past the count", async function () {
        const { page, error } = subject();
        await expectCustomError(page(4, 1), error, [4, 3]);
      });
    });
  });
}

module.exports = { shouldBehaveLikePagedList };
