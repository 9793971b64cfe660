/**
 * A plain-text table with a dashed rule under the header: columns for which `left(i)` holds are left-aligned (names),
 * the others right-aligned (numbers); by default the first two are names.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  left: (column: number) => boolean = (column) => column < 2,
): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (left(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(header.map((_, i) => '-'.repeat(widths[i]!))), ...rows.map(line)];
}
