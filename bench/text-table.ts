/** A Markdown table with columns padded to their widest cell, readable both raw and rendered. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const [index, row] of rows.entries()) {
    if (row.length !== header.length) throw new Error(`table row ${index} has ${row.length} cells; the header has ${header.length}`);
  }
  const widths = header.map((cell, column) => Math.max(cell.length, 3, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
