import { describe, expect, it } from "vitest";
import { renderTable } from "../../../bench/text-table";

describe("renderTable", () => {
  it("pads every column to its widest cell", () => {
    expect(
      renderTable(
        ["drill", "s"],
        [
          ["link-down", "3.07"],
          ["x", "0.1"],
        ],
      ),
    ).toBe(["| drill     | s    |", "| --------- | ---- |", "| link-down | 3.07 |", "| x         | 0.1  |"].join("\n"));
  });

  it("rejects a row with a different number of cells than the header", () => {
    expect(() => renderTable(["a", "b"], [["1"]])).toThrow("table row 0 has 1 cells; the header has 2");
  });
});
