/** Reads the README the way its tests check it: command lines of its code blocks, columns of its tables. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../infra/support.js';

/** The README's text. */
export function readme(): string {
  return readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
}

/**
 * Every command line of the README's code blocks that runs npm or npx: continuation lines joined,
 * comments dropped, environment assignments kept in front.
 */
export function readmeCommands(text = readme()): string[] {
  const blocks = [...text.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/ \\\n\s+/g, ' ').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^([A-Z_]+=(<[^>]*>|\S+) )*(npm|npx) /.test(line));
}

/**
 * The rows of the first table under `## <heading>` whose first header cell is `header` (indented
 * tables in a list item too), each as its cells, trimmed.
 */
export function tableRows(heading: string, header: string, text = readme()): string[][] {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "## ${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  const lines = text.slice(start, end < 0 ? undefined : end).split('\n').map((l) => l.trim());
  const first = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  if (first < 0) throw new Error(`README section "${heading}" has no table headed "${header}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

/** The first column of {@link tableRows}, code ticks removed. */
export function tableColumn(heading: string, header: string, text = readme()): string[] {
  return tableRows(heading, header, text).map(([first]) => first!.replace(/^`|`$/g, ''));
}
