export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

/** One JSON object per figure (machine-readable), then a table for people. */
export function printFigures(figures: Figure[]): void {
  for (const f of figures) console.log(JSON.stringify({ name: f.name, value: round(f.value), unit: f.unit }));
  console.log('');
  const width = Math.max(...figures.map((f) => f.name.length));
  console.log(`${'figure'.padEnd(width)}  ${'value'.padStart(10)}  unit  target`);
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(width)}  ${String(round(f.value)).padStart(10)}  ${f.unit.padEnd(4)}  ${f.target ?? ''}`,
    );
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
